"""Talent assessments: written by the management chain, pressure-tested by a thought partner.

The subject never reads their own assessment, whatever their role: this is the track that
feeds levels and compensation, kept apart from the feedback track.
"""

import uuid

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from synth.audit.service import record, snapshot
from synth.auth.principal import Principal
from synth.auth.scope import manages, require_chain
from synth.cycles import periods
from synth.db.queries import insert_unique, visible_one
from synth.errors import InvalidInput
from synth.people.models import Level, Person
from synth.talent.models import TalentAssessment
from synth.talent.schemas import AssessmentCreate, AssessmentUpdate

WRITE_RULE = "only the person's management chain may write their talent assessment"


def readable_assessments(principal: Principal) -> Select[TalentAssessment]:
    """The subject's management chain and the assigned thought partner; never the subject."""
    visible = manages(principal, TalentAssessment.subject_id)
    if principal.person_id is not None:
        visible = and_(
            or_(visible, TalentAssessment.thought_partner_id == principal.person_id),
            TalentAssessment.subject_id != principal.person_id,
        )
    return select(TalentAssessment).where(visible).order_by(TalentAssessment.created_at)


def get(*, db_session: Session, principal: Principal, assessment_id: uuid.UUID) -> TalentAssessment:
    found: TalentAssessment = visible_one(
        db_session,
        readable_assessments(principal).where(TalentAssessment.id == assessment_id),
        message=f"no talent assessment with id {assessment_id}",
        code="assessment_not_found",
    )
    return found


def _check_refs(
    db_session: Session, subject_id: uuid.UUID, partner_id: uuid.UUID | None, level: str | None
) -> None:
    if partner_id is not None:
        if db_session.get(Person, partner_id) is None:
            raise InvalidInput(f"no person with id {partner_id}", code="unknown_person")
        if partner_id == subject_id:
            raise InvalidInput(
                "the person assessed cannot be their own thought partner",
                code="invalid_thought_partner",
            )
    if level is not None and db_session.get(Level, level) is None:
        raise InvalidInput(f"unknown level '{level}'", code="unknown_level")


def create(
    *, db_session: Session, principal: Principal, data: AssessmentCreate
) -> TalentAssessment:
    """Record the manager's level-based assessment of one person for a period."""
    period = periods.require_reference(db_session, data.period_id)
    subject = db_session.get(Person, data.subject_id)
    if subject is None:
        raise InvalidInput(f"no person with id {data.subject_id}", code="unknown_person")
    require_chain(db_session, principal, subject.id, WRITE_RULE)
    _check_refs(db_session, subject.id, data.thought_partner_id, data.recommended_level)
    assessment = TalentAssessment(
        assessor_id=principal.person_id or (subject.manager_id or subject.id),
        **data.model_dump(),
    )
    assessment.period_id = period.id
    insert_unique(
        db_session,
        assessment,
        message="this person already has a talent assessment for the period; update it instead",
        code="duplicate_assessment",
    )
    record(db_session, principal=principal, action="talent_assessment.created", entity=assessment)
    return assessment


def update(
    *,
    db_session: Session,
    principal: Principal,
    assessment_id: uuid.UUID,
    data: AssessmentUpdate,
) -> TalentAssessment:
    """Refine an assessment (e.g. after pressure-testing with the thought partner)."""
    assessment = get(db_session=db_session, principal=principal, assessment_id=assessment_id)
    require_chain(db_session, principal, assessment.subject_id, WRITE_RULE)
    changes = data.model_dump(exclude_unset=True)
    _check_refs(
        db_session,
        assessment.subject_id,
        changes.get("thought_partner_id"),
        changes.get("recommended_level"),
    )
    before = snapshot(assessment)
    for name, value in changes.items():
        if value is not None or name in ("recommended_level", "thought_partner_id"):
            setattr(assessment, name, value)
    record(
        db_session,
        principal=principal,
        action="talent_assessment.updated",
        entity=assessment,
        before=before,
    )
    return assessment
