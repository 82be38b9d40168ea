"""Send due webhook deliveries: claimed with SKIP LOCKED, signed, retried with backoff.

Times come from the database's clock (never a worker's), so machines with skewed clocks
share one schedule.

A claim bumps `attempts` and leases the row; the result is written only while that claim
is current (status `delivering`, same attempt number), so a sender that outlived its lease
cannot overwrite a newer attempt. A sender that dies leaves the row to be claimed again when
its lease ends. Receivers see each event at least once and deduplicate by its `id`.
"""

import json
import logging
import random
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from synth import __version__
from synth.config import get_settings
from synth.db.base import utcnow
from synth.db.engine import transaction
from synth.events.models import DeliveryStatus, Event, WebhookDelivery
from synth.events.models import WebhookSubscription as Subscription
from synth.events.service import purge_old_events
from synth.events.signing import SIGNATURE_HEADER, sign

log = logging.getLogger("synth.webhooks")
MAX_BACKOFF_S = 3600.0
MAX_ERROR_CHARS = 500
PARALLEL_SENDS = 4


@dataclass(frozen=True)
class Claimed:
    """One delivery this sender holds, with everything needed to send it."""

    delivery_id: uuid.UUID
    fence: int
    url: str
    secret: str
    body: bytes
    event_id: uuid.UUID
    event_type: str


def body_of(event: Event) -> bytes:
    """The exact bytes that are signed and sent."""
    document = {
        "id": str(event.id),
        "type": event.type.value,
        "created_at": event.created_at.isoformat(),
        "data": event.data,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def lease() -> timedelta:
    """How long a claim lasts: one receiver time-out with room to record the result."""
    return timedelta(seconds=get_settings().webhook_timeout_s * 2 + 30)


def retry_after(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: doubling from the base, jittered, capped."""
    base = get_settings().webhook_retry_base_s * 2 ** max(0, attempt - 1)
    return float(min(MAX_BACKOFF_S, base) * random.uniform(0.8, 1.2))


def claim_due(db_session: Session, limit: int) -> list[Claimed]:
    """Take up to `limit` due deliveries (pending, or delivering with a lapsed lease)."""
    rows = db_session.execute(
        select(WebhookDelivery, Subscription, Event)
        .join(Subscription, Subscription.id == WebhookDelivery.subscription_id)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(
            WebhookDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.DELIVERING]),
            WebhookDelivery.next_attempt_at <= func.clock_timestamp(),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    ).all()
    claimed = []
    for delivery, subscription, event in rows:
        if delivery.attempts >= delivery.attempt_limit or not subscription.active:
            # A sender died holding the last attempt, or the subscriber was switched off.
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = delivery.last_error or (
                "the subscription is inactive" if not subscription.active else "sender lost"
            )
            continue
        delivery.status = DeliveryStatus.DELIVERING
        delivery.attempts += 1
        delivery.next_attempt_at = func.clock_timestamp() + lease()
        claimed.append(
            Claimed(
                delivery_id=delivery.id,
                fence=delivery.attempts,
                url=subscription.url,
                secret=subscription.secret,
                body=body_of(event),
                event_id=event.id,
                event_type=event.type.value,
            )
        )
    return claimed


def send(client: httpx.Client, claim: Claimed) -> tuple[int | None, str | None]:
    """POST one delivery; (status code, error) where a 2xx has no error."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"synth-webhooks/{__version__}",
        SIGNATURE_HEADER: sign(claim.secret, claim.body),
        "Synth-Event-Id": str(claim.event_id),
        "Synth-Event-Type": claim.event_type,
        "Synth-Delivery-Id": str(claim.delivery_id),
    }
    try:
        response = client.post(claim.url, content=claim.body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}: {response.text[:200]}"


def finish(db_session: Session, claim: Claimed, status_code: int | None, error: str | None) -> bool:
    """Record the outcome if the claim is still current; whether it was."""
    delivery = db_session.get(WebhookDelivery, claim.delivery_id, with_for_update=True)
    if (
        delivery is None
        or delivery.status is not DeliveryStatus.DELIVERING
        or delivery.attempts != claim.fence
    ):
        return False
    delivery.last_status_code = status_code
    delivery.last_error = error
    if error is None:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = utcnow()
    elif delivery.attempts >= delivery.attempt_limit:
        delivery.status = DeliveryStatus.FAILED
        log.error("webhook delivery %s failed for good: %s", delivery.id, error)
    else:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = func.clock_timestamp() + timedelta(
            seconds=retry_after(delivery.attempts)
        )
    return True


def deliver_due(factory: sessionmaker[Session], client: httpx.Client, *, limit: int = 20) -> int:
    """Claim, send and record one batch; the number of deliveries attempted."""
    with transaction(factory) as db:
        claims = claim_due(db, limit)
    if not claims:
        return 0

    # Sent in parallel (receivers are slow, not the CPU); recorded together, each fenced.
    with ThreadPoolExecutor(min(PARALLEL_SENDS, len(claims))) as pool:
        outcomes = list(pool.map(lambda claim: send(client, claim), claims))
    with transaction(factory) as db:
        for claim, (status_code, error) in zip(claims, outcomes, strict=True):
            if not finish(db, claim, status_code, error):
                log.warning("late webhook result discarded for delivery %s", claim.delivery_id)
    return len(claims)


def client() -> httpx.Client:
    """The HTTP client deliveries go out with: no redirects followed, bounded time-outs."""
    timeout = get_settings().webhook_timeout_s
    return httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False)


def run(
    factory: sessionmaker[Session],
    *,
    stop: threading.Event,
    wake: threading.Event | None = None,
    poll_seconds: float = 1.0,
    on_error: Callable[[str], None] | None = None,
) -> None:
    """Deliver until `stop` is set: a full batch is followed at once by the next, otherwise
    wait for `wake` or `poll_seconds`. Errors are reported and retried after a backoff."""
    wake = wake or threading.Event()
    backoff = poll_seconds
    rounds = 0
    with client() as http:
        while not stop.is_set():
            try:
                sent = deliver_due(factory, http)
                rounds += 1
                if rounds % 600 == 1:
                    with transaction(factory) as db:
                        purged = purge_old_events(db)
                    if purged:
                        log.info("purged %d events past their retention", purged)
                backoff = poll_seconds
            except Exception as exc:  # supervised: never let one bad batch end delivery
                log.exception("webhook delivery round failed; again in %.0fs", backoff)
                if on_error is not None:
                    on_error(f"webhooks: {type(exc).__name__}: {exc}")
                stop.wait(backoff)
                backoff = min(60.0, backoff * 2)
                continue
            if sent == 0:
                wake.wait(poll_seconds)
                wake.clear()


def pending_count(db_session: Session) -> int:
    """Deliveries still to send (for health reports)."""
    return (
        db_session.scalar(
            select(func.count()).where(
                WebhookDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.DELIVERING])
            )
        )
        or 0
    )
