"""/v1/periods, /v1/expectations, /v1/self-assessments: the expectation side of the cycle."""

import uuid
from datetime import date

from fastapi import APIRouter

from synth.api.deps import CreateDep, CurrentPrincipal, PageDep, SessionDep
from synth.api.openapi import errors
from synth.cycles import (
    adoption,
    comments,
    expectations,
    outcomes,
    periods,
    presenting,
    self_assessments,
    status,
)
from synth.cycles.models import Expectation, SelfAssessment
from synth.cycles.schemas import (
    CommentCreate,
    CommentOut,
    EngineerStatusOut,
    ExpectationAdopt,
    ExpectationCreate,
    ExpectationOut,
    ExpectationUpdate,
    KeyStepIn,
    KeyStepOut,
    KeyStepUpdate,
    MissingOut,
    OutcomeCreate,
    PeriodCreate,
    PeriodOut,
    PeriodStatusOut,
    PeriodTransition,
    SelfAssessmentCreate,
    SelfAssessmentOut,
    TeamStatusOut,
)
from synth.db.pagination import paginate
from synth.schemas import InputModel, Page

router = APIRouter(tags=["cycles"])
EMPTY = InputModel()  # the payload of a POST whose path says everything


@router.get("/periods", response_model=Page[PeriodOut])
def list_periods(db: SessionDep, principal: CurrentPrincipal, page: PageDep) -> Page[PeriodOut]:
    """List review periods."""
    return paginate(db, periods.readable_periods(principal), page, PeriodOut.model_validate)


@router.post("/periods", status_code=201, response_model=PeriodOut, responses=errors(403))
def create_period(
    body: PeriodCreate,
    create: CreateDep,
) -> object:
    """Open a new period in planning (admin, hr)."""
    return create(
        body,
        lambda db, principal: PeriodOut.model_validate(
            periods.create(db_session=db, principal=principal, data=body)
        ),
    )


@router.get("/periods/{period_id}", response_model=PeriodOut)
def get_period(period_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal) -> PeriodOut:
    """Read one review period."""
    return PeriodOut.model_validate(
        periods.get(db_session=db, principal=principal, period_id=period_id)
    )


@router.post(
    "/periods/{period_id}/transition", response_model=PeriodOut, responses=errors(403, 409, 422)
)
def transition_period(period_id: uuid.UUID, body: PeriodTransition, create: CreateDep) -> object:
    """Move a period one phase forward (hr).

    Entering `active` locks the agreed expectations, refused while an engineer has fewer than
    3 unless HR forces it with a reason; closing seeds the next period's planning. A retry with
    the same Idempotency-Key replays the answer."""
    return create(
        body,
        lambda db, principal: PeriodOut.model_validate(
            periods.transition(
                db_session=db,
                principal=principal,
                period_id=period_id,
                status=body.status,
                force=body.force,
                reason=body.reason,
            )
        ),
        status_code=200,
    )


@router.get("/expectations", response_model=Page[ExpectationOut])
def list_expectations(
    db: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    person_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
) -> Page[ExpectationOut]:
    """List the expectations the caller may see, by person and period."""
    statement = expectations.readable_expectations(principal)
    if person_id is not None:
        statement = statement.where(Expectation.person_id == person_id)
    if period_id is not None:
        statement = statement.where(Expectation.period_id == period_id)
    return paginate(db, statement, page, lambda e: presenting.expectation_out(db, principal, e))


@router.post("/expectations", status_code=201, response_model=ExpectationOut, responses=errors(403))
def create_expectation(
    body: ExpectationCreate,
    create: CreateDep,
) -> object:
    """Propose an expectation, with its key steps, for an engineer and a period (3-5 each)."""
    return create(
        body,
        lambda db, principal: ExpectationOut.model_validate(
            expectations.create(db_session=db, principal=principal, data=body)
        ),
    )


@router.get("/expectations/{expectation_id}", response_model=ExpectationOut)
def get_expectation(
    expectation_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal
) -> ExpectationOut:
    """Read one expectation with its key steps."""
    expectation = expectations.get(
        db_session=db, principal=principal, expectation_id=expectation_id
    )
    return presenting.expectation_out(db, principal, expectation)


@router.patch(
    "/expectations/{expectation_id}", response_model=ExpectationOut, responses=errors(403, 409)
)
def update_expectation(
    expectation_id: uuid.UUID,
    body: ExpectationUpdate,
    db: SessionDep,
    principal: CurrentPrincipal,
) -> ExpectationOut:
    """Edit an expectation that is not yet locked; a change clears both sign-offs."""
    expectation = expectations.update(
        db_session=db, principal=principal, expectation_id=expectation_id, data=body
    )
    return presenting.expectation_out(db, principal, expectation)


@router.post(
    "/expectations/{expectation_id}/agree",
    response_model=ExpectationOut,
    responses=errors(403, 404, 409),
)
def agree_expectation(expectation_id: uuid.UUID, create: CreateDep) -> object:
    """Sign an expectation off, as the engineer or as their management chain.

    Agreed once both have signed, it locks when the period starts. Signing twice changes
    nothing."""
    return create(
        EMPTY,
        lambda db, principal: presenting.expectation_out(
            db,
            principal,
            expectations.agree(db_session=db, principal=principal, expectation_id=expectation_id),
        ),
        status_code=200,
    )


@router.post(
    "/expectations/adopt",
    status_code=201,
    response_model=ExpectationOut,
    responses=errors(403, 404, 409, 422),
)
def adopt_suggestion(body: ExpectationAdopt, create: CreateDep) -> object:
    """Adopt a drafted expectation suggestion, with its key steps, as a proposal.

    From an approved draft (the engineer: a released one, by the index they read), into the
    next period in planning. Each suggestion is adopted once."""
    return create(
        body,
        lambda db, principal: presenting.expectation_out(
            db, principal, adoption.adopt(db_session=db, principal=principal, data=body)
        ),
    )


@router.get(
    "/expectations/{expectation_id}/comments",
    response_model=Page[CommentOut],
    responses=errors(403, 404),
)
def list_comments(
    expectation_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal, page: PageDep
) -> Page[CommentOut]:
    """Skip-level comments on an expectation (management chain and the manager's peers)."""
    statement = comments.readable_comments(db, principal, expectation_id)
    return paginate(db, statement, page, CommentOut.model_validate)


@router.post(
    "/expectations/{expectation_id}/comments",
    status_code=201,
    response_model=CommentOut,
    responses=errors(403, 404, 409),
)
def comment_expectation(
    expectation_id: uuid.UUID, body: CommentCreate, create: CreateDep
) -> object:
    """Comment on a report's expectation before it locks (skip-level, chain, manager's peers)."""
    return create(
        body,
        lambda db, principal: CommentOut.model_validate(
            comments.create(
                db_session=db, principal=principal, expectation_id=expectation_id, data=body
            )
        ),
    )


@router.post(
    "/expectations/{expectation_id}/outcome",
    response_model=ExpectationOut,
    responses=errors(403, 404, 409),
)
def record_outcome(expectation_id: uuid.UUID, body: OutcomeCreate, create: CreateDep) -> object:
    """Record the manager's outcome of an expectation, with a short reflection.

    Met, partially met or missed, while the period is in review; posting again replaces it."""
    return create(
        body,
        lambda db, principal: presenting.expectation_out(
            db,
            principal,
            outcomes.set_outcome(
                db_session=db, principal=principal, expectation_id=expectation_id, data=body
            ),
        ),
        status_code=200,
    )


@router.post(
    "/expectations/{expectation_id}/key-steps",
    status_code=201,
    response_model=KeyStepOut,
    responses=errors(403),
)
def add_key_step(
    expectation_id: uuid.UUID,
    body: KeyStepIn,
    create: CreateDep,
) -> object:
    """Append a key step to an expectation that is not locked (at most 10)."""
    return create(
        body,
        lambda db, principal: KeyStepOut.model_validate(
            expectations.add_key_step(
                db_session=db, principal=principal, expectation_id=expectation_id, data=body
            )
        ),
    )


@router.patch(
    "/expectations/{expectation_id}/key-steps/{key_step_id}",
    response_model=KeyStepOut,
    responses=errors(403, 409),
)
def update_key_step(
    expectation_id: uuid.UUID,
    key_step_id: uuid.UUID,
    body: KeyStepUpdate,
    db: SessionDep,
    principal: CurrentPrincipal,
) -> KeyStepOut:
    """Tick a key step off, or untick it: allowed all period, until it closes."""
    step = expectations.set_key_step_done(
        db_session=db,
        principal=principal,
        expectation_id=expectation_id,
        key_step_id=key_step_id,
        done=body.done,
    )
    return KeyStepOut.model_validate(step)


@router.get("/self-assessments", response_model=Page[SelfAssessmentOut])
def list_self_assessments(
    db: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    person_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
) -> Page[SelfAssessmentOut]:
    """List the self-assessments the caller may see, by person and period."""
    statement = self_assessments.readable_self_assessments(principal)
    if person_id is not None:
        statement = statement.where(SelfAssessment.person_id == person_id)
    if period_id is not None:
        statement = statement.where(SelfAssessment.period_id == period_id)
    return paginate(db, statement, page, SelfAssessmentOut.model_validate)


@router.get("/self-assessments/{self_assessment_id}", response_model=SelfAssessmentOut)
def get_self_assessment(
    self_assessment_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal
) -> SelfAssessmentOut:
    """Read one self-assessment."""
    return SelfAssessmentOut.model_validate(
        self_assessments.get(
            db_session=db, principal=principal, self_assessment_id=self_assessment_id
        )
    )


@router.post(
    "/self-assessments",
    status_code=201,
    response_model=SelfAssessmentOut,
    responses=errors(403),
)
def create_self_assessment(
    body: SelfAssessmentCreate,
    create: CreateDep,
) -> object:
    """Write the caller's own self-assessment, overall or for one expectation."""
    return create(
        body,
        lambda db, principal: SelfAssessmentOut.model_validate(
            self_assessments.create(db_session=db, principal=principal, data=body)
        ),
    )


# --- where a period stands -------------------------------------------------------------------


@router.get(
    "/periods/{period_id}/status",
    response_model=PeriodStatusOut,
    responses=errors(403, 404),
    summary="What each engineer still lacks at this stage of the period",
)
def period_status(
    period_id: uuid.UUID,
    db: SessionDep,
    principal: CurrentPrincipal,
    as_of: date | None = None,
) -> PeriodStatusOut:
    """For a manager, one row per engineer in their org with what is missing (each with a
    stable `code`); for HR, counts per team only. `as_of` (default today) dates the new-hire
    reminders."""
    found = status.view(db_session=db, principal=principal, period_id=period_id, as_of=as_of)
    return PeriodStatusOut(
        period_id=found.period.id,
        status=found.period.status,
        as_of=found.as_of,
        engineers=None
        if found.rows is None
        else [
            EngineerStatusOut(
                person_id=row.person.id,
                name=row.person.name,
                manager_id=row.person.manager_id,
                new_hire=row.new_hire,
                missing=[
                    MissingOut(code=m.code, message=m.message, due_on=m.due_on) for m in row.missing
                ],
            )
            for row in found.rows
        ],
        teams=None
        if found.teams is None
        else [
            TeamStatusOut(manager_id=t.manager_id, engineers=t.engineers, missing=t.missing)
            for t in found.teams
        ],
    )
