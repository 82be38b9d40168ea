"""The audit_events table. A database trigger (see the first migration) forbids UPDATE/DELETE."""

import uuid
from typing import Any

from sqlalchemy import BigInteger, Identity, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from synth.db.base import Base, IdMixin


class AuditEvent(IdMixin, Base):
    """One change to one entity, with the actor and the before/after state."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    actor_key_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_person_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
