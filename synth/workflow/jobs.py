"""Draft generation as a worker job: claim a queued draft, gather inputs, reuse or draft, store.

Identical inputs + prompt version + model reuse a stored draft with zero model calls. Every
guard runs on what is stored (fresh or reused) and its report is kept on the draft. A
drafter failure marks the draft failed with its reason (retryable); not enough feedback is a
clear, final result rather than an empty draft.

Every claim is fenced: the worker holds claim number `attempts` and may write the outcome
only while that claim is still current, so a worker that outlives its lease (or was presumed
dead) finds the draft taken over or already reviewed, and its result is discarded, never
written over a manager's approval. A heartbeat renews the lease while the model is called.
Any other exception fails that job, never the worker: it is queued again after a backoff
while attempts are left, and failed with the reason once they are not. The claim itself, its
lease and fence are the draft's rules (synth.drafting.service: `claim_next`, `holds`,
`renew_lease`); this module runs the job around them.
"""

import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from synth.audit.service import record, snapshot
from synth.auth.principal import Principal
from synth.cycles.models import ReviewPeriod
from synth.db.base import utcnow
from synth.db.engine import transaction
from synth.drafting import gather
from synth.drafting.base import Drafted, Drafter, NotEnoughFeedback, Usage
from synth.drafting.gate import coverage, guarding
from synth.drafting.inputs import (
    ChecklistInputs,
    DraftInputs,
    ExpectationInputs,
    SynthesisInputs,
    inputs_hash,
)
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.drafting.outputs import Synthesis
from synth.drafting.service import (
    LEASE,
    announce,
    attempts_left,
    claim_next,
    holds,
    renew_lease,
)
from synth.errors import SynthError
from synth.people.models import Person
from synth.talent.models import TalentAssessment
from synth.themes.embedders import Embedder

log = logging.getLogger("synth.drafting")
WORKER = Principal.system()
DONE = (
    DraftStatus.READY_FOR_REVIEW,
    DraftStatus.APPROVED,
    DraftStatus.RELEASED,
    DraftStatus.REJECTED,
)


def _inputs(db: Session, draft: Draft, embedder: Embedder) -> DraftInputs:
    subject = db.get(Person, draft.subject_id)
    period = db.get(ReviewPeriod, draft.period_id)
    assert subject is not None and period is not None
    if draft.kind is DraftKind.SYNTHESIS:
        return gather.synthesis_inputs(db, subject, period, embedder)
    if draft.kind is DraftKind.EXPECTATIONS:
        return gather.expectation_inputs(
            db, subject, period, embedder, gather.options_of(draft.options)
        )
    assessment = db.get(TalentAssessment, draft.assessment_id)
    assert assessment is not None
    return gather.checklist_inputs(db, subject, period, assessment, embedder)


def _call(drafter: Drafter, kind: DraftKind, inputs: DraftInputs) -> Drafted[Any]:
    if kind is DraftKind.SYNTHESIS:
        assert isinstance(inputs, SynthesisInputs)
        return drafter.synthesis(inputs)
    if kind is DraftKind.EXPECTATIONS:
        assert isinstance(inputs, ExpectationInputs)
        return drafter.expectations(inputs)
    assert isinstance(inputs, ChecklistInputs)
    return drafter.checklist(inputs)


BACKOFF = timedelta(seconds=30)  # doubled after every failed attempt


class LeaseLost(Exception):
    """The claim was taken over or the draft finished elsewhere: this result is discarded."""


class Laps:
    """Where a job's time went, stage by stage, in milliseconds (logged at DEBUG as
    `stages_ms`, so an operator can see whether the model, the inputs or the guards are slow)."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}
        self._at = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.ms[stage] = round((now - self._at) * 1000, 1)
        self._at = now

    @property
    def total_ms(self) -> float:
        return sum(self.ms.values())


def _finish(
    db: Session,
    draft_id: uuid.UUID,
    fence: int,
    *,
    guard: tuple[DraftInputs, Embedder] | None = None,
    **changes: Any,
) -> Draft:
    """Store the outcome, audited, if claim `fence` is still current (else `LeaseLost`); with
    `guard` (the inputs and embedder), run every guard on it first, so the audit's
    after-image holds the report."""
    draft = db.get(Draft, draft_id, with_for_update=True)
    assert draft is not None
    if not holds(draft, fence):
        raise LeaseLost(f"draft {draft_id} is {draft.status.value} at attempt {draft.attempts}")
    before = snapshot(draft)
    for name, value in changes.items():
        setattr(draft, name, value)
    if guard is not None:
        inputs, embedder = guard
        report = guarding.check(db, draft, embedder, inputs=inputs)
        draft.guard_report = report.model_dump(mode="json")
    draft.leased_until = None
    record(db, principal=WORKER, action=f"draft.{draft.status.value}", entity=draft, before=before)
    announce(db, draft)
    return draft


def _ready(
    db: Session,
    draft_id: uuid.UUID,
    fence: int,
    inputs: DraftInputs,
    embedder: Embedder,
    **changes: Any,
) -> Draft:
    """A drafted (or reused) output, stored for review with its inputs and guard report."""
    return _finish(
        db,
        draft_id,
        fence,
        guard=(inputs, embedder),
        status=DraftStatus.READY_FOR_REVIEW,
        inputs=inputs.model_dump(mode="json"),
        **changes,
    )


@contextmanager
def heartbeat(
    factory: sessionmaker[Session], draft_id: uuid.UUID, fence: int
) -> Iterator[threading.Event]:
    """Renew the lease every third of it while the body runs; the yielded event is set once
    the lease is lost (the result will then be discarded by the fence)."""
    done, lost = threading.Event(), threading.Event()

    def beat() -> None:
        while not done.wait(LEASE.total_seconds() / 3):
            try:
                with transaction(factory) as db:
                    if not renew_lease(db, draft_id, fence):
                        lost.set()
                        return
            except Exception:  # the database is away: try again at the next beat
                log.warning("could not renew the lease of draft %s", draft_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"lease-{draft_id}", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        done.set()
        thread.join()


def _fail(
    factory: sessionmaker[Session], draft_id: uuid.UUID, fence: int, code: str, message: str
) -> None:
    """Fail the draft for good with its reason (a manager can retry it)."""
    with transaction(factory) as db:
        _finish(db, draft_id, fence, status=DraftStatus.FAILED, error_code=code, error=message)


def _failed(
    factory: sessionmaker[Session], draft_id: uuid.UUID, fence: int, exc: BaseException
) -> None:
    """An unexpected error in a job: queue the draft again after a backoff while attempts are
    left, else fail it with the reason (a manager can retry it)."""
    reason = f"{type(exc).__name__}: {exc}"[:2000]
    with transaction(factory) as db:
        draft = db.get(Draft, draft_id, with_for_update=True)
        assert draft is not None
        if not holds(draft, fence):
            return
        left = attempts_left(draft)
    if left > 0:
        wait = BACKOFF * 2 ** max(0, 2 - left)
        log.warning("draft %s attempt %s failed, again in %s: %s", draft_id, fence, wait, reason)
        with transaction(factory) as db:
            _finish(
                db,
                draft_id,
                fence,
                status=DraftStatus.QUEUED,
                error_code="drafting_error",
                error=reason,
            )
            requeued = db.get(Draft, draft_id)
            assert requeued is not None
            requeued.leased_until = utcnow() + wait  # not before
        return
    log.error("draft %s failed for good after attempt %s: %s", draft_id, fence, reason)
    _fail(factory, draft_id, fence, "drafting_error", reason)


def generate_one(
    factory: sessionmaker[Session],
    drafter: Drafter,
    embedder: Embedder,
    resolve: Callable[[str], Drafter] | None = None,
) -> bool:
    """Generate the next queued draft; False when the queue is empty.

    `drafter` serves drafts requested for its model; with `resolve`, a draft that asked for
    another model gets that model's drafter.
    """
    laps = Laps()
    with transaction(factory) as db:
        claimed = claim_next(db)
        if claimed is None:
            return False
        draft_id, kind, fence, wanted = claimed.id, claimed.kind, claimed.attempts, claimed.drafter
    laps.lap("claim")
    with _IN_HAND_LOCK:
        _IN_HAND.add((draft_id, fence))
    try:
        if resolve is not None and wanted != drafter.name:
            drafter = resolve(wanted)
        _generate(factory, drafter, embedder, draft_id, kind, fence, laps)
        log.debug("draft %s done in %.0f ms", draft_id, laps.total_ms, extra={"stages_ms": laps.ms})
    except LeaseLost as lost:
        log.warning("a late result was discarded: %s", lost)
    except Exception as exc:  # any failure is this job's, never the worker's
        try:
            _failed(factory, draft_id, fence, exc)
        except LeaseLost as lost:
            log.warning("a late failure was discarded: %s", lost)
    except BaseException:  # the process is being stopped: hand the draft back at once
        _release(factory, draft_id, fence)
        raise
    finally:
        with _IN_HAND_LOCK:
            _IN_HAND.discard((draft_id, fence))
    return True


# Claims this process is working on, so a shutdown that cannot wait for them hands them back.
_IN_HAND: set[tuple[uuid.UUID, int]] = set()
_IN_HAND_LOCK = threading.Lock()


def release_in_hand(factory: sessionmaker[Session]) -> int:
    """Hand every draft this process still works on back to the queue (attempt not counted);
    a result that arrives later is discarded by the fence. Returns how many were handed back."""
    with _IN_HAND_LOCK:
        claims = sorted(_IN_HAND, key=str)
    for draft_id, fence in claims:
        _release(factory, draft_id, fence)
    return len(claims)


def _release(factory: sessionmaker[Session], draft_id: uuid.UUID, fence: int) -> None:
    """Give an interrupted claim back: queued again now, and the attempt not counted (it was
    the worker that stopped, not the draft that failed). Best effort: if the database is
    gone too, the lease runs out and another worker takes the draft over."""
    try:
        with transaction(factory) as db:
            draft = db.get(Draft, draft_id, with_for_update=True)
            if draft is None or not holds(draft, fence):
                return
            options = dict(draft.options or {})
            options["retry_base"] = int(options.get("retry_base", 0)) + 1
            draft.status, draft.leased_until, draft.options = DraftStatus.QUEUED, None, options
        log.warning("draft %s handed back to the queue: the worker is stopping", draft_id)
    except Exception:
        log.warning("could not hand draft %s back; its lease will run out", draft_id, exc_info=True)


def _generate(
    factory: sessionmaker[Session],
    drafter: Drafter,
    embedder: Embedder,
    draft_id: uuid.UUID,
    kind: DraftKind,
    fence: int,
    laps: Laps,
) -> None:
    """Draft one claimed draft and store the outcome under claim `fence`."""
    try:
        with transaction(factory) as db:
            draft = db.get(Draft, draft_id)
            assert draft is not None
            inputs = _inputs(db, draft, embedder)
            key = inputs_hash(
                inputs, prompt_version=drafter.prompt_ref(kind.value), model=drafter.name
            )
            cached = db.scalar(
                select(Draft)
                .where(
                    Draft.inputs_hash == key,
                    Draft.kind == kind,
                    Draft.status.in_(DONE),
                    Draft.id != draft_id,
                    Draft.output.is_not(None),
                )
                .order_by(Draft.created_at)
                .limit(1)
            )
            outcome = _reused(cached) if cached is not None else None
        laps.lap("inputs")
        if outcome is None:
            with heartbeat(factory, draft_id, fence):
                outcome = _drafted(_call(drafter, kind, inputs), inputs)
        laps.lap("model")
    except SynthError as exc:  # not enough feedback is final; anything else is retryable
        if not isinstance(exc, NotEnoughFeedback):
            log.warning("draft %s failed: %s", draft_id, exc.message)
        _fail(factory, draft_id, fence, exc.code, exc.message)
        return
    with transaction(factory) as db:
        _ready(db, draft_id, fence, inputs, embedder, inputs_hash=key, **outcome)
    laps.lap("guards_and_store")


def _reused(cached: Draft) -> dict[str, Any]:
    """What a finished draft with identical inputs gives this one: its output, no model call."""
    return {
        "output": cached.output,
        "model": cached.model,
        "prompt_version": cached.prompt_version,
        "reused_from_id": cached.id,
        "usage": dataclasses.asdict(Usage()),
    }


def _drafted(drafted: Drafted[Any], inputs: DraftInputs) -> dict[str, Any]:
    """What the drafter wrote, with a synthesis's computed facts (coverage) put right."""
    output: BaseModel = drafted.output
    if isinstance(output, Synthesis) and isinstance(inputs, SynthesisInputs):
        output = coverage.complete(output, inputs)
    return {
        "output": output.model_dump(mode="json"),
        "model": drafted.model,
        "prompt_version": drafted.prompt_version,
        "usage": dataclasses.asdict(drafted.usage),
    }


def generate_all(
    factory: sessionmaker[Session],
    drafter: Drafter,
    embedder: Embedder,
    *,
    limit: int | None = None,
    resolve: Callable[[str], Drafter] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Drain the draft queue (or `limit` drafts) until `stop` is set; how many were processed.
    A draft in progress when `stop` is set is finished, then no new one is claimed."""
    done = 0
    while (
        (limit is None or done < limit)
        and not (stop is not None and stop.is_set())
        and generate_one(factory, drafter, embedder, resolve)
    ):
        done += 1
    return done
