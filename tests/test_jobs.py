"""Drafting and embedding jobs under faults: fenced claims, bounded attempts, dead letters, a
supervised worker, and one bad statement that cannot stall the embedding queue."""

import logging
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.db.base import utcnow
from synth.db.engine import make_engine, transaction
from synth.drafting import service
from synth.drafting.base import Drafted
from synth.drafting.inputs import SynthesisInputs
from synth.drafting.models import Draft, DraftStatus
from synth.drafting.outputs import Synthesis
from synth.drafting.schemas import DraftRequest
from synth.themes.ingest import ingest
from synth.themes.models import IngestFailure, Statement
from synth.workflow.jobs import generate_all, generate_one
from synth.workflow.worker import Health, drain_drafts, run
from tests import databases
from tests import factories as f
from tests.drafters import CountingDrafter
from tests.embedders import minilm


@pytest.fixture
def org(db: Session, sessions: sessionmaker[Session]) -> f.Org:
    o = f.reviewed(db, f.org(db), f.PRAISE)
    ingest(sessions, minilm())
    return o


def manager(o: f.Org) -> Principal:
    return Principal(role=Role.MANAGER, person_id=o.manager.id)


class Raising(CountingDrafter):
    """A drafter with a bug: every synthesis raises something that is not a SynthError."""

    name = "raising-test-model"

    def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
        self.calls += 1
        raise RuntimeError("boom in the drafter")


def test_a_late_worker_never_overwrites_a_draft_a_manager_already_approved(
    client: TestClient, org: f.Org, db: Session, sessions: sessionmaker[Session]
) -> None:
    draft_id = f.queued_synthesis(client, org)
    fast = CountingDrafter()

    class Slow(CountingDrafter):
        """Outlives its lease: meanwhile another worker drafts and the manager approves."""

        name = fast.name

        def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
            with transaction(sessions) as tx:
                stale = tx.get(Draft, draft_id)
                assert stale is not None and stale.attempts == 1
                stale.leased_until = utcnow() - timedelta(seconds=1)  # the lease ran out
            assert generate_one(sessions, fast, minilm())  # another worker takes it over
            with transaction(sessions) as tx:
                service.approve(db_session=tx, principal=manager(org), draft_id=stale.id)
            late = super().synthesis(inputs)
            return late.__class__(
                output=late.output.model_copy(update={"overview": "THE LATE WORKER'S TEXT"}),
                model=late.model,
                prompt_version=late.prompt_version,
            )

    assert generate_one(sessions, Slow(), minilm())
    draft = db.get(Draft, draft_id)
    assert draft is not None
    db.refresh(draft)
    assert draft.status is DraftStatus.APPROVED and draft.attempts == 2
    assert draft.output is not None and "LATE WORKER" not in draft.output["overview"]


def test_a_drafter_that_raises_is_retried_with_backoff_then_failed_and_the_worker_goes_on(
    client: TestClient, org: f.Org, db: Session, sessions: sessionmaker[Session]
) -> None:
    draft_id = f.queued_synthesis(client, org)
    drafter = Raising()
    for attempt in range(1, service.MAX_ATTEMPTS + 1):
        assert generate_all(sessions, drafter, minilm()) == 1  # the worker never dies
        draft = db.get(Draft, draft_id)
        assert draft is not None
        db.refresh(draft)
        assert draft.attempts == attempt and draft.error_code == "drafting_error"
        assert draft.error is not None and "RuntimeError: boom in the drafter" in draft.error
        if attempt < service.MAX_ATTEMPTS:
            assert draft.status is DraftStatus.QUEUED
            assert draft.leased_until is not None and draft.leased_until > utcnow()  # backoff
            assert generate_all(sessions, drafter, minilm()) == 0  # not before the backoff
            with transaction(sessions) as tx:
                waiting = tx.get(Draft, draft_id)
                assert waiting is not None
                waiting.leased_until = utcnow() - timedelta(seconds=1)
    final = db.get(Draft, draft_id)
    assert final is not None
    assert final.status is DraftStatus.FAILED and drafter.calls == service.MAX_ATTEMPTS
    # A manager's retry starts the count again, and the fence keeps going up.
    with transaction(sessions) as tx:
        service.retry(db_session=tx, principal=manager(org), draft_id=final.id)
    assert generate_all(sessions, CountingDrafter(), minilm()) == 1
    db.refresh(final)
    assert final.attempts == service.MAX_ATTEMPTS + 1
    assert str(final.status) == DraftStatus.READY_FOR_REVIEW.value


class Interrupted(CountingDrafter):
    """The process is told to stop while the model call is running."""

    def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
        raise SystemExit(143)


def test_a_stopping_worker_hands_its_draft_back_without_using_an_attempt(
    client: TestClient, org: f.Org, db: Session, sessions: sessionmaker[Session]
) -> None:
    draft_id = f.queued_synthesis(client, org)
    with pytest.raises(SystemExit):
        generate_all(sessions, Interrupted(), minilm())
    draft = db.get(Draft, draft_id)
    assert draft is not None
    db.refresh(draft)
    assert draft.status is DraftStatus.QUEUED and draft.leased_until is None
    assert service.attempts_left(draft) == service.MAX_ATTEMPTS  # the stop was not its fault
    assert generate_all(sessions, CountingDrafter(), minilm()) == 1  # taken at once, no wait
    db.refresh(draft)
    assert str(draft.status) == DraftStatus.READY_FOR_REVIEW.value and draft.attempts == 2


def test_a_stop_finishes_the_draft_in_hand_and_claims_no_other(
    client: TestClient, org: f.Org, db: Session, sessions: sessionmaker[Session]
) -> None:
    first = f.queued_synthesis(client, org)
    stop = threading.Event()

    class StopsMidway(CountingDrafter):
        def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
            stop.set()  # SIGTERM arrives while the model is answering
            return super().synthesis(inputs)

    with transaction(sessions) as tx:  # a second draft waits in the queue
        second, _ = service.request(
            db_session=tx,
            principal=manager(org),
            data=DraftRequest(
                kind="expectations", subject_id=org.engineer.id, period_id=org.period.id
            ),
            drafter="offline",
        )
        second_id = second.id
    assert generate_all(sessions, StopsMidway(), minilm(), stop=stop) == 1
    done, waiting = db.get(Draft, uuid.UUID(first)), db.get(Draft, second_id)
    assert done is not None and waiting is not None
    db.refresh(done)
    db.refresh(waiting)
    assert done.status is DraftStatus.READY_FOR_REVIEW
    assert waiting.status is DraftStatus.QUEUED and waiting.attempts == 0


def test_a_draft_no_worker_finishes_is_dead_lettered_after_the_attempt_limit(
    client: TestClient, org: f.Org, db: Session, sessions: sessionmaker[Session]
) -> None:
    draft_id = f.queued_synthesis(client, org)
    with transaction(sessions) as tx:
        draft = tx.get(Draft, draft_id)
        assert draft is not None
        draft.status = DraftStatus.GENERATING
        draft.attempts = service.MAX_ATTEMPTS
        draft.leased_until = utcnow() - timedelta(minutes=1)  # its last worker died
    assert generate_all(sessions, CountingDrafter(), minilm()) == 0
    draft = db.get(Draft, draft_id)
    assert draft is not None
    db.refresh(draft)
    assert draft.status is DraftStatus.FAILED and draft.error_code == "attempts_exhausted"


def test_only_the_current_claim_renews_its_lease(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session]
) -> None:
    f.queued_synthesis(client, org)
    with transaction(sessions) as tx:
        claimed = service.claim_next(tx)
        assert claimed is not None
        draft_id, fence = claimed.id, claimed.attempts
    with transaction(sessions) as tx:
        assert service.renew_lease(tx, draft_id, fence)
        assert not service.renew_lease(tx, draft_id, fence - 1)


class Poisoned:
    """MiniLM, except for statements holding "POISON", which make any batch fail."""

    def __init__(self) -> None:
        self.inner = minilm()
        self.name, self.dim, self.local = self.inner.name, self.inner.dim, True

    def embed(self, texts: Any) -> npt.NDArray[np.float32]:
        if any("POISON" in t for t in texts):
            raise RuntimeError("tokenizer crashed")
        return self.inner.embed(texts)


def test_one_bad_statement_cannot_stall_the_embedding_queue(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    o = f.org(db)
    f.feedback(db, o.pm, o.engineer, o.period, "POISON at the head of the queue.")
    db.commit()  # stored first, so it is claimed first
    for i in range(5):
        f.feedback(db, o.teammate, o.engineer, o.period, f"Careful code review number {i}.")
    db.commit()
    report = ingest(sessions, Poisoned(), batch_size=4)
    assert report.embedded >= 5 and len(report.skipped) == 1 and report.pending == 1
    bad = db.get(Statement, report.skipped[0])
    assert bad is not None and "POISON" in bad.text
    failure = db.scalar(select(IngestFailure).order_by(IngestFailure.created_at.desc()))
    assert failure is not None and "RuntimeError: tokenizer crashed" in failure.error


def test_an_embedder_that_raises_anything_is_recorded_not_fatal(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    o = f.org(db)
    f.feedback(db, o.teammate, o.engineer, o.period, "POISON everywhere.")
    f.feedback(db, o.pm, o.engineer, o.period, "POISON again.")
    db.commit()
    report = ingest(sessions, Poisoned())
    assert report.error == "RuntimeError: tokenizer crashed" and report.skipped == []
    assert report.pending == 2


def test_the_worker_survives_a_database_that_is_away_and_reports_it() -> None:
    engine = make_engine("postgresql+psycopg://synth@127.0.0.1:1/synth")  # nothing listens
    stop, health = threading.Event(), Health()
    thread = threading.Thread(
        target=run,
        args=(engine, minilm()),
        kwargs={"stop": stop, "health": health, "poll_seconds": 0.05},
        daemon=True,
    )
    thread.start()
    health.wait_for(lambda now: now["restarts"] >= 2, timeout=20)
    snapshot = health.snapshot()
    assert thread.is_alive() and snapshot["running"] and snapshot["restarts"] >= 2
    assert snapshot["last_error"] and "OperationalError" in snapshot["last_error"]
    stop.set()
    thread.join(10)
    assert not thread.is_alive() and not health.snapshot()["running"]
    engine.dispose()


@pytest.fixture
def own_database(engine: Engine) -> Iterator[Engine]:
    with databases.own_database(engine, "synth_jobs") as own:
        yield own


def test_concurrent_drafting_finishes_every_draft_exactly_once(own_database: Engine) -> None:
    factory = sessionmaker(bind=own_database, expire_on_commit=False)
    with transaction(factory) as db:
        o = f.org(db)
        subjects = [f.person(db, f"Engineer {i}", manager=o.manager) for i in range(8)]
        for subject in subjects:
            for who in (o.teammate, o.partner, o.pm):
                f.feedback(db, who, subject, o.period, f.PRAISE[0][1] + f" ({who.name})")
        for subject in subjects:
            service.request(
                db_session=db,
                principal=manager(o),
                data=DraftRequest(kind="synthesis", subject_id=subject.id, period_id=o.period.id),
                drafter="counting-test-model",
            )
    ingest(factory, minilm())
    drafter = CountingDrafter()
    assert drain_drafts(factory, drafter, minilm(), concurrency=4) == len(subjects)
    with transaction(factory) as db:
        drafts = db.scalars(select(Draft)).all()
        assert len(drafts) == len(subjects) and drafter.calls == len(subjects)
        assert all(d.status is DraftStatus.READY_FOR_REVIEW and d.attempts == 1 for d in drafts)


def test_a_shutdown_that_cannot_wait_hands_the_draft_in_progress_back(
    own_database: Engine,
) -> None:
    """`synth serve` waits a few seconds for its in-process worker; a model call still running
    then does not keep the draft under its lease: it is queued again, attempt not counted,
    and the late result is discarded."""
    from synth.workflow.worker import start_in_background

    entered, answer = threading.Event(), threading.Event()

    class Slow(CountingDrafter):
        name = "slow-test-model"

        def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
            entered.set()
            answer.wait(30)
            return super().synthesis(inputs)

    factory = sessionmaker(bind=own_database, expire_on_commit=False)
    with transaction(factory) as db:
        o = f.reviewed(db, f.org(db), f.PRAISE)
        draft, _ = service.request(
            db_session=db,
            principal=manager(o),
            data=DraftRequest(kind="synthesis", subject_id=o.engineer.id, period_id=o.period.id),
            drafter=Slow.name,
        )
        draft_id = draft.id
    background = start_in_background(own_database, minilm(), Slow(), poll_seconds=0.2)
    try:
        assert entered.wait(60), "the worker never started the draft"
        background.shutdown(timeout=0.5)
        with transaction(factory) as db:
            handed_back = db.get(Draft, draft_id)
            assert handed_back is not None
            assert handed_back.status is DraftStatus.QUEUED and handed_back.leased_until is None
            assert service.attempts_left(handed_back) == service.MAX_ATTEMPTS
    finally:
        answer.set()
        background.thread.join(30)
    with transaction(factory) as db:
        late = db.get(Draft, draft_id)
        assert late is not None and late.status is DraftStatus.QUEUED and late.output is None


def test_each_finished_job_logs_where_its_time_went(
    client: TestClient,
    org: f.Org,
    caplog: pytest.LogCaptureFixture,
    sessions: sessionmaker[Session],
) -> None:
    draft_id = f.queued_synthesis(client, org)
    with caplog.at_level(logging.DEBUG, logger="synth.drafting"):
        assert generate_one(sessions, CountingDrafter(), minilm())
    (done,) = [r for r in caplog.records if hasattr(r, "stages_ms")]
    stages = done.stages_ms
    assert list(stages) == ["claim", "inputs", "model", "guards_and_store"]
    assert all(ms >= 0 for ms in stages.values()) and str(draft_id) in done.getMessage()
