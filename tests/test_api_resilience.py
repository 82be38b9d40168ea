"""The API under pressure and at its edges: database failures answer 503 with Retry-After,
races answer 409, the operator decides which models see feedback, every response carries
its security headers, failed keys are throttled and no secret is kept for a replay.

Concurrency is real: the tests that race run `uvicorn` on 127.0.0.1 against a database
created for this module (the `client` fixture serialises everything on one connection).
"""

import asyncio
import socket
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from synth.api.app import create_app
from synth.api.deps import SessionDep
from synth.api.errors import UNIQUE_CODES
from synth.api.limits import FailedAuthThrottle
from synth.auth.models import ApiKey, Role
from synth.bootstrap import prepare
from synth.config import Settings, get_settings
from synth.cycles.models import PeerFeedback, ReviewPeriod
from synth.db.base import Base, load_all_models, utcnow
from synth.db.engine import make_engine
from synth.drafting.factory import get_drafter
from synth.errors import Conflict, InvalidInput
from synth.idempotency.models import IdempotencyRecord
from synth.idempotency.service import purge_expired
from synth.people.models import Function, Person, Track
from tests import factories as f

CLOSED_PORT_URL = "postgresql+psycopg://synth@127.0.0.1:1/synth"
PERIOD = {"kind": "half_year", "starts_on": "2027-01-01", "ends_on": "2027-06-30"}


def settings_with(monkeypatch: pytest.MonkeyPatch, **values: Any) -> Settings:
    """The process settings with `values` changed for this test only."""
    settings = get_settings()
    for name, value in values.items():
        monkeypatch.setattr(settings, name, value)
    return settings


# --- a database of this module's own, and a real server on it -------------------------------


@dataclass
class Fresh:
    """A migrated database made for this module, with a small organisation in it."""

    url: str
    name: str
    org: f.Org

    def engine(self) -> Engine:
        return make_engine(self.url)


@pytest.fixture(scope="module")
def fresh(engine: Engine) -> Iterator[Fresh]:
    name = f"synth_resilience_{uuid.uuid4().hex[:10]}"
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = engine.url.set(database=name).render_as_string(hide_password=False)
    seeding = make_engine(url)
    prepare(seeding)
    with Session(seeding, expire_on_commit=False) as db:
        org = f.org(db)
        db.commit()
    seeding.dispose()
    yield Fresh(url=url, name=name, org=org)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_engine(fresh: Fresh) -> Iterator[Engine]:
    engine = fresh.engine()
    yield engine
    engine.dispose()


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """`app` under uvicorn on a free 127.0.0.1 port, in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", backlog=1024))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    ready = threading.Event()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        ready.wait(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: httpx.Headers
    seconds: float


Call = tuple[str, str, dict[str, Any] | None, dict[str, str]]


def burst(base_url: str, calls: list[Call], timeout_s: float = 60.0) -> list[Answer]:
    """Send every call at once (one connection each) and collect the answers in order."""

    async def one(client: httpx.AsyncClient, call: Call) -> Answer:
        method, path, body, headers = call
        started = time.perf_counter()
        response = await client.request(method, path, json=body, headers=headers)
        return Answer(
            response.status_code,
            response.json(),
            response.headers,
            time.perf_counter() - started,
        )

    async def run() -> list[Answer]:
        limits = httpx.Limits(max_connections=len(calls), max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout_s) as c:
            return list(await asyncio.gather(*(one(c, call) for call in calls)))

    return asyncio.run(run())


def statuses(answers: list[Answer]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for answer in answers:
        counts[answer.status] = counts.get(answer.status, 0) + 1
    return counts


def p99(answers: list[Answer]) -> float:
    return statistics.quantiles([a.seconds for a in answers], n=100)[98]


# --- 1. the database down, busy or failing mid-request: 503 with Retry-After ------------------


def _terminate_own_backend(db: Session, _: f.Org) -> None:
    db.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))


def _statement_timeout(db: Session, _: f.Org) -> None:
    db.execute(text("SET LOCAL statement_timeout = '20ms'"))
    db.execute(text("SELECT pg_sleep(2)"))


def _person(email: str, **extra: Any) -> Person:
    return Person(
        email=email,
        name="Someone",
        function=Function.ENGINEERING,
        track=Track.IC,
        start_date=date(2024, 1, 2),
        **extra,
    )


def _duplicate_email(db: Session, org: f.Org) -> None:
    db.add(_person(org.engineer.email))
    db.flush()


def _duplicate_at_commit(db: Session, org: f.Org) -> None:
    db.add(_person(org.engineer.email))  # no flush: the clash surfaces when the request commits


def _duplicate_key_prefix(db: Session, _: f.Org) -> None:
    taken = db.scalar(select(ApiKey.prefix).limit(1))
    db.add(ApiKey(prefix=taken, secret_hash="x" * 64, role=Role.ADMIN, name="copy"))
    db.flush()


def _reference_to_nothing(db: Session, _: f.Org) -> None:
    db.add(_person(f"{uuid.uuid4()}@x.test", manager_id=uuid.uuid4()))
    db.flush()


def _delete_a_referenced_row(db: Session, org: f.Org) -> None:
    db.execute(text("DELETE FROM people WHERE id = :id"), {"id": org.manager.id})


def _null_where_required(db: Session, _: f.Org) -> None:
    db.execute(text("INSERT INTO people (id, email) VALUES (gen_random_uuid(), 'n@x.test')"))


DATABASE_FAILURES = [
    ("server closed the connection", _terminate_own_backend, 503, "database_unavailable"),
    ("statement timed out", _statement_timeout, 503, "overloaded"),
    ("duplicate with a service code", _duplicate_email, 409, "duplicate_person"),
    ("duplicate found at commit", _duplicate_at_commit, 409, "duplicate_person"),
    ("duplicate without one", _duplicate_key_prefix, 409, "duplicate"),
    ("reference to nothing", _reference_to_nothing, 422, "unknown_reference"),
    ("delete of a referenced row", _delete_a_referenced_row, 409, "conflict"),
    ("missing required value", _null_where_required, 422, "invalid_data"),
]


@pytest.mark.parametrize(
    ("case", "fail", "status", "code"), DATABASE_FAILURES, ids=[c[0] for c in DATABASE_FAILURES]
)
def test_a_database_failure_inside_a_request_is_never_a_500(
    fresh: Fresh,
    fresh_engine: Engine,
    case: str,
    fail: Callable[[Session, f.Org], None],
    status: int,
    code: str,
) -> None:
    app = create_app(fresh_engine)

    @app.post("/test/fail")
    def failing(db: SessionDep) -> None:
        fail(db, fresh.org)

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/test/fail")
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
        assert response.json()["message"]
        if status == 503:
            assert int(response.headers["Retry-After"]) >= 1
        after = client.get("/v1/people", headers=fresh.org.auth("hr"))
        assert after.status_code == 200, "the pool recovers on the next request"


def test_an_unreachable_database_answers_503_to_every_request_and_healthz() -> None:
    down = make_engine(CLOSED_PORT_URL)
    app = create_app(down)
    key = {"Authorization": "Bearer synth_abcdef012345_notarealsecret"}
    feedback = {"period_id": f.uid(), "subject_id": f.uid(), "relationship": "peer", "text": "x"}
    calls: list[Call] = [("GET", "/v1/people", None, key)] * 20
    calls += [("POST", "/v1/feedback", feedback, key)] * 20
    with served(app) as base_url:
        answers = burst(base_url, calls)
        health = httpx.get(f"{base_url}/healthz")
    assert statuses(answers) == {503: 40}
    assert {a.body["code"] for a in answers} == {"database_unavailable"}
    assert all(int(a.headers["Retry-After"]) >= 1 for a in answers)
    assert health.status_code == 503 and health.json() == {
        "status": "unavailable",
        "database": "down",
    }
    assert int(health.headers["Retry-After"]) >= 1
    down.dispose()


def test_an_exhausted_pool_answers_503_overloaded_not_a_time_out(
    fresh: Fresh, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_with(monkeypatch, db_pool_size=1, db_max_overflow=0, db_pool_timeout_s=0.2)
    engine = fresh.engine()
    app = create_app(engine)
    with TestClient(app, raise_server_exceptions=False) as client, engine.connect():
        response = client.get("/v1/people", headers=fresh.org.auth("hr"))
    assert response.status_code == 503 and response.json()["code"] == "overloaded"
    assert int(response.headers["Retry-After"]) >= 1
    engine.dispose()


def test_requests_past_the_concurrency_limit_get_503_at_once_and_healthz_still_answers(
    fresh: Fresh, fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_with(monkeypatch, max_concurrent_requests=1, request_queue_timeout_s=0)
    app = create_app(fresh_engine)
    entered, release = threading.Event(), threading.Event()

    @app.get("/test/hold")
    def hold() -> dict[str, str]:
        entered.set()
        release.wait(30)
        return {"held": "yes"}

    with served(app) as base_url:
        held: list[httpx.Response] = []
        holder = threading.Thread(target=lambda: held.append(httpx.get(f"{base_url}/test/hold")))
        holder.start()
        assert entered.wait(10)
        refused = httpx.get(f"{base_url}/v1/people", headers=fresh.org.auth("hr"))
        health = httpx.get(f"{base_url}/healthz")
        release.set()
        holder.join(10)
        after = httpx.get(f"{base_url}/v1/people", headers=fresh.org.auth("hr"))
    assert refused.status_code == 503 and refused.json()["code"] == "overloaded"
    assert int(refused.headers["Retry-After"]) >= 1
    assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok"}
    assert held[0].status_code == 200 and after.status_code == 200


# --- a connection never goes back to the pool changed ----------------------------------------


def _autocommit(conn: psycopg.Connection[Any]) -> None:
    conn.autocommit = True


def _serializable(conn: psycopg.Connection[Any]) -> None:
    conn.isolation_level = psycopg.IsolationLevel.SERIALIZABLE


def _read_only(conn: psycopg.Connection[Any]) -> None:
    conn.read_only = True


def _open_transaction(conn: psycopg.Connection[Any]) -> None:
    conn.autocommit = True
    conn.execute("BEGIN")
    conn.execute("SELECT 1")


POISONS = [
    ("autocommit", _autocommit),
    ("isolation level", _serializable),
    ("read only", _read_only),
    ("transaction left open in autocommit", _open_transaction),
]


@pytest.mark.parametrize(("case", "poison"), POISONS, ids=[p[0] for p in POISONS])
def test_a_connection_returned_changed_is_restored_before_the_next_request(
    fresh: Fresh,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    poison: Callable[[psycopg.Connection[Any]], None],
) -> None:
    settings_with(monkeypatch, db_pool_size=1, db_max_overflow=0)
    engine = fresh.engine()
    raw = engine.raw_connection()
    poison(raw.driver_connection)  # type: ignore[arg-type]
    raw.close()
    app = create_app(engine)
    email = f"rolled-back-{uuid.uuid4().hex[:8]}@example.test"

    @app.post("/test/insert-then-fail")
    def insert_then_fail(db: SessionDep) -> None:
        db.add(_person(email))
        db.flush()
        raise Conflict("refused after the insert", code="test_refused")

    hr = {**fresh.org.auth("hr"), "Idempotency-Key": uuid.uuid4().hex}
    with TestClient(app, raise_server_exceptions=False) as client:
        failed = client.post("/test/insert-then-fail")
        keyed = client.post("/v1/periods", json={**PERIOD, "name": f"P {uuid.uuid4()}"}, headers=hr)
    assert failed.status_code == 409
    assert keyed.status_code == 201, keyed.text  # a savepoint works: a transaction is open
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(Person.email == email)) == 0
        driver: Any = conn.connection.driver_connection
        assert (driver.autocommit, driver.isolation_level, driver.read_only) == (False, None, None)
    engine.dispose()


# --- 2. races on unique names: one 201, the rest 409 ----------------------------------------


RACES = [
    (
        "period name",
        "/v1/periods",
        lambda tag: {**PERIOD, "name": f"Race {tag}"},
        "duplicate_period",
    ),
    (
        "person email",
        "/v1/people",
        lambda tag: {
            "email": f"race.{tag}@example.test",
            "name": "Ray",
            "start_date": "2024-01-02",
        },
        "duplicate_person",
    ),
]


@pytest.mark.parametrize(("case", "path", "body", "code"), RACES, ids=[r[0] for r in RACES])
def test_twenty_concurrent_creates_of_one_name_give_one_201_and_nineteen_409(
    fresh: Fresh,
    fresh_engine: Engine,
    case: str,
    path: str,
    body: Callable[[str], dict[str, Any]],
    code: str,
) -> None:
    payload = body(uuid.uuid4().hex[:8])
    calls: list[Call] = [("POST", path, payload, fresh.org.auth("hr"))] * 20
    with served(create_app(fresh_engine)) as base_url:
        answers = burst(base_url, calls)
    assert statuses(answers) == {201: 1, 409: 19}, [a.body for a in answers if a.status != 201]
    assert {a.body["code"] for a in answers if a.status == 409} == {code}
    table = ReviewPeriod if path == "/v1/periods" else Person
    column = ReviewPeriod.name if table is ReviewPeriod else Person.email
    key = payload.get("name") if table is ReviewPeriod else payload["email"]
    with fresh_engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(column == key)) == 1


def test_ten_concurrent_retries_with_one_idempotency_key_create_once_and_replay(
    fresh: Fresh, fresh_engine: Engine
) -> None:
    payload = {**PERIOD, "name": f"Keyed {uuid.uuid4().hex[:8]}"}
    headers = {**fresh.org.auth("hr"), "Idempotency-Key": uuid.uuid4().hex}
    with served(create_app(fresh_engine)) as base_url:
        answers = burst(base_url, [("POST", "/v1/periods", payload, headers)] * 10)
    assert statuses(answers) == {201: 10}
    assert len({a.body["id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 9


def test_every_unique_constraint_with_a_service_code_exists() -> None:
    load_all_models()
    names = {c.name for t in Base.metadata.tables.values() for c in t.constraints}
    assert set(UNIQUE_CODES) <= names


# --- writes under pressure: 200 at once, and connections killed under writers --------------


def test_200_concurrent_feedback_posts_answer_201_or_503_and_each_201_is_stored_once(
    fresh: Fresh, fresh_engine: Engine
) -> None:
    org, run = fresh.org, uuid.uuid4().hex[:8]

    def body(i: int) -> dict[str, Any]:
        own = f.own_words(f"{run}-{i}")
        text_ = f"Run {run}, note {i}: her reviews caught a race in the ledger ({own})."
        return {
            "period_id": str(org.period.id),
            "subject_id": str(org.engineer.id),
            "relationship": "peer",
            "text": text_,
        }

    calls: list[Call] = [
        ("POST", "/v1/feedback", body(i), org.auth("teammate")) for i in range(200)
    ]
    warm_up: Call = ("POST", "/v1/feedback", {**body(0), "text": f"Warm-up {run}"}, calls[0][3])
    with served(create_app(fresh_engine)) as base_url:
        # One request first: the guards load their lexicons on first use, and 20 threads
        # doing that at once would measure a cold start, not the burst.
        assert burst(base_url, [warm_up])[0].status == 201
        started = time.perf_counter()
        answers = burst(base_url, calls, timeout_s=60)
        elapsed = time.perf_counter() - started
    counts = statuses(answers)
    print(
        f"\n200 concurrent feedback POSTs: {counts}, p99 {p99(answers) * 1000:.0f} ms, "
        f"{elapsed:.1f} s in all"
    )
    assert set(counts) <= {201, 503}, [a.body for a in answers if a.status not in (201, 503)]
    assert all(a.body["code"] == "overloaded" for a in answers if a.status == 503)
    created = [a.body["id"] for a in answers if a.status == 201]
    with fresh_engine.connect() as conn:
        stored = conn.execute(
            select(PeerFeedback.id, PeerFeedback.text).where(PeerFeedback.text.like(f"Run {run},%"))
        ).all()
    assert sorted(str(row.id) for row in stored) == sorted(created)
    assert len({row.text for row in stored}) == len(stored)


KILL_ROUNDS = 40


def test_writers_retrying_with_idempotency_keys_store_everything_once_while_connections_die(
    fresh: Fresh, fresh_engine: Engine, engine: Engine
) -> None:
    org, run = fresh.org, uuid.uuid4().hex[:8]
    writers, per_writer = 4, 12
    seen: list[int] = []
    ids: dict[str, set[str]] = {}
    kills: list[int] = []
    done = threading.Event()
    lock = threading.Lock()

    def killer() -> None:
        # Forty rounds of killing every connection to the database, then quiet: writers
        # must come through the storm by retrying, and finish once it is over.
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as admin:
            for _ in range(KILL_ROUNDS):
                if done.wait(0.05):
                    return
                killed = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (fresh.name,),
                ).fetchone()
                with lock:
                    kills.append(killed[0] if killed else 0)

    def writer(base_url: str, w: int) -> None:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            for i in range(per_writer):
                own = f.own_words(f"{run}-{w}-{i}")
                note = f"Run {run}, writer {w}, note {i}: the launch plan was clear ({own})."
                body = {
                    "period_id": str(org.period.id),
                    "subject_id": str(org.engineer.id),
                    "relationship": "peer",
                    "text": note,
                }
                headers = {**org.auth("teammate"), "Idempotency-Key": f"{run}-{w}-{i}"}
                for _ in range(500):
                    response = client.post("/v1/feedback", json=body, headers=headers)
                    with lock:
                        seen.append(response.status_code)
                    if response.status_code != 503:
                        break
                assert response.status_code == 201, response.text
                with lock:
                    ids.setdefault(note, set()).add(response.json()["id"])

    with served(create_app(fresh_engine)) as base_url:
        chaos = threading.Thread(target=killer)
        chaos.start()
        threads = [threading.Thread(target=writer, args=(base_url, w)) for w in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        done.set()
        chaos.join(10)
    print(f"\n{writers} writers, {sum(kills)} connections killed: {statuses_of(seen)}")
    assert set(seen) <= {201, 503}
    assert len(ids) == writers * per_writer and all(len(v) == 1 for v in ids.values())
    with fresh_engine.connect() as conn:
        stored = conn.scalar(
            select(func.count()).where(PeerFeedback.text.like(f"Run {run}, writer %"))
        )
    assert stored == writers * per_writer


def statuses_of(codes: list[int]) -> dict[int, int]:
    return {code: codes.count(code) for code in sorted(set(codes))}


# --- 3. the operator decides which models may see feedback ----------------------------------


MODEL_CASES = [
    ("offline only: a hosted model", {}, "ollama/llama3", 422, "model_not_allowed"),
    ("offline only: offline", {}, "offline", 202, None),
    ("allowed list", {"allowed_models": ["openai/gpt-4o-mini"]}, "openai/gpt-4o-mini", 202, None),
    (
        "not on the list",
        {"allowed_models": ["openai/gpt-4o-mini"]},
        "anthropic/claude-3-5-haiku-20241022",
        422,
        "model_not_allowed",
    ),
    ("SYNTH_MODEL is allowed", {"model": "openai/gpt-4o-mini"}, "openai/gpt-4o-mini", 202, None),
    (
        "fallbacks are allowed",
        {"fallback_models": ["anthropic/claude-3-5-haiku-20241022"]},
        "anthropic/claude-3-5-haiku-20241022",
        202,
        None,
    ),
    ("allowed but unknown", {"allowed_models": ["nope/x"]}, "nope/x", 422, "unknown_model"),
]


@pytest.mark.parametrize(
    ("case", "settings", "model", "status", "code"), MODEL_CASES, ids=[m[0] for m in MODEL_CASES]
)
def test_a_draft_may_name_only_a_model_the_operator_allows(
    client: TestClient,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    settings: dict[str, Any],
    model: str,
    status: int,
    code: str | None,
) -> None:
    settings_with(monkeypatch, **settings)
    org = f.org(db)
    body = {
        "kind": "synthesis",
        "subject_id": str(org.engineer.id),
        "period_id": str(org.period.id),
        "model": model,
    }
    response = client.post("/v1/drafts", json=body, headers=org.auth("manager"))
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code
    if code == "model_not_allowed":
        assert "offline" in response.json()["details"]["allowed"]
        assert "offline" in response.json()["message"]


def test_a_draft_queued_for_a_model_no_longer_allowed_is_not_drafted_by_it() -> None:
    with pytest.raises(InvalidInput) as refused:
        get_drafter("ollama/llama3")
    assert refused.value.code == "model_not_allowed"


# --- 4. health, headers, CORS and failed-key throttling -------------------------------------


def test_healthz_reports_the_database_and_merges_the_workers_report(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    client.app.state.worker_health = lambda: {"running": True, "restarts": 0}  # type: ignore[attr-defined]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "worker": {"running": True, "restarts": 0},
    }


UNAUTHORIZED = [
    ("missing", {}, "missing_api_key", 'Bearer realm="synth"'),
    ("other scheme", {"Authorization": "Basic abc"}, "invalid_api_key", "Bearer"),
    ("malformed", {"Authorization": "Bearer nope"}, "invalid_api_key", "Bearer"),
    ("unknown", {"Authorization": "Bearer synth_abc_def"}, "invalid_api_key", "Bearer"),
]


@pytest.mark.parametrize(
    ("case", "headers", "code", "challenge"), UNAUTHORIZED, ids=[u[0] for u in UNAUTHORIZED]
)
def test_every_401_names_the_bearer_scheme(
    client: TestClient, case: str, headers: dict[str, str], code: str, challenge: str
) -> None:
    response = client.get("/v1/people", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == code
    assert response.headers["WWW-Authenticate"].startswith(challenge)


def _boom(app: FastAPI) -> None:
    @app.get("/v1/test/boom")
    def boom() -> None:
        raise RuntimeError("a bug")


HEADER_CASES = [
    ("200 from the API", "GET", "/v1/people", "hr", None, 200),
    ("401", "GET", "/v1/people", None, None, 401),
    ("404", "GET", "/v1/no-such-thing", "hr", None, 404),
    ("413", "POST", "/v1/people", "hr", b"x" * 2_000_001, 413),
    ("500", "GET", "/v1/test/boom", None, None, 500),
    ("healthz", "GET", "/healthz", None, None, 200),
]


@pytest.mark.parametrize(
    ("case", "method", "path", "who", "content", "status"),
    HEADER_CASES,
    ids=[h[0] for h in HEADER_CASES],
)
def test_every_response_carries_the_security_headers(
    client: TestClient,
    db: Session,
    case: str,
    method: str,
    path: str,
    who: str | None,
    content: bytes | None,
    status: int,
) -> None:
    _boom(client.app)  # type: ignore[arg-type]
    headers = f.bearer(db, Role.HR) if who else {}
    response = client.request(method, path, headers=headers, content=content)
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    if path.startswith("/v1"):
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("origins", "origin", "allowed"),
    [
        ([], "https://app.example", False),
        (["https://app.example"], "https://app.example", True),
        (["https://app.example"], "https://evil.example", False),
    ],
    ids=["no CORS by default", "a configured origin", "another origin"],
)
def test_cors_answers_only_configured_origins(
    engine: Engine,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    origins: list[str],
    origin: str,
    allowed: bool,
) -> None:
    settings_with(monkeypatch, cors_origins=origins)
    app = create_app(engine)
    app.state.session_factory = sessions
    preflight = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,idempotency-key",
    }
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.options("/v1/people", headers=preflight)
        simple = client.get("/healthz", headers={"Origin": origin})
    assert (response.headers.get("Access-Control-Allow-Origin") == origin) is allowed
    assert ("access-control-allow-origin" in simple.headers) is allowed


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_failed_keys_are_throttled_per_address_and_good_keys_never_count(
    client: TestClient, db: Session
) -> None:
    clock = Clock()
    app: Any = client.app
    app.state.auth_throttle = FailedAuthThrottle(limit=10, window_s=60, clock=clock)
    good = f.bearer(db, Role.HR)
    bad = {"Authorization": "Bearer synth_abc_wrong"}
    for _ in range(30):  # successes take nothing from the bucket
        assert client.get("/v1/people", headers=good).status_code == 200
    assert [client.get("/v1/people", headers=bad).status_code for _ in range(10)] == [401] * 10
    throttled = client.get("/v1/people", headers=bad)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "too_many_failed_attempts"
    assert throttled.headers["Retry-After"] == "6"
    # While throttled, even a good key from that address waits: a guess is not told apart.
    assert client.get("/v1/people", headers=good).status_code == 429
    elsewhere = TestClient(app, raise_server_exceptions=False, client=("10.0.0.9", 5000))
    assert elsewhere.get("/v1/people", headers=good).status_code == 200
    clock.now += 6
    assert client.get("/v1/people", headers=good).status_code == 200
    assert client.get("/v1/people", headers=bad).status_code == 401
    assert client.get("/v1/people", headers=bad).status_code == 429


# --- 5. secrets are never stored for a replay; records expire -------------------------------


def test_a_keyed_key_creation_stores_no_key_material_and_refuses_to_replay(
    client: TestClient, db: Session
) -> None:
    headers = {**f.bearer(db, Role.ADMIN), "Idempotency-Key": "make-a-key"}
    created = client.post("/v1/keys", json={"role": "hr", "name": "ci"}, headers=headers)
    assert created.status_code == 201
    token = created.json()["token"]
    secret = token.split("_", 2)[2]
    stored = db.execute(text("SELECT body::text, request_hash FROM idempotency_records")).all()
    assert stored and not any(secret in row.body or token in row.body for row in stored)
    again = client.post("/v1/keys", json={"role": "hr", "name": "ci"}, headers=headers)
    assert again.status_code == 409
    assert again.json()["code"] == "idempotency_replay_unavailable"
    assert again.json()["details"]["id"] == created.json()["id"]
    assert "token" not in again.json()["details"]
    assert db.scalar(select(func.count()).where(ApiKey.name == "ci")) == 1


def test_an_expired_idempotency_key_is_new_again(client: TestClient, db: Session) -> None:
    headers = {**f.bearer(db, Role.HR), "Idempotency-Key": "period-once"}
    first = client.post("/v1/periods", json={**PERIOD, "name": "H1 expiry"}, headers=headers)
    replay = client.post("/v1/periods", json={**PERIOD, "name": "H1 expiry"}, headers=headers)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["id"] == first.json()["id"]
    ttl = timedelta(hours=get_settings().idempotency_ttl_hours)
    db.execute(update(IdempotencyRecord).values(created_at=utcnow() - ttl - timedelta(minutes=1)))
    fresh_use = client.post("/v1/periods", json={**PERIOD, "name": "H2 expiry"}, headers=headers)
    assert fresh_use.status_code == 201 and "Idempotent-Replayed" not in fresh_use.headers
    assert fresh_use.json()["id"] != first.json()["id"]


def test_purge_expired_deletes_only_expired_records(client: TestClient, db: Session) -> None:
    headers = f.bearer(db, Role.HR)
    for n in range(3):
        keyed = {**headers, "Idempotency-Key": f"purge-{n}"}
        client.post("/v1/periods", json={**PERIOD, "name": f"Purge {n}"}, headers=keyed)
    ttl = timedelta(hours=get_settings().idempotency_ttl_hours)
    db.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.key.in_(["purge-0", "purge-1"]))
        .values(created_at=utcnow() - ttl - timedelta(seconds=1))
    )
    assert purge_expired(db) == 2
    assert list(db.scalars(select(IdempotencyRecord.key))) == ["purge-2"]


def test_keyed_writes_purge_expired_records_now_and_then(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("synth.idempotency.service.PURGE_EVERY", 1)
    headers = f.bearer(db, Role.HR)
    old = {**headers, "Idempotency-Key": "old"}
    client.post("/v1/periods", json={**PERIOD, "name": "Old"}, headers=old)
    ttl = timedelta(hours=get_settings().idempotency_ttl_hours)
    db.execute(update(IdempotencyRecord).values(created_at=utcnow() - ttl - timedelta(hours=1)))
    new = {**headers, "Idempotency-Key": "new"}
    assert (
        client.post("/v1/periods", json={**PERIOD, "name": "New"}, headers=new).status_code == 201
    )
    assert list(db.scalars(select(IdempotencyRecord.key))) == ["new"]
