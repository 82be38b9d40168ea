"""Stored first responses to POSTs that carried an Idempotency-Key header."""

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from synth.db.base import Base, IdMixin


class IdempotencyRecord(IdMixin, Base):
    """The response to the first request with this key from this API key (secrets removed);
    it expires after SYNTH_IDEMPOTENCY_TTL_HOURS."""

    __tablename__ = "idempotency_records"
    __table_args__ = (
        UniqueConstraint("api_key_id", "key"),
        Index("ix_idempotency_records_created_at", "created_at"),  # the purge's range scan
    )

    api_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSONB)
