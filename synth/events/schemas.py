"""Webhook subscription, delivery and event bodies. A secret appears only when it is made."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field, HttpUrl, model_validator

from synth.events.models import DeliveryStatus, EventType
from synth.schemas import InputModel, OutputModel


def _plain_url(url: HttpUrl) -> HttpUrl:
    if url.scheme not in ("http", "https"):
        raise ValueError("a webhook URL is http:// or https://")
    if url.fragment:
        raise ValueError("a webhook URL has no #fragment")
    return url


WebhookUrl = Annotated[HttpUrl, AfterValidator(_plain_url)]
EventTypes = Annotated[
    list[EventType],
    Field(max_length=len(EventType), description="Event types to receive; empty: all of them"),
]


class WebhookCreate(InputModel):
    url: WebhookUrl = Field(description="Receives a POST per event (http or https)")
    event_types: EventTypes = Field(default_factory=list)
    description: str = Field(default="", max_length=200)


class WebhookUpdate(InputModel):
    url: WebhookUrl | None = None
    event_types: EventTypes | None = None
    description: str | None = Field(default=None, max_length=200)
    active: bool | None = None


class WebhookOut(OutputModel):
    id: uuid.UUID
    url: str
    event_types: list[EventType]
    description: str
    active: bool
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="HMAC-SHA256 key of the Synth-Signature header; shown only in this response"
    )


class DeliveryOut(OutputModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: EventType
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime = Field(
        description="Pending: when it is tried next; delivering: when the sender's claim lapses"
    )
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


class Replay(InputModel):
    """What to send again: listed deliveries, or every event of the subscription's types
    since a time (including events from before it subscribed)."""

    delivery_ids: list[uuid.UUID] = Field(default_factory=list, max_length=1_000)
    since: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> "Replay":
        if bool(self.delivery_ids) == (self.since is not None):
            raise ValueError("give either delivery_ids or since")
        return self


class Replayed(OutputModel):
    queued: int = Field(description="Deliveries queued again (in-flight ones are left alone)")


class EventOut(OutputModel):
    id: uuid.UUID
    type: EventType
    created_at: datetime
    data: dict[str, Any]
