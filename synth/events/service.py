"""Emit events into the outbox and manage webhook subscriptions (admins only).

`emit` runs inside the caller's transaction: the event and one pending delivery per
matching subscription commit or roll back with the change they report. Sending is
`synth.events.delivery`'s.
"""

import uuid
from datetime import timedelta
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import Select, and_, delete, func, insert, literal, or_, select, text, update
from sqlalchemy.orm import Session

from synth.audit.service import record, snapshot
from synth.auth.principal import Principal
from synth.config import get_settings
from synth.db.base import utcnow
from synth.errors import NotFound
from synth.events.models import DeliveryStatus, Event, EventType, WebhookDelivery
from synth.events.models import WebhookSubscription as Subscription
from synth.events.schemas import Replay, WebhookCreate, WebhookUpdate
from synth.events.signing import new_secret

EVENTS_CHANNEL = "synth_events"
SECRET_OMITTED = frozenset({"secret"})  # never in the audit log


def _wants(event_type: EventType) -> Any:
    """Active subscriptions that want `event_type` (an empty list means every type)."""
    return and_(
        Subscription.active.is_(True),
        or_(
            func.cardinality(Subscription.event_types) == 0,
            literal(event_type.value) == func.any(Subscription.event_types),
        ),
    )


DELIVERY_COLUMNS = [
    "id",
    "event_id",
    "subscription_id",
    "status",
    "attempts",
    "attempt_limit",
    "next_attempt_at",
]


def _fresh_delivery() -> tuple[Any, ...]:
    """The values of a new pending delivery after its id, event and subscription."""
    return (
        literal(DeliveryStatus.PENDING.value),
        literal(0),
        literal(get_settings().webhook_max_attempts),
        func.now(),
    )


def emit(db_session: Session, event_type: EventType, **data: Any) -> uuid.UUID:
    """Record an event in the caller's transaction and queue it for every subscriber."""
    event_id = uuid.uuid4()
    db_session.execute(
        insert(Event).values(id=event_id, type=event_type, data=to_jsonable_python(data))
    )
    queued = db_session.execute(
        insert(WebhookDelivery)
        .from_select(
            DELIVERY_COLUMNS,
            select(
                func.gen_random_uuid(),
                literal(event_id),
                Subscription.id,
                *_fresh_delivery(),
            ).where(_wants(event_type)),
        )
        .returning(WebhookDelivery.id)
    ).all()
    if queued:
        db_session.execute(text(f"NOTIFY {EVENTS_CHANNEL}"))
    return event_id


def get(db_session: Session, principal: Principal, subscription_id: uuid.UUID) -> Subscription:
    principal.require()
    subscription = db_session.get(Subscription, subscription_id)
    if subscription is None:
        raise NotFound(f"no webhook {subscription_id}", code="webhook_not_found")
    return subscription


def readable(principal: Principal) -> Select[Subscription]:
    principal.require()
    return select(Subscription).order_by(Subscription.created_at, Subscription.id)


def create(db_session: Session, principal: Principal, data: WebhookCreate) -> Subscription:
    """Subscribe an endpoint; its secret is returned to the caller once."""
    principal.require()
    subscription = Subscription(
        url=str(data.url),
        event_types=sorted({t.value for t in data.event_types}),
        description=data.description,
        secret=new_secret(),
        active=True,
    )
    db_session.add(subscription)
    record(
        db_session,
        principal=principal,
        action="webhook.created",
        entity=subscription,
        omit=SECRET_OMITTED,
    )
    return subscription


def change(
    db_session: Session, principal: Principal, subscription_id: uuid.UUID, data: WebhookUpdate
) -> Subscription:
    """Change the URL, types, description or active flag; pending deliveries keep going to
    the subscription as it is when they are sent."""
    subscription = get(db_session, principal, subscription_id)
    before = snapshot(subscription, omit=SECRET_OMITTED)
    if data.url is not None:
        subscription.url = str(data.url)
    if data.event_types is not None:
        subscription.event_types = sorted({t.value for t in data.event_types})
    if data.description is not None:
        subscription.description = data.description
    if data.active is not None:
        subscription.active = data.active
    record(
        db_session,
        principal=principal,
        action="webhook.updated",
        entity=subscription,
        before=before,
        omit=SECRET_OMITTED,
    )
    return subscription


def rotate_secret(
    db_session: Session, principal: Principal, subscription_id: uuid.UUID
) -> Subscription:
    """A new signing secret; deliveries sent from now on use it."""
    subscription = get(db_session, principal, subscription_id)
    subscription.secret = new_secret()
    record(
        db_session,
        principal=principal,
        action="webhook.secret_rotated",
        entity=subscription,
        omit=SECRET_OMITTED,
    )
    return subscription


def remove(db_session: Session, principal: Principal, subscription_id: uuid.UUID) -> None:
    """Unsubscribe; its delivery log goes with it."""
    subscription = get(db_session, principal, subscription_id)
    record(
        db_session,
        principal=principal,
        action="webhook.deleted",
        entity=subscription,
        before=snapshot(subscription, omit=SECRET_OMITTED),
        omit=SECRET_OMITTED,
    )
    db_session.delete(subscription)


def deliveries(
    db_session: Session,
    principal: Principal,
    subscription_id: uuid.UUID,
    status: DeliveryStatus | None = None,
) -> Select[WebhookDelivery]:
    """The delivery log of one subscription (with each event's type), newest first."""
    get(db_session, principal, subscription_id)
    statement = (
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
    )
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    return statement


def replay(
    db_session: Session, principal: Principal, subscription_id: uuid.UUID, data: Replay
) -> int:
    """Queue deliveries again: the listed ones, or every event of the subscription's types
    since `data.since` (creating deliveries for events from before it subscribed). Each gets
    a fresh allowance of attempts; a delivery being sent right now is left alone."""
    subscription = get(db_session, principal, subscription_id)
    limit = get_settings().webhook_max_attempts
    queued = 0
    if data.since is not None:
        types = subscription.event_types or [t.value for t in EventType]
        missing = select(
            func.gen_random_uuid(), Event.id, literal(subscription.id), *_fresh_delivery()
        ).where(
            Event.created_at >= data.since,
            Event.type.in_(types),
            ~select(WebhookDelivery.id)
            .where(
                WebhookDelivery.event_id == Event.id,
                WebhookDelivery.subscription_id == subscription.id,
            )
            .exists(),
        )
        queued += len(
            db_session.execute(
                insert(WebhookDelivery)
                .from_select(DELIVERY_COLUMNS, missing)
                .returning(WebhookDelivery.id)
            ).all()
        )
        chosen = WebhookDelivery.event_id.in_(
            select(Event.id).where(Event.created_at >= data.since)
        )
    else:
        chosen = WebhookDelivery.id.in_(data.delivery_ids)
    queued += len(
        db_session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.subscription_id == subscription.id,
                chosen,
                WebhookDelivery.status.in_([DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]),
            )
            .values(
                status=DeliveryStatus.PENDING,
                next_attempt_at=func.now(),
                attempt_limit=WebhookDelivery.attempts + limit,
            )
            .returning(WebhookDelivery.id)
        ).all()
    )
    record(
        db_session,
        principal=principal,
        action="webhook.replayed",
        entity=subscription,
        omit=SECRET_OMITTED,
    )
    db_session.execute(text(f"NOTIFY {EVENTS_CHANNEL}"))
    return queued


def readable_events(principal: Principal, event_type: EventType | None = None) -> Select[Any]:
    """The outbox, oldest first, for tools that poll instead of subscribing (admins)."""
    principal.require()
    statement = select(Event).order_by(Event.created_at, Event.id)
    if event_type is not None:
        statement = statement.where(Event.type == event_type)
    return statement


def purge_old_events(db_session: Session, *, limit: int = 1_000) -> int:
    """Delete events (and their deliveries) past the retention period, oldest first."""
    cutoff = utcnow() - timedelta(days=get_settings().event_retention_days)
    old = (
        select(Event.id)
        .where(Event.created_at < cutoff)
        .order_by(Event.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    removed = db_session.execute(
        delete(Event).where(Event.id.in_(old.scalar_subquery())).returning(Event.id)
    ).all()
    return len(removed)
