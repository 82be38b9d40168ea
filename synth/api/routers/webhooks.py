"""/v1/webhooks and /v1/events: signed event delivery to other tools (admins only)."""

import uuid

from fastapi import APIRouter, Response

from synth.api.deps import CreateDep, CurrentPrincipal, PageDep, SessionDep
from synth.api.openapi import errors
from synth.db.pagination import paginate
from synth.events import service as events
from synth.events.models import DeliveryStatus, EventType
from synth.events.schemas import (
    DeliveryOut,
    EventOut,
    Replay,
    Replayed,
    WebhookCreate,
    WebhookCreated,
    WebhookOut,
    WebhookUpdate,
)
from synth.schemas import Page

# Admins only: every route answers anyone else 403.
router = APIRouter(tags=["webhooks"], responses=errors(403))


def _created(subscription: object) -> WebhookCreated:
    return WebhookCreated.model_validate(subscription)


@router.post("/webhooks", status_code=201, response_model=WebhookCreated)
def create_webhook(body: WebhookCreate, create: CreateDep) -> object:
    """Subscribe an endpoint to events; the signing secret is shown only in this response."""

    def run(db: SessionDep, principal: CurrentPrincipal) -> WebhookCreated:
        subscription = events.create(db, principal, body)
        db.flush()
        return _created(subscription)

    return create(body, run, secret_fields={"secret"})


@router.get("/webhooks", response_model=Page[WebhookOut])
def list_webhooks(db: SessionDep, principal: CurrentPrincipal, page: PageDep) -> Page[WebhookOut]:
    """List webhook subscriptions (secrets are never shown again)."""
    return paginate(db, events.readable(principal), page, WebhookOut.model_validate)


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut)
def get_webhook(webhook_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal) -> WebhookOut:
    """Read one webhook subscription."""
    return WebhookOut.model_validate(events.get(db, principal, webhook_id))


@router.patch("/webhooks/{webhook_id}", response_model=WebhookOut)
def update_webhook(
    webhook_id: uuid.UUID, body: WebhookUpdate, db: SessionDep, principal: CurrentPrincipal
) -> WebhookOut:
    """Change a subscription's URL, event types, description or active flag."""
    return WebhookOut.model_validate(events.change(db, principal, webhook_id, body))


@router.delete("/webhooks/{webhook_id}", status_code=204, response_class=Response)
def delete_webhook(webhook_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal) -> Response:
    """Unsubscribe; the subscription's delivery log is deleted with it."""
    events.remove(db, principal, webhook_id)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/rotate-secret", response_model=WebhookCreated)
def rotate_webhook_secret(
    webhook_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal
) -> WebhookCreated:
    """Replace the signing secret; the new one is shown only in this response."""
    return _created(events.rotate_secret(db, principal, webhook_id))


@router.get("/webhooks/{webhook_id}/deliveries", response_model=Page[DeliveryOut])
def list_webhook_deliveries(
    webhook_id: uuid.UUID,
    db: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    status: DeliveryStatus | None = None,
) -> Page[DeliveryOut]:
    """The delivery log of one subscription, newest first: attempts, last answer, error."""

    statement = events.deliveries(db, principal, webhook_id, status)
    return paginate(db, statement, page, DeliveryOut.model_validate)


@router.post("/webhooks/{webhook_id}/replay", response_model=Replayed)
def replay_webhook(
    webhook_id: uuid.UUID, body: Replay, db: SessionDep, principal: CurrentPrincipal
) -> Replayed:
    """Send events again: listed deliveries, or every event of its types since a time."""
    return Replayed(queued=events.replay(db, principal, webhook_id, body))


@router.get("/events", response_model=Page[EventOut])
def list_events(
    db: SessionDep, principal: CurrentPrincipal, page: PageDep, type: EventType | None = None
) -> Page[EventOut]:
    """The event log, oldest first, for tools that poll instead of subscribing."""
    return paginate(db, events.readable_events(principal, type), page, EventOut.model_validate)
