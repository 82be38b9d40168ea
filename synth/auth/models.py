"""API keys: stored as a SHA-256 of a high-entropy secret, looked up by a public prefix."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from synth.db.base import Base, IdMixin
from synth.db.types import str_enum


class Role(enum.StrEnum):
    """What a key may do; person-bound roles also see by their place in the org chart."""

    ADMIN = "admin"
    HR = "hr"
    MANAGER = "manager"
    ENGINEER = "engineer"
    THOUGHT_PARTNER = "thought_partner"
    SERVICE = "service"


PERSON_BOUND_ROLES = frozenset({Role.MANAGER, Role.ENGINEER, Role.THOUGHT_PARTNER})


class ApiKey(IdMixin, Base):
    """A revocable credential for one role (and, for person-bound roles, one person)."""

    __tablename__ = "api_keys"

    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(IdMixin, Base):
    """A signed-in browser: the web app's cookie names one of these, never the API key.

    The cookie holds a random token; only its SHA-256 is stored, as for keys. A session
    answers only while its key does (revoking the key ends every session made with it), until
    `expires_at` (absolute), while it is used at least every idle window, and until sign-out.
    """

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
