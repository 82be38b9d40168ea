"""/v1/talent-assessments: the management-only track."""

import uuid

from fastapi import APIRouter

from synth.api.deps import CreateDep, CurrentPrincipal, PageDep, SessionDep
from synth.api.openapi import errors
from synth.db.pagination import paginate
from synth.schemas import Page
from synth.talent import service as talent
from synth.talent.models import TalentAssessment
from synth.talent.schemas import AssessmentCreate, AssessmentOut, AssessmentUpdate

router = APIRouter(tags=["talent"])


@router.get("/talent-assessments", response_model=Page[AssessmentOut])
def list_assessments(
    db: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    subject_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
) -> Page[AssessmentOut]:
    """List the talent assessments the caller may see (never their own)."""
    statement = talent.readable_assessments(principal)
    if subject_id is not None:
        statement = statement.where(TalentAssessment.subject_id == subject_id)
    if period_id is not None:
        statement = statement.where(TalentAssessment.period_id == period_id)
    return paginate(db, statement, page, AssessmentOut.model_validate)


@router.post(
    "/talent-assessments", status_code=201, response_model=AssessmentOut, responses=errors(403)
)
def create_assessment(body: AssessmentCreate, create: CreateDep) -> object:
    """Record a level-based assessment of one person for a period (their management chain)."""
    return create(
        body,
        lambda db, principal: AssessmentOut.model_validate(
            talent.create(db_session=db, principal=principal, data=body)
        ),
    )


@router.get("/talent-assessments/{assessment_id}", response_model=AssessmentOut)
def get_assessment(
    assessment_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal
) -> AssessmentOut:
    """Read one talent assessment."""
    return AssessmentOut.model_validate(
        talent.get(db_session=db, principal=principal, assessment_id=assessment_id)
    )


@router.patch(
    "/talent-assessments/{assessment_id}", response_model=AssessmentOut, responses=errors(403)
)
def update_assessment(
    assessment_id: uuid.UUID, body: AssessmentUpdate, db: SessionDep, principal: CurrentPrincipal
) -> AssessmentOut:
    """Refine a talent assessment, e.g. after pressure-testing it with the thought partner."""
    assessment = talent.update(
        db_session=db, principal=principal, assessment_id=assessment_id, data=body
    )
    return AssessmentOut.model_validate(assessment)
