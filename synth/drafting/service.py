"""The approval gate: request a draft, generate it in the background, review, release.

Generation runs as a worker job (synth.workflow.jobs) on the claims made here (`claim_next`,
`holds`, `renew_lease`); the checks on a draft's content are synth.drafting.gate's.

queued -> generating -> ready_for_review -> approved -> released
                     \\-> failed (retryable)  \\-> rejected (with a reason)
The guards (synth.guards) run on every draft when it is generated, after every edit and at
release; release is refused while a blocking finding is open, that is neither fixed by an edit
nor overridden by the manager with a reason (two-track findings cannot be overridden).
Only the subject's management chain (or an admin) edits, approves, rejects and releases;
the engineer sees only the released engineer-facing version, nothing earlier. Every
transition is audited, and the model's text stays next to the approved text.
"""

import uuid
from datetime import timedelta
from typing import Any, NoReturn

from pydantic import ValidationError
from sqlalchemy import Select, and_, or_, select, update
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
from synth.drafting.gate import coverage, guarding
from synth.drafting.gate.release import engineer_version
from synth.drafting.gate.review import GuardReport
from synth.drafting.inputs import SynthesisInputs
from synth.drafting.models import ACTIVE, Draft, DraftKind, DraftStatus
from synth.drafting.outputs import OUTPUT_TYPES, Synthesis
from synth.drafting.schemas import DraftRequest
from synth.errors import Conflict, Forbidden, InvalidInput
from synth.events.models import EventType
from synth.events.service import emit
from synth.people.models import Person
from synth.people.org import management_chain
from synth.talent.models import TalentAssessment
from synth.themes.embedders import Embedder
from synth.workflow.events import notify_draft_requested

LEASE = timedelta(minutes=10)
# Automatic attempts before a draft is dead-lettered as failed (a manager's retry starts anew).
MAX_ATTEMPTS = 3
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


def _reviewed(db_session: Session, principal: Principal, draft_id: uuid.UUID) -> Draft:
    """A draft the principal may read (else 404) and review (else 403): the engineer's chain."""
    draft = get(db_session=db_session, principal=principal, draft_id=draft_id)
    require_chain(db_session, principal, draft.subject_id, REVIEW_RULE)
    return draft


def is_engineer_view(principal: Principal, draft: Draft) -> bool:
    """True when the reader is the subject: they get the released version only."""
    return principal.person_id is not None and principal.person_id == draft.subject_id


def attribution(
    *, db_session: Session, principal: Principal, draft: Draft
) -> dict[str, dict[str, str]] | None:
    """Who wrote what: the manager's version keeps attribution; the engineer never gets it."""
    if is_engineer_view(principal, draft):
        return None
    return guarding.attribution(db_session, draft)


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


ANNOUNCED = {
    DraftStatus.READY_FOR_REVIEW: EventType.DRAFT_READY,
    DraftStatus.RELEASED: EventType.DRAFT_RELEASED,
    DraftStatus.FAILED: EventType.DRAFT_FAILED,
}


def announce(db_session: Session, draft: Draft) -> None:
    """Tell subscribers the draft became ready, released or failed (ids and states only)."""
    event_type = ANNOUNCED.get(draft.status)
    if event_type is None:
        return
    emit(
        db_session,
        event_type,
        draft_id=draft.id,
        kind=draft.kind,
        subject_id=draft.subject_id,
        period_id=draft.period_id,
        status=draft.status,
        **({"error_code": draft.error_code} if draft.status is DraftStatus.FAILED else {}),
    )


def attempts_left(draft: Draft) -> int:
    """Automatic attempts left since the draft was requested or last retried by hand."""
    return MAX_ATTEMPTS - (draft.attempts - int((draft.options or {}).get("retry_base", 0)))


def claim_next(db_session: Session) -> Draft | None:
    """Take the oldest queued (or abandoned) draft for generation, under a lease.

    `attempts` goes up by one on every claim and is the fence: only the holder of the latest
    claim may finish the draft (`holds`). A draft abandoned with no attempts left is failed
    (dead-lettered) instead of claimed again; a queued draft waits out its backoff
    (`leased_until` doubles as "not before")."""
    now = utcnow()
    for abandoned in db_session.scalars(
        select(Draft)
        .where(Draft.status == DraftStatus.GENERATING, Draft.leased_until < now)
        .with_for_update(skip_locked=True)
    ):
        if attempts_left(abandoned) <= 0:
            before = snapshot(abandoned)
            abandoned.status = DraftStatus.FAILED
            abandoned.error_code = "attempts_exhausted"
            abandoned.error = (
                f"no worker finished it in {MAX_ATTEMPTS} attempts (each worker died or lost its "
                "lease); retry it once the workers are healthy"
            )
            abandoned.leased_until = None
            record(
                db_session,
                principal=Principal.system(),
                action="draft.failed",
                entity=abandoned,
                before=before,
            )
            announce(db_session, abandoned)
    draft = db_session.scalar(
        select(Draft)
        .where(
            or_(
                and_(
                    Draft.status == DraftStatus.QUEUED,
                    or_(Draft.leased_until.is_(None), Draft.leased_until < now),
                ),
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


def holds(draft: Draft, fence: int) -> bool:
    """True when the claim numbered `fence` is still the draft's current one."""
    return draft.status is DraftStatus.GENERATING and draft.attempts == fence


def renew_lease(db_session: Session, draft_id: uuid.UUID, fence: int) -> bool:
    """Extend the lease of a claim still held (the worker's heartbeat); False once lost."""
    renewed = db_session.execute(
        update(Draft)
        .where(
            Draft.id == draft_id,
            Draft.attempts == fence,
            Draft.status == DraftStatus.GENERATING,
        )
        .values(leased_until=utcnow() + LEASE)
    )
    return bool(getattr(renewed, "rowcount", 0))


def _refuse(draft: Draft, action: str, allowed_from: tuple[DraftStatus, ...]) -> NoReturn:
    raise Conflict(
        f"the draft is {draft.status.value}; {action} needs "
        + " or ".join(s.value for s in allowed_from),
        code="invalid_draft_transition",
    )


def _transition(
    db: Session,
    principal: Principal,
    draft: Draft,
    to: DraftStatus,
    *,
    allowed_from: tuple[DraftStatus, ...],
    action: str,
    before: dict[str, Any] | None = None,
    **changes: Any,
) -> Draft:
    if draft.status not in allowed_from:
        _refuse(draft, action, allowed_from)
    before = before if before is not None else snapshot(draft)
    draft.status = to
    for name, value in changes.items():
        setattr(draft, name, value)
    record(db, principal=principal, action=f"draft.{action}", entity=draft, before=before)
    return draft


def edit(
    *,
    db_session: Session,
    principal: Principal,
    draft_id: uuid.UUID,
    content: dict[str, Any],
    embedder: Embedder | None = None,
) -> Draft:
    """The manager's edit: must keep the draft's shape; the model's text is kept alongside,
    and the guards run again on the edited text. Editing an approved draft sends it back to
    review: what is released is always what was last approved."""
    draft = _reviewed(db_session, principal, draft_id)
    try:
        checked = OUTPUT_TYPES[draft.kind].model_validate(content)
    except ValidationError as exc:
        raise InvalidInput(
            "the edited draft does not have the draft's shape",
            code="invalid_draft_content",
            details=exc.errors(include_url=False, include_context=False, include_input=False),
        ) from exc
    editable = (DraftStatus.READY_FOR_REVIEW, DraftStatus.APPROVED)
    if draft.status not in editable:
        _refuse(draft, "edited", editable)
    before = snapshot(draft)
    inputs = guarding.inputs_of(draft)
    if isinstance(checked, Synthesis) and isinstance(inputs, SynthesisInputs):
        checked = coverage.complete(checked, inputs)  # the edit's citations, not the model's
    draft.edited = checked.model_dump(mode="json")
    report = guarding.check(db_session, draft, embedder, inputs=inputs)
    return _transition(
        db_session,
        principal,
        draft,
        DraftStatus.READY_FOR_REVIEW,  # an edited draft is approved again before release
        allowed_from=editable,
        action="edited",
        before=before,
        guard_report=report.model_dump(mode="json"),
    )


def approve(*, db_session: Session, principal: Principal, draft_id: uuid.UUID) -> Draft:
    draft = _reviewed(db_session, principal, draft_id)
    return _transition(
        db_session,
        principal,
        draft,
        DraftStatus.APPROVED,
        allowed_from=(DraftStatus.READY_FOR_REVIEW,),
        action="approved",
    )


def reject(*, db_session: Session, principal: Principal, draft_id: uuid.UUID, reason: str) -> Draft:
    draft = _reviewed(db_session, principal, draft_id)
    return _transition(
        db_session,
        principal,
        draft,
        DraftStatus.REJECTED,
        allowed_from=(DraftStatus.READY_FOR_REVIEW, DraftStatus.APPROVED),
        action="rejected",
        reject_reason=reason,
    )


def release(
    *,
    db_session: Session,
    principal: Principal,
    draft_id: uuid.UUID,
    embedder: Embedder | None = None,
) -> Draft:
    """Make the approved text visible to the engineer (checklists never are), once no
    blocking guard finding is open."""
    draft = _reviewed(db_session, principal, draft_id)
    if draft.kind is DraftKind.CHECKLIST:
        raise Conflict(
            "evidence checklists belong to the talent-mapping track and are never released "
            "to the engineer",
            code="not_releasable",
        )
    if draft.status is not DraftStatus.APPROVED:
        _refuse(draft, "released", (DraftStatus.APPROVED,))
    content = draft.current
    assert content is not None
    inputs = guarding.inputs_of(draft)
    guard_context = guarding.context(db_session, draft, inputs, embedder)
    report = guarding.check(db_session, draft, embedder, inputs=inputs, guard_context=guard_context)
    blocked = report.open_blocking(guarding.overridden(draft))
    if blocked:
        raise Conflict(
            f"release refused: {len(blocked)} blocking guard finding(s) open; edit the draft, "
            "or override the overridable ones with a reason",
            code="guard_blocked",
            details=[f.model_dump(mode="json") for f in blocked],
        )
    released = _transition(
        db_session,
        principal,
        draft,
        DraftStatus.RELEASED,
        allowed_from=(DraftStatus.APPROVED,),
        action="released",
        guard_report=report.model_dump(mode="json"),
        released=engineer_version(
            draft.kind,
            content,
            anonymity_threshold=get_settings().anonymity_threshold,
            inputs=inputs,
            reviewers=guard_context.reviewers,
        ),
    )
    announce(db_session, released)
    return released


def override(
    *,
    db_session: Session,
    principal: Principal,
    draft_id: uuid.UUID,
    reason: str,
    fingerprints: list[str] | None = None,
) -> Draft:
    """The manager releases over blocking findings (all open ones, or those named) and says
    why. Audited; two-track findings cannot be overridden, only edited away."""
    draft = _reviewed(db_session, principal, draft_id)
    allowed = (DraftStatus.READY_FOR_REVIEW, DraftStatus.APPROVED)
    if draft.status not in allowed:
        _refuse(draft, "overridden", allowed)
    if draft.guard_report is None:
        raise Conflict("this draft has not been checked yet", code="nothing_to_override")
    report = GuardReport.model_validate(draft.guard_report)
    open_ = {f.fingerprint: f for f in report.open_blocking(guarding.overridden(draft))}
    wanted = list(open_) if fingerprints is None else list(dict.fromkeys(fingerprints))
    unknown = [f for f in wanted if f not in open_]
    if unknown:
        raise InvalidInput(
            "not open blocking findings of this draft: " + ", ".join(unknown[:5]),
            code="unknown_finding",
        )
    fixed_only = [f for f in wanted if not open_[f].overridable]
    if fixed_only and fingerprints is not None:
        raise Conflict(
            "two-track findings cannot be overridden; edit the words out: "
            + ", ".join(fixed_only[:5]),
            code="not_overridable",
        )
    wanted = [f for f in wanted if open_[f].overridable]
    if not wanted:
        raise Conflict("no open blocking finding can be overridden", code="nothing_to_override")
    overrides = list((draft.guard_override or {}).get("overrides", []))
    overrides.append(
        {
            "reason": reason,
            "by": str(principal.person_id or principal.key_id or principal.role.value),
            "at": utcnow().isoformat(),
            "fingerprints": wanted,
        }
    )
    return _transition(
        db_session,
        principal,
        draft,
        draft.status,
        allowed_from=allowed,
        action="overridden",
        guard_override={"overrides": overrides},
    )


def retry(*, db_session: Session, principal: Principal, draft_id: uuid.UUID) -> Draft:
    """Queue a failed draft again (e.g. after a provider outage)."""
    draft = _reviewed(db_session, principal, draft_id)
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
                leased_until=None,
                options={**(draft.options or {}), "retry_base": draft.attempts},
            )
            db_session.flush()
    except IntegrityError as exc:
        raise Conflict("another draft of this kind is in flight", code="draft_in_flight") from exc
    notify_draft_requested(db_session)
    return result
