"""Self-assessments: the engineer's own account of the period, overall and per expectation."""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from synth.audit.service import record
from synth.auth.principal import Principal
from synth.auth.scope import person_scope
from synth.cycles import periods
from synth.cycles.models import Expectation, PeriodStatus, SelfAssessment
from synth.cycles.schemas import SelfAssessmentCreate
from synth.db.queries import insert_unique, visible_one
from synth.errors import Forbidden, InvalidInput
from synth.workflow.events import notify_feedback_stored


def readable_self_assessments(principal: Principal) -> Select[SelfAssessment]:
    """Own self-assessments, the org's for managers, assigned subjects' for thought partners."""
    return (
        select(SelfAssessment)
        .where(person_scope(principal, SelfAssessment.person_id, include_self=True))
        .order_by(SelfAssessment.person_id, SelfAssessment.created_at)
    )


def get(
    *, db_session: Session, principal: Principal, self_assessment_id: uuid.UUID
) -> SelfAssessment:
    found: SelfAssessment = visible_one(
        db_session,
        readable_self_assessments(principal).where(SelfAssessment.id == self_assessment_id),
        message=f"no self-assessment with id {self_assessment_id}",
        code="self_assessment_not_found",
    )
    return found


# A self-assessment is written while the period runs and while it is reviewed.
WRITABLE_IN = (PeriodStatus.ACTIVE, PeriodStatus.IN_REVIEW)


def create(
    *,
    db_session: Session,
    principal: Principal,
    data: SelfAssessmentCreate,
    person_id: uuid.UUID | None = None,
) -> SelfAssessment:
    """Record the caller's self-assessment (admins may record one for `person_id`)."""
    author = principal.person_id
    if principal.is_admin and person_id is not None:
        author = person_id
    if author is None:
        raise Forbidden("a self-assessment is written by the engineer themselves")
    period = periods.require_reference(db_session, data.period_id)
    periods.require_status(period, *WRITABLE_IN, doing="write a self-assessment")
    if data.expectation_id is not None:
        expectation = db_session.get(Expectation, data.expectation_id)
        if (
            expectation is None
            or expectation.person_id != author
            or expectation.period_id != period.id
        ):
            raise InvalidInput(
                "expectation_id is not one of your expectations for this period",
                code="unknown_expectation",
            )
    assessment = SelfAssessment(
        period_id=period.id,
        person_id=author,
        expectation_id=data.expectation_id,
        outcome=data.outcome,
        text=data.text,
    )
    insert_unique(
        db_session,
        assessment,
        message="a self-assessment for this "
        + ("expectation" if data.expectation_id else "period (overall)")
        + " already exists",
        code="duplicate_self_assessment",
    )
    record(db_session, principal=principal, action="self_assessment.created", entity=assessment)
    notify_feedback_stored(db_session)
    return assessment
