"""Background generation: claim a queued draft, gather inputs, reuse or draft, store.

Identical inputs + prompt version + model reuse a stored draft with zero model calls. Every
guard runs on what is stored (fresh or reused) and its report is kept on the draft. A
drafter failure marks the draft failed with its reason (retryable); not enough feedback is a
clear, final result rather than an empty draft.
"""

import dataclasses
import logging
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from synth.audit.service import record, snapshot
from synth.auth.principal import Principal
from synth.cycles.models import ReviewPeriod
from synth.db.engine import transaction
from synth.drafting import coverage, gather, guarding
from synth.drafting.base import Drafted, Drafter, NotEnoughFeedback, Usage
from synth.drafting.inputs import (
    ChecklistInputs,
    DraftInputs,
    ExpectationInputs,
    SynthesisInputs,
    inputs_hash,
)
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.drafting.outputs import Synthesis
from synth.drafting.service import claim_next
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


def _finish(
    db: Session,
    draft_id: uuid.UUID,
    *,
    guard: tuple[DraftInputs, Embedder] | None = None,
    **changes: Any,
) -> Draft:
    """Store the outcome, audited; with `guard` (the inputs and embedder), run every guard on
    it first, so the audit's after-image holds the report."""
    draft = db.get(Draft, draft_id, with_for_update=True)
    assert draft is not None
    before = snapshot(draft)
    for name, value in changes.items():
        setattr(draft, name, value)
    if guard is not None:
        inputs, embedder = guard
        report = guarding.check(db, draft, embedder, inputs=inputs)
        draft.guard_report = report.model_dump(mode="json")
    draft.leased_until = None
    record(db, principal=WORKER, action=f"draft.{draft.status.value}", entity=draft, before=before)
    return draft


def _ready(
    db: Session, draft_id: uuid.UUID, inputs: DraftInputs, embedder: Embedder, **changes: Any
) -> Draft:
    """A drafted (or reused) output, stored for review with its inputs and guard report."""
    return _finish(
        db,
        draft_id,
        guard=(inputs, embedder),
        status=DraftStatus.READY_FOR_REVIEW,
        inputs=inputs.model_dump(mode="json"),
        **changes,
    )


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
    with transaction(factory) as db:
        claimed = claim_next(db)
        if claimed is None:
            return False
        draft_id, kind = claimed.id, claimed.kind
        if resolve is not None and claimed.drafter != drafter.name:
            drafter = resolve(claimed.drafter)
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
            cached_view = (
                (cached.id, cached.output, cached.model, cached.prompt_version) if cached else None
            )
        if cached_view is not None:
            reused_id, output, model, prompt_version = cached_view
            with transaction(factory) as db:
                _ready(
                    db,
                    draft_id,
                    inputs,
                    embedder,
                    inputs_hash=key,
                    output=output,
                    model=model,
                    prompt_version=prompt_version,
                    reused_from_id=reused_id,
                    usage=dataclasses.asdict(Usage()),
                )
            return True
        drafted = _call(drafter, kind, inputs)
    except SynthError as exc:  # not enough feedback is final; anything else is retryable
        if not isinstance(exc, NotEnoughFeedback):
            log.warning("draft %s failed: %s", draft_id, exc.message)
        with transaction(factory) as db:
            _finish(db, draft_id, status=DraftStatus.FAILED, error_code=exc.code, error=exc.message)
        return True
    fresh: BaseModel = drafted.output
    if isinstance(fresh, Synthesis) and isinstance(inputs, SynthesisInputs):
        fresh = coverage.complete(fresh, inputs)
    with transaction(factory) as db:
        _ready(
            db,
            draft_id,
            inputs,
            embedder,
            inputs_hash=key,
            output=fresh.model_dump(mode="json"),
            model=drafted.model,
            prompt_version=drafted.prompt_version,
            usage=dataclasses.asdict(drafted.usage),
        )
    return True


def generate_all(
    factory: sessionmaker[Session],
    drafter: Drafter,
    embedder: Embedder,
    *,
    limit: int | None = None,
    resolve: Callable[[str], Drafter] | None = None,
) -> int:
    """Drain the draft queue (or `limit` drafts); returns how many were processed."""
    done = 0
    while (limit is None or done < limit) and generate_one(factory, drafter, embedder, resolve):
        done += 1
    return done
