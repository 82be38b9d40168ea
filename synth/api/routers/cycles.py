"""/v1/periods, /v1/expectations, /v1/self-assessments: the expectation side of the cycle."""

import uuid
from datetime import date

from fastapi import APIRouter

from synth.api.deps import CreateDep, CurrentPrincipal, PageDep, SessionDep
from synth.api.openapi import errors
from synth.cycles import expectations, periods, self_assessments, status
from synth.cycles.models import Expectation, SelfAssessment
from synth.cycles.schemas import (
    EngineerStatusOut,
    ExpectationCreate,
    ExpectationOut,
    ExpectationUpdate,
    KeyStepIn,
    KeyStepOut,
    KeyStepUpdate,
    MissingOut,
    PeriodCreate,
    PeriodOut,
    PeriodStatusOut,
    PeriodTransition,
    SelfAssessmentCreate,
    SelfAssessmentOut,
    TeamStatusOut,
)
from synth.db.pagination import paginate
from synth.schemas import Page

router = APIRouter(tags=["cycles"])


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
    "/periods/{period_id}/transition", response_model=PeriodOut, responses=errors(403, 409)
)
def transition_period(
    period_id: uuid.UUID, body: PeriodTransition, db: SessionDep, principal: CurrentPrincipal
) -> PeriodOut:
    """Move a period one phase forward; entering `active` locks its expectations."""
    period = periods.transition(
        db_session=db, principal=principal, period_id=period_id, status=body.status
    )
    return PeriodOut.model_validate(period)


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
    return paginate(db, statement, page, ExpectationOut.model_validate)


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
    return ExpectationOut.model_validate(
        expectations.get(db_session=db, principal=principal, expectation_id=expectation_id)
    )


@router.patch(
    "/expectations/{expectation_id}", response_model=ExpectationOut, responses=errors(403, 409)
)
def update_expectation(
    expectation_id: uuid.UUID,
    body: ExpectationUpdate,
    db: SessionDep,
    principal: CurrentPrincipal,
) -> ExpectationOut:
    """Edit an expectation that is not yet locked."""
    expectation = expectations.update(
        db_session=db, principal=principal, expectation_id=expectation_id, data=body
    )
    return ExpectationOut.model_validate(expectation)


@router.post(
    "/expectations/{expectation_id}/agree",
    response_model=ExpectationOut,
    responses=errors(403, 409),
)
def agree_expectation(
    expectation_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal
) -> ExpectationOut:
    """Agree a proposed expectation (the engineer's management chain); it locks when the
    period starts."""
    return ExpectationOut.model_validate(
        expectations.agree(db_session=db, principal=principal, expectation_id=expectation_id)
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
