"""Rewording feedback: its author edits or withdraws it until a draft has read it.

An author who sees the bias or injection flags on their submission can fix the wording. The
window closes when a synthesis (or checklist) is first drafted for that subject and period:
from then on the draft cites the text as it was, and a silent edit would break its
citations. Every superseded version is kept in `feedback_versions` and audited; the live row
always holds the latest, so drafts, themes and search read only that one. Statements split
from the old text are deleted with the edit and the ingest splits and embeds the new text.
A withdrawn item is deleted outright, so no read path can still return it.

A re-post by the same author about the same subject and period that rewords one of their
earlier submissions is refused (`409 feedback_exists`, naming the one to PATCH), so the
manager never reads both versions; a reviewer may still submit several distinct pieces.
"""

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from synth.audit.service import record, snapshot
from synth.auth.principal import Principal
from synth.cycles import feedback, periods
from synth.cycles.models import (
    FeedbackChange,
    FeedbackRequest,
    FeedbackVersion,
    PeerFeedback,
    RequestStatus,
)
from synth.cycles.schemas import ExpectationAnswer, FeedbackUpdate
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.errors import Conflict, Forbidden
from synth.themes.models import Statement
from synth.workflow.events import notify_feedback_stored

# Draft kinds that read raw peer feedback (see synth.drafting.gather).
FEEDBACK_READERS = (DraftKind.SYNTHESIS, DraftKind.CHECKLIST)


def _editable(db_session: Session, principal: Principal, feedback_id: uuid.UUID) -> PeerFeedback:
    """The caller's own feedback, locked, while no draft has read it and the period is open.

    Whoever may not read the feedback gets 404 (the subject never learns it exists); a
    reader who is not its author (their manager, say) gets 403.
    """
    found = feedback.get(db_session=db_session, principal=principal, feedback_id=feedback_id)
    if principal.person_id is None or found.author_id != principal.person_id:
        raise Forbidden("only the author may reword or withdraw their feedback", code="not_author")
    db_session.refresh(found, with_for_update=True)
    period = periods.require_reference(db_session, found.period_id)
    periods.require_status(period, *feedback.OPEN_PHASES, doing="reword feedback")
    drafted = db_session.scalar(
        select(Draft.id)
        .where(
            Draft.kind.in_(FEEDBACK_READERS),
            Draft.subject_id == found.subject_id,
            Draft.period_id == found.period_id,
            Draft.created_at >= found.created_at,
            Draft.status != DraftStatus.FAILED,
        )
        .limit(1)
    )
    if drafted is not None:
        raise Conflict(
            "a draft already reads this feedback; it can no longer be reworded or withdrawn",
            code="feedback_in_use",
        )
    return found


def _keep_version(
    db_session: Session, principal: Principal, fb: PeerFeedback, change: FeedbackChange
) -> FeedbackVersion:
    """Copy the live version into the history before it changes or goes."""
    last_change = db_session.scalar(
        select(func.max(FeedbackVersion.created_at)).where(FeedbackVersion.feedback_id == fb.id)
    )
    version = FeedbackVersion(
        feedback_id=fb.id,
        version=fb.version,
        change=change,
        changed_by_id=principal.person_id,
        period_id=fb.period_id,
        subject_id=fb.subject_id,
        author_id=fb.author_id,
        relationship=fb.relationship,
        text=fb.text,
        role_fit=fb.role_fit,
        growth_potential=fb.growth_potential,
        expectation_answers=fb.expectation_answers,
        flags=fb.flags,
        flags_version=fb.flags_version,
        written_at=last_change or fb.created_at,
    )
    db_session.add(version)
    return version


def _drop_statements(db_session: Session, fb: PeerFeedback) -> None:
    """The statements (and their vectors, by cascade) of the old text: themes, search and
    drafts must not read it; the ingest splits the new text as for any new feedback."""
    db_session.execute(delete(Statement).where(Statement.feedback_id == fb.id))
    notify_feedback_stored(db_session)


def edit(
    *,
    db_session: Session,
    principal: Principal,
    feedback_id: uuid.UUID,
    data: FeedbackUpdate,
) -> PeerFeedback:
    """The author rewords their feedback; the flags are recomputed as it is written."""
    fb = _editable(db_session, principal, feedback_id)
    changes = data.model_dump(exclude_unset=True)
    if "expectation_answers" in changes:
        answers = [ExpectationAnswer.model_validate(a) for a in changes["expectation_answers"]]
        period = periods.require_reference(db_session, fb.period_id)
        subject = feedback.require_person(db_session, fb.subject_id, "subject_id")
        feedback.check_answers(db_session, period, subject, answers)
        changes["expectation_answers"] = [a.model_dump() for a in answers]
    for name in ("role_fit", "growth_potential"):
        if name in changes:
            changes[name] = changes[name] or None
    if all(getattr(fb, name) == value for name, value in changes.items()):
        return fb  # nothing to reword: no new version
    before = snapshot(fb)
    _keep_version(db_session, principal, fb, FeedbackChange.EDITED)
    for name, value in changes.items():
        setattr(fb, name, value)
    fb.content_hash = feedback.content_hash(fb.text)
    fb.version += 1
    try:
        with db_session.begin_nested():
            db_session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "you already submitted feedback with these words", code="duplicate_feedback"
        ) from exc
    _drop_statements(db_session, fb)
    record(db_session, principal=principal, action="feedback.edited", entity=fb, before=before)
    return fb


def withdraw(*, db_session: Session, principal: Principal, feedback_id: uuid.UUID) -> None:
    """The author takes their feedback back: it leaves every read; its history stays.

    A request it answered is open again, so the reviewer can answer anew or decline.
    """
    fb = _editable(db_session, principal, feedback_id)
    _keep_version(db_session, principal, fb, FeedbackChange.WITHDRAWN)
    if fb.request_id is not None:
        request = db_session.get(FeedbackRequest, fb.request_id)
        if request is not None and request.status is RequestStatus.SUBMITTED:
            request_before = snapshot(request)
            request.status = RequestStatus.OPEN
            record(
                db_session,
                principal=principal,
                action="feedback_request.reopened",
                entity=request,
                before=request_before,
            )
    record(
        db_session,
        principal=principal,
        action="feedback.deleted",
        entity=fb,
        before=snapshot(fb),
    )
    db_session.delete(fb)
    db_session.flush()
    notify_feedback_stored(db_session)
