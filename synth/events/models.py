"""The outbox (`events`), webhook subscriptions and one delivery row per event and subscriber.

An event is written in the same transaction as the change it reports, together with a
pending delivery for every active subscription that wants its type: a rolled-back change
emits nothing, a committed one is delivered even if the process dies right after.
"""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from synth.db.base import Base, IdMixin, utcnow
from synth.db.types import str_enum


class EventType(enum.StrEnum):
    DRAFT_READY = "draft.ready"
    DRAFT_RELEASED = "draft.released"
    DRAFT_FAILED = "draft.failed"
    EXPECTATIONS_LOCKED = "expectations.locked"
    PERIOD_TRANSITIONED = "period.transitioned"
    FEEDBACK_RECEIVED = "feedback.received"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    FAILED = "failed"  # the attempts ran out (dead letter); replay queues it again


class Event(IdMixin, Base):
    """Something that happened, as other tools see it: ids and states, never feedback text
    or who wrote it (receivers read details through the API with their own key)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_created_at", "created_at"),)  # listing, replay, purge

    type: Mapped[EventType] = mapped_column(str_enum(EventType, "event_type"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)


class WebhookSubscription(IdMixin, Base):
    """An endpoint that receives the events of the listed types (all when empty)."""

    __tablename__ = "webhook_subscriptions"

    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
    description: Mapped[str] = mapped_column(String(200), default="")
    # The HMAC key: shown once, when created or rotated; never in a response after that.
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WebhookDelivery(IdMixin, Base):
    """One event on its way to one subscriber; `attempts` fences the sender holding it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id"),
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'delivering')"),
        ),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Attempts allowed so far: the configured maximum, raised by that much on each replay.
    attempt_limit: Mapped[int] = mapped_column(Integer)
    # Pending: not before this time. Delivering: the sender's lease ends then.
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    event: Mapped[Event] = relationship(lazy="joined", innerjoin=True)

    @property
    def event_type(self) -> EventType:
        return self.event.type
