"""Events and webhooks: written with the change they report, signed, retried, fenced, replayed.

The receiver is a real HTTP server on loopback that answers as scripted; deliveries go out
through the same code the worker runs (`deliver_due`), with the real signing.
"""

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from synth.config import get_settings
from synth.db.base import utcnow
from synth.db.engine import transaction
from synth.events import delivery
from synth.events.models import DeliveryStatus, Event, WebhookDelivery
from synth.events.signing import SIGNATURE_HEADER, sign, verify
from synth.themes.ingest import ingest
from synth.workflow.jobs import generate_all
from tests import factories as f
from tests.drafters import CountingDrafter, DownDrafter
from tests.embedders import minilm


class Receiver:
    """A loopback endpoint that answers each request with the next scripted status (then 200)
    and keeps what it was sent."""

    def __init__(self, script: list[int] | None = None) -> None:
        self.script = list(script or [])
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        self.lock = threading.Lock()
        self.got_one = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    status = receiver.script.pop(0) if receiver.script else 200
                    receiver.received.append((dict(self.headers), body, status))
                receiver.got_one.set()
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"try again")

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def accepted(self) -> list[dict[str, Any]]:
        """Bodies of the requests answered 2xx, as the receiver parsed them."""
        return [json.loads(body) for _, body, status in self.received if status < 300]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def org(db: Session, sessions: sessionmaker[Session]) -> f.Org:
    o = f.reviewed(db, f.org(db), f.PRAISE)
    ingest(sessions, minilm())
    return o


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "webhook_retry_base_s", 0.0)


def subscribe(client: TestClient, o: f.Org, url: str, types: list[str] | None = None) -> Any:
    body: dict[str, Any] = {"url": url, "description": "test receiver"}
    if types is not None:
        body["event_types"] = types
    answer = client.post("/v1/webhooks", json=body, headers=o.auth("admin"))
    assert answer.status_code == 201, answer.text
    return answer.json()


def drain(sessions: sessionmaker[Session], rounds: int = 20) -> int:
    """Send every due delivery, round after round, until nothing is due."""
    sent = 0
    with delivery.client() as http:
        for _ in range(rounds):
            batch = delivery.deliver_due(sessions, http)
            if batch == 0:
                break
            sent += batch
    return sent


def post_feedback(client: TestClient, o: f.Org, text: str) -> Any:
    body = {"period_id": str(o.period.id), "subject_id": str(o.engineer.id), "text": text}
    body["relationship"] = "peer"
    return client.post("/v1/feedback", json=body, headers=o.auth("teammate"))


# --- signing ---------------------------------------------------------------------------------


def test_a_signature_verifies_only_for_its_body_secret_and_time() -> None:
    body, secret = b'{"id":"1"}', "whsec_test"
    header = sign(secret, body, timestamp=1_000)
    assert verify(secret, header, body, now=1_100)
    assert not verify(secret, header, body + b" ", now=1_100)
    assert not verify("whsec_other", header, body, now=1_100)
    assert not verify(secret, header, body, now=1_000 + 301)  # a replayed old request
    assert not verify(secret, "v1=deadbeef", body, now=1_000)
    assert not verify(secret, "t=abc,v1=00", body, now=1_000)


# --- the outbox --------------------------------------------------------------------------------


def test_feedback_emits_an_event_with_ids_only_and_a_refused_write_emits_none(
    client: TestClient, org: f.Org, db: Session, receiver: Receiver
) -> None:
    subscribe(client, org, receiver.url, ["feedback.received"])
    text = "Her design doc for the ledger migration made the rollout calm and reversible."
    assert post_feedback(client, org, text).status_code == 201
    assert post_feedback(client, org, text).status_code == 409  # duplicate: rolled back
    events = db.scalars(select(Event).where(Event.type == "feedback.received")).all()
    assert len(events) == 1
    data = events[0].data
    assert set(data) == {"feedback_id", "period_id", "subject_id"}
    assert str(org.teammate.id) not in json.dumps(data)  # never who wrote it
    assert db.scalar(select(func.count()).select_from(WebhookDelivery)) == 1


def test_unsubscribed_types_queue_nothing(
    client: TestClient, org: f.Org, db: Session, receiver: Receiver
) -> None:
    subscribe(client, org, receiver.url, ["draft.released"])
    assert post_feedback(client, org, "Her runbook cut our pages.").status_code == 201
    assert db.scalar(select(func.count()).select_from(Event)) == 1
    assert db.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


# --- delivery ------------------------------------------------------------------------------------


def test_a_receiver_that_fails_twice_gets_every_event_once_signed(
    client: TestClient,
    org: f.Org,
    sessions: sessionmaker[Session],
    receiver: Receiver,
    fast_retries: None,
) -> None:
    hook = subscribe(client, org, receiver.url)
    receiver.script = [500, 503]  # the first two requests fail, then all succeed
    # Every kind of event: feedback, a draft made ready, released, one failed, a transition.
    post_feedback(client, org, "She paired with me on the flaky deploy test until it was fixed.")
    draft_id = f.queued_synthesis(client, org)
    generate_all(sessions, CountingDrafter(), minilm())
    for step in ("approve", "release"):
        assert client.post(f"/v1/drafts/{draft_id}/{step}", headers=org.auth("manager")).is_success
    f.queued_synthesis(client, org)  # this one fails
    generate_all(sessions, DownDrafter(), minilm())
    transitioned = client.post(
        f"/v1/periods/{org.period.id}/transition", json={"status": "closed"}, headers=org.auth("hr")
    )
    assert transitioned.status_code == 200, transitioned.text

    drain(sessions)

    accepted = receiver.accepted()
    ids = [event["id"] for event in accepted]
    assert len(ids) == len(set(ids)), "an event was accepted twice"
    with sessions() as db:
        emitted = {str(e.id): e.type.value for e in db.scalars(select(Event))}
    assert set(ids) == set(emitted)
    wanted = {"feedback.received", "draft.ready", "draft.released", "draft.failed"}
    assert wanted | {"period.transitioned"} <= set(emitted.values())
    for headers, raw, _ in receiver.received:
        assert verify(hook["secret"], headers[SIGNATURE_HEADER], raw)
        assert json.loads(raw)["id"] == headers["Synth-Event-Id"]
    log = client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=org.auth("admin")).json()
    assert {d["status"] for d in log["items"]} == {"delivered"}
    assert sorted(d["attempts"] for d in log["items"])[-1] >= 2  # the retried ones


def test_the_drafts_events_say_what_happened_and_nothing_of_its_text(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session], db: Session
) -> None:
    draft_id = f.queued_synthesis(client, org)
    generate_all(sessions, DownDrafter(), minilm())
    (failed,) = db.scalars(select(Event).where(Event.type == "draft.failed")).all()
    assert failed.data["draft_id"] == draft_id
    assert failed.data["error_code"]
    assert set(failed.data) == {
        "draft_id",
        "kind",
        "subject_id",
        "period_id",
        "status",
        "error_code",
    }


def test_a_late_sender_cannot_overwrite_a_newer_attempt(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session], receiver: Receiver
) -> None:
    subscribe(client, org, receiver.url)
    post_feedback(client, org, "Her incident write-up named the real cause and the fix.")
    with transaction(sessions) as db:
        (first,) = delivery.claim_due(db, 10)
        # The first sender stalls past its lease: the row is claimable again.
        db.execute(update(WebhookDelivery).values(next_attempt_at=func.now() - timedelta(days=1)))
    with transaction(sessions) as db:
        (second,) = delivery.claim_due(db, 10)
    assert second.fence == first.fence + 1
    with transaction(sessions) as db:
        assert delivery.finish(db, second, 200, None)
        assert not delivery.finish(db, first, None, "timed out")  # discarded
        row = db.get(WebhookDelivery, second.delivery_id)
        assert row is not None and row.status is DeliveryStatus.DELIVERED


def test_attempts_run_out_into_failed_then_a_replay_delivers(
    client: TestClient,
    org: f.Org,
    sessions: sessionmaker[Session],
    receiver: Receiver,
    fast_retries: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "webhook_max_attempts", 2)
    hook = subscribe(client, org, receiver.url, ["feedback.received"])
    receiver.script = [500, 500]
    post_feedback(client, org, "Her migration plan had a rollback step we ended up needing.")
    drain(sessions)
    admin = org.auth("admin")
    url = f"/v1/webhooks/{hook['id']}/deliveries"
    (dead,) = client.get(url, params={"status": "failed"}, headers=admin).json()["items"]
    assert dead["attempts"] == 2 and dead["last_status_code"] == 500
    assert receiver.accepted() == []

    replay = f"/v1/webhooks/{hook['id']}/replay"
    answer = client.post(replay, json={"delivery_ids": [dead["id"]]}, headers=admin)
    assert answer.json() == {"queued": 1}
    drain(sessions)
    assert [e["type"] for e in receiver.accepted()] == ["feedback.received"]
    (done,) = client.get(url, headers=admin).json()["items"]
    assert done["status"] == "delivered" and done["attempts"] == 3


def test_replay_since_sends_events_from_before_the_subscription(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session], receiver: Receiver
) -> None:
    start = utcnow() - timedelta(seconds=5)
    post_feedback(client, org, "He wrote the on-call runbook that new joiners now use.")
    hook = subscribe(client, org, receiver.url, ["feedback.received"])
    drain(sessions)
    assert receiver.accepted() == []  # it subscribed after the event
    answer = client.post(
        f"/v1/webhooks/{hook['id']}/replay",
        json={"since": start.isoformat()},
        headers=org.auth("admin"),
    )
    assert answer.json()["queued"] >= 1
    drain(sessions)
    assert {e["type"] for e in receiver.accepted()} == {"feedback.received"}


def test_the_worker_delivers_by_itself(
    engine: Any, data_dir: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The supervised worker loop runs a delivery thread: committed events go out unaided."""
    from synth.db.engine import session_factory
    from synth.events.models import EventType, WebhookSubscription
    from synth.events.service import emit
    from synth.events.signing import new_secret
    from synth.workflow.worker import start_in_background

    factory = session_factory(engine)
    with transaction(factory) as db:
        hook = WebhookSubscription(url=receiver.url, event_types=[], secret=new_secret())
        db.add(hook)
        db.flush()
        hook_id = hook.id
    background = start_in_background(engine, minilm(), poll_seconds=0.2)
    try:
        with transaction(factory) as db:
            event_id = emit(db, EventType.PERIOD_TRANSITIONED, period_id=uuid.uuid4())
        assert receiver.got_one.wait(20), "nothing was delivered"
        assert [e["id"] for e in receiver.accepted()] == [str(event_id)]
    finally:
        background.shutdown()
        with transaction(factory) as db:
            db.execute(delete(WebhookSubscription).where(WebhookSubscription.id == hook_id))
            db.execute(delete(Event).where(Event.id == event_id))


# --- the admin API ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["hr", "manager", "engineer", "service", "partner"])
def test_only_admins_manage_webhooks_or_read_events(
    client: TestClient, org: f.Org, who: str
) -> None:
    headers = org.auth(who)
    body = {"url": "http://127.0.0.1:9/hooks"}
    assert client.post("/v1/webhooks", json=body, headers=headers).status_code == 403
    assert client.get("/v1/webhooks", headers=headers).status_code == 403
    assert client.get("/v1/events", headers=headers).status_code == 403


def test_the_secret_is_shown_once(client: TestClient, org: f.Org) -> None:
    admin = {**org.auth("admin"), "Idempotency-Key": f.uid()}
    body = {"url": "https://hooks.example.test/synth", "event_types": ["draft.ready"]}
    first = client.post("/v1/webhooks", json=body, headers=admin)
    assert first.status_code == 201 and first.json()["secret"].startswith("whsec_")
    again = client.post("/v1/webhooks", json=body, headers=admin)
    assert again.status_code == 409  # the replay would have to show the secret again
    hook_id = first.json()["id"]
    read = client.get(f"/v1/webhooks/{hook_id}", headers=org.auth("admin")).json()
    assert "secret" not in read and read["event_types"] == ["draft.ready"]
    listed = client.get("/v1/webhooks", headers=org.auth("admin")).json()["items"]
    assert all("secret" not in item for item in listed)
    rotated = client.post(f"/v1/webhooks/{hook_id}/rotate-secret", headers=org.auth("admin"))
    assert rotated.json()["secret"] not in (first.json()["secret"], "")
    audit = client.get(
        "/v1/audit-events", params={"entity_id": hook_id}, headers=org.auth("admin")
    ).json()["items"]
    secrets = (first.json()["secret"], rotated.json()["secret"])
    assert len(audit) == 2
    assert not any(secret in json.dumps(audit) for secret in secrets)
    assert all("secret" not in (e["after"] or {}) for e in audit)


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.test/x"},
        {"url": "not a url"},
        {"url": ""},
        {"url": "https://example.test/x", "event_types": ["draft.eaten"]},
        {"url": "https://example.test/x", "secret": "mine"},
        {"url": "https://example.test/" + "x" * 3000},
    ],
)
def test_bad_subscriptions_are_refused(client: TestClient, org: f.Org, body: Any) -> None:
    answer = client.post("/v1/webhooks", json=body, headers=org.auth("admin"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid_request"


def test_update_delete_and_replay_input(client: TestClient, org: f.Org) -> None:
    admin = org.auth("admin")
    hook = subscribe(client, org, "https://hooks.example.test/a")
    url = f"/v1/webhooks/{hook['id']}"
    changed = client.patch(url, json={"active": False, "event_types": []}, headers=admin)
    assert changed.status_code == 200 and changed.json()["active"] is False
    replay = f"{url}/replay"
    assert client.post(replay, json={}, headers=admin).status_code == 422
    both = {"since": utcnow().isoformat(), "delivery_ids": [str(uuid.uuid4())]}
    assert client.post(replay, json=both, headers=admin).status_code == 422
    naive = {"since": "2026-01-01T00:00:00"}
    assert client.post(replay, json=naive, headers=admin).status_code == 422
    assert client.delete(url, headers=admin).status_code == 204
    gone = client.get(url, headers=admin)
    assert gone.status_code == 404 and gone.json()["code"] == "webhook_not_found"
    assert client.delete(url, headers=admin).status_code == 404


def test_an_inactive_subscription_gets_nothing_new(
    client: TestClient, org: f.Org, db: Session, receiver: Receiver
) -> None:
    hook = subscribe(client, org, receiver.url)
    client.patch(f"/v1/webhooks/{hook['id']}", json={"active": False}, headers=org.auth("admin"))
    post_feedback(client, org, "He cut the build time in half by caching the toolchain.")
    assert db.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_starting_a_period_announces_the_locked_expectations(
    client: TestClient, db: Session
) -> None:
    from synth.cycles.models import ExpectationStatus, PeriodStatus

    o = f.org(db, status=PeriodStatus.PLANNING)
    first = f.expectation(db, o.engineer, o.period)
    first.status = ExpectationStatus.AGREED
    f.expectation(db, o.engineer, o.period, position=2)  # still proposed: not locked
    db.commit()
    answer = client.post(
        f"/v1/periods/{o.period.id}/transition",
        json={"status": "active", "force": True, "reason": "one engineer under test"},
        headers=o.auth("hr"),
    )
    assert answer.status_code == 200, answer.text
    by_type = {e.type.value: e.data for e in db.scalars(select(Event))}
    assert by_type["period.transitioned"]["previous"] == "planning"
    assert by_type["period.transitioned"]["status"] == "active"
    locked = by_type["expectations.locked"]
    assert locked["person_id"] == str(o.engineer.id)
    assert locked["expectation_ids"] == [str(first.id)]
