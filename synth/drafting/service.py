"""The approval gate: request a draft, generate it in the background, review, release.

queued -> generating -> ready_for_review -> approved -> released
                     \\-> failed (retryable)  \\-> rejected (with a reason)
Only the subject's management chain (or an admin) edits, approves, rejects and releases;
the engineer sees only the released engineer-facing version, nothing earlier. Every
transition is audited, and the model's text stays next to the approved text.
"""

import uuid
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from synth.audit.service import record, snapshot
from synth.auth.principal import Principal
from synth.auth.scope import manages, require_chain
from synth.config import get_settings
from synth.cycles import periods
from synth.cycles.models import PeriodStatus
from synth.db.base import utcnow
from synth.db.queries import visible_one
from synth.drafting.factory import check_model
from synth.drafting.models import ACTIVE, Draft, DraftKind, DraftStatus
from synth.drafting.outputs import EvidenceChecklist, ExpectationSuggestions, Synthesis
from synth.drafting.release import engineer_version
from synth.drafting.schemas import DraftRequest
from synth.errors import Conflict, Forbidden, InvalidInput
from synth.people.models import Person
from synth.people.org import management_chain
from synth.talent.models import TalentAssessment
from synth.workflow.events import notify_draft_requested

OUTPUT_TYPES: dict[DraftKind, type[BaseModel]] = {
    DraftKind.SYNTHESIS: Synthesis,
    DraftKind.EXPECTATIONS: ExpectationSuggestions,
    DraftKind.CHECKLIST: EvidenceChecklist,
}
LEASE = timedelta(minutes=10)
REVIEW_RULE = "only the engineer's management chain may review this draft"


def readable_drafts(principal: Principal) -> Select[Draft]:
    """Management chain and admins: every draft; assigned thought partners: checklists;
    the engineer: their own released synthesis and expectation suggestions, nothing else."""
    visible = manages(principal, Draft.subject_id)
    me = principal.person_id
    if me is not None:
        partner_of = select(TalentAssessment.id).where(TalentAssessment.thought_partner_id == me)
        visible = or_(
            visible,
            and_(Draft.kind == DraftKind.CHECKLIST, Draft.assessment_id.in_(partner_of)),
            and_(
                Draft.subject_id == me,
                Draft.status == DraftStatus.RELEASED,
                Draft.kind != DraftKind.CHECKLIST,
            ),
        )
        # A manager's own drafts are written by their chain; they only ever see them released.
        visible = and_(visible, or_(Draft.subject_id != me, Draft.status == DraftStatus.RELEASED))
    return select(Draft).where(visible).order_by(Draft.created_at.desc(), Draft.id)


def get(*, db_session: Session, principal: Principal, draft_id: uuid.UUID) -> Draft:
    found: Draft = visible_one(
        db_session,
        readable_drafts(principal).where(Draft.id == draft_id),
        message=f"no draft with id {draft_id}",
        code="draft_not_found",
    )
    return found


def is_engineer_view(principal: Principal, draft: Draft) -> bool:
    """True when the reader is the subject: they get the released version only."""
    return principal.person_id is not None and principal.person_id == draft.subject_id


def request(
    *, db_session: Session, principal: Principal, data: DraftRequest, drafter: str
) -> tuple[Draft, bool]:
    """Queue a draft; returns (draft, existing) where existing means one was already in flight."""
    subject = db_session.get(Person, data.subject_id)
    if subject is None:
        raise InvalidInput(f"no person with id {data.subject_id}", code="unknown_person")
    period = periods.require_reference(db_session, data.period_id)
    chain = management_chain(db_session, subject.id)
    assessment: TalentAssessment | None = None
    if data.kind is DraftKind.CHECKLIST:
        if data.assessment_id is None:
            raise InvalidInput("a checklist needs assessment_id", code="assessment_required")
        assessment = db_session.get(TalentAssessment, data.assessment_id)
        if assessment is None or assessment.subject_id != subject.id:
            raise InvalidInput("no such assessment for this person", code="unknown_assessment")
    allowed = principal.is_admin or (
        principal.person_id is not None
        and (
            principal.person_id in chain
            or (assessment is not None and assessment.thought_partner_id == principal.person_id)
        )
    )
    if not allowed:
        raise Forbidden("only the engineer's management chain (or thought partner) may draft")
    periods.require_status(period, PeriodStatus.IN_REVIEW, doing="draft")
    if data.model is not None:
        check_model(data.model)
        drafter = data.model
    draft = Draft(
        kind=data.kind,
        subject_id=subject.id,
        period_id=period.id,
        assessment_id=assessment.id if assessment else None,
        requested_by_id=principal.person_id,
        drafter=drafter,
        options={"objectives": list(data.objectives)},
        status=DraftStatus.QUEUED,
        usage={},
    )
    try:
        with db_session.begin_nested():
            db_session.add(draft)
            db_session.flush()
    except IntegrityError:
        existing = db_session.scalar(
            select(Draft).where(
                Draft.kind == data.kind,
                Draft.subject_id == subject.id,
                Draft.period_id == period.id,
                Draft.status.in_(ACTIVE),
            )
        )
        if existing is None:  # it finished between our insert and this read: ask again
            raise Conflict("a draft just finished; request again", code="draft_race") from None
        return existing, True
    record(db_session, principal=principal, action="draft.requested", entity=draft)
    notify_draft_requested(db_session)
    return draft, False


def claim_next(db_session: Session) -> Draft | None:
    """Take the oldest queued (or abandoned) draft for generation, under a lease."""
    now = utcnow()
    draft = db_session.scalar(
        select(Draft)
        .where(
            or_(
                Draft.status == DraftStatus.QUEUED,
                and_(Draft.status == DraftStatus.GENERATING, Draft.leased_until < now),
            )
        )
        .order_by(Draft.created_at, Draft.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if draft is None:
        return None
    draft.status = DraftStatus.GENERATING
    draft.leased_until = now + LEASE
    draft.attempts += 1
    return draft


def _transition(
    db: Session,
    principal: Principal,
    draft: Draft,
    to: DraftStatus,
    *,
    allowed_from: tuple[DraftStatus, ...],
    action: str,
    **changes: Any,
) -> Draft:
    if draft.status not in allowed_from:
        raise Conflict(
            f"the draft is {draft.status.value}; {action} needs "
            + " or ".join(s.value for s in allowed_from),
            code="invalid_draft_transition",
        )
    before = snapshot(draft)
    draft.status = to
    for name, value in changes.items():
        setattr(draft, name, value)
    record(db, principal=principal, action=f"draft.{action}", entity=draft, before=before)
    return draft


def edit(
    *, db_session: Session, principal: Principal, draft_id: uuid.UUID, content: dict[str, Any]
) -> Draft:
    """The manager's edit: must keep the draft's shape; the model's text is kept alongside."""
    draft = get(db_session=db_session, principal=principal, draft_id=draft_id)
    require_chain(db_session, principal, draft.subject_id, REVIEW_RULE)
    try:
        checked = OUTPUT_TYPES[draft.kind].model_validate(content)
    except ValidationError as exc:
        raise InvalidInput(
            "the edited draft does not have the draft's shape",
            code="invalid_draft_content",
            details=exc.errors(include_url=False, include_context=False, include_input=False),
        ) from exc
    return _transition(
        db_session,
        principal,
        draft,
        DraftStatus.READY_FOR_REVIEW,
        allowed_from=(DraftStatus.READY_FOR_REVIEW,),
        action="edited",
        edited=checked.model_dump(mode="json"),
    )


def approve(*, db_session: Session, principal: Principal, draft_id: uuid.UUID) -> Draft:
    draft = get(db_session=db_session, principal=principal, draft_id=draft_id)
    require_chain(db_session, principal, draft.subject_id, REVIEW_RULE)
    return _transition(
        db_session,
        principal,
        draft,
        DraftStatus.APPROVED,
        allowed_from=(DraftStatus.READY_FOR_REVIEW,),
        action="approved",
    )


def reject(*, db_session: Session, principal: Principal, draft_id: uuid.UUID, reason: str) -> Draft:
    draft = get(db_session=db_session, principal=principal, draft_id=draft_id)
    require_chain(db_session, principal, draft.subject_id, REVIEW_RULE)
    return _transition(
        db_session,
        principal,
        draft,
        DraftStatus.REJECTED,
        allowed_from=(DraftStatus.READY_FOR_REVIEW, DraftStatus.APPROVED),
        action="rejected",
        reject_reason=reason,
    )


def release(*, db_session: Session, principal: Principal, draft_id: uuid.UUID) -> Draft:
    """Make the approved text visible to the engineer (checklists never are)."""
    draft = get(db_session=db_session, principal=principal, draft_id=draft_id)
    require_chain(db_session, principal, draft.subject_id, REVIEW_RULE)
    if draft.kind is DraftKind.CHECKLIST:
        raise Conflict(
            "evidence checklists belong to the talent-mapping track and are never released "
            "to the engineer",
            code="not_releasable",
        )
    content = draft.edited or draft.output
    assert content is not None
    return _transition(
        db_session,
        principal,
        draft,
        DraftStatus.RELEASED,
        allowed_from=(DraftStatus.APPROVED,),
        action="released",
        released=engineer_version(
            draft.kind, content, anonymity_threshold=get_settings().anonymity_threshold
        ),
    )


def retry(*, db_session: Session, principal: Principal, draft_id: uuid.UUID) -> Draft:
    """Queue a failed draft again (e.g. after a provider outage)."""
    draft = get(db_session=db_session, principal=principal, draft_id=draft_id)
    require_chain(db_session, principal, draft.subject_id, REVIEW_RULE)
    try:
        with db_session.begin_nested():
            result = _transition(
                db_session,
                principal,
                draft,
                DraftStatus.QUEUED,
                allowed_from=(DraftStatus.FAILED,),
                action="retried",
                error=None,
                error_code=None,
            )
            db_session.flush()
    except IntegrityError as exc:
        raise Conflict("another draft of this kind is in flight", code="draft_in_flight") from exc
    notify_draft_requested(db_session)
    return result
