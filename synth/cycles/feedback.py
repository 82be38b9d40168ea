"""Peer feedback: submitted one by one or imported in bulk.

Peer feedback is confidential: only the subject's management chain, an assigned thought
partner and the author ever read it raw; the subject sees syntheses, never this table.
Requests for feedback live in `synth.cycles.requests`; rewording and withdrawing in
`synth.cycles.rewording`.
"""

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from synth.audit.service import record
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.auth.scope import person_scope
from synth.cycles import periods
from synth.cycles.models import (
    Expectation,
    FeedbackRequest,
    PeerFeedback,
    PeriodStatus,
    Relationship,
    RequestStatus,
    ReviewPeriod,
)
from synth.cycles.schemas import (
    ExpectationAnswer,
    FeedbackCreate,
    FeedbackFields,
    FeedbackImportRow,
)
from synth.db.queries import insert_unique, visible_one
from synth.errors import Conflict, Forbidden, InvalidInput, SynthError
from synth.events.models import EventType
from synth.events.service import emit
from synth.people import service as people
from synth.people.models import Function, Person
from synth.people.org import management_chain
from synth.text import STOPWORDS, words
from synth.workflow.events import notify_feedback_stored

OPEN_PHASES = (PeriodStatus.ACTIVE, PeriodStatus.IN_REVIEW)
IMPORTERS = (Role.HR, Role.SERVICE)


def content_hash(text: str) -> str:
    """Fingerprint of feedback text that ignores case and spacing, to catch resubmissions."""
    return hashlib.sha256(" ".join(text.casefold().split()).encode()).hexdigest()


def readable_feedback(principal: Principal) -> Select[PeerFeedback]:
    """Feedback the principal wrote, or about people they manage or partner on; never own."""
    visible = person_scope(principal, PeerFeedback.subject_id, include_self=False)
    if principal.person_id is not None:
        visible = or_(visible, PeerFeedback.author_id == principal.person_id)
    return select(PeerFeedback).where(visible).order_by(PeerFeedback.created_at, PeerFeedback.id)


def get(*, db_session: Session, principal: Principal, feedback_id: uuid.UUID) -> PeerFeedback:
    found: PeerFeedback = visible_one(
        db_session,
        readable_feedback(principal).where(PeerFeedback.id == feedback_id),
        message=f"no feedback with id {feedback_id}",
        code="feedback_not_found",
    )
    return found


def require_person(db_session: Session, person_id: uuid.UUID, field: str) -> Person:
    """The person with `person_id`, or 422 `unknown_person` naming the field."""
    person = db_session.get(Person, person_id)
    if person is None:
        raise InvalidInput(f"{field}: no person with id {person_id}", code="unknown_person")
    return person


def proven_relationship(
    chain: list[uuid.UUID], author: Person, subject: Person
) -> Relationship | None:
    """What the org chart proves about `author` writing on `subject` (`chain` is the subject's
    management chain): manager, skip-level, report, or nothing (a peer or cross-functional)."""
    if chain and chain[0] == author.id:
        return Relationship.MANAGER
    if author.id in chain[1:]:
        return Relationship.SKIP_LEVEL
    if author.manager_id == subject.id:
        return Relationship.REPORT
    return None


def is_cross_functional(author: Person, subject: Person) -> bool:
    return author.function is not subject.function or author.function is not Function.ENGINEERING


def _check_relationship(
    db_session: Session, author: Person, subject: Person, relationship: Relationship
) -> None:
    """The relationship must agree with what the org chart proves about the two people."""
    proven = proven_relationship(management_chain(db_session, subject.id), author, subject)
    cross = is_cross_functional(author, subject)
    if proven is not None:
        ok = relationship is proven
    elif relationship is Relationship.CROSS_FUNCTIONAL:
        ok = cross
    else:
        ok = relationship is Relationship.PEER
    if not ok:
        expected = proven.value if proven else ("cross_functional or peer" if cross else "peer")
        raise InvalidInput(
            f"relationship '{relationship.value}' does not match the org chart for "
            f"{author.email} -> {subject.email} (expected {expected})",
            code="relationship_mismatch",
        )


def check_answers(
    db_session: Session,
    period: ReviewPeriod,
    subject: Person,
    answers: Iterable[ExpectationAnswer],
) -> None:
    """Every answer must name one of the subject's expectations for the period."""
    positions = set(
        db_session.scalars(
            select(Expectation.position).where(
                Expectation.period_id == period.id, Expectation.person_id == subject.id
            )
        )
    )
    for answer in answers:
        if answer.position not in positions:
            raise InvalidInput(
                f"{subject.name} has no expectation #{answer.position} in '{period.name}'",
                code="unknown_expectation",
            )


# Two texts by one author are one comment reworded when most content words of the shorter
# also appear in the longer: a rewording keeps the example and changes the judgement words.
# Checked on the gold cases (no two comments by one reviewer come within 0.5) and on 200
# comments about one engineer by different reviewers (8 of 19,900 pairs reach 0.6, each
# two reviewers making the same point).
REWORDED_OVERLAP = 0.6
MIN_CONTENT_WORDS = 4


def _content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in STOPWORDS and not w.isdigit()}


def is_rewording(old: str, new: str) -> bool:
    """True when `new` says what `old` said in mostly the same content words."""
    a, b = _content_words(old), _content_words(new)
    if min(len(a), len(b)) < MIN_CONTENT_WORDS:
        return False
    return len(a & b) / min(len(a), len(b)) >= REWORDED_OVERLAP


def refuse_reworded_repost(
    db_session: Session,
    *,
    period_id: uuid.UUID,
    subject_id: uuid.UUID,
    author_id: uuid.UUID,
    text: str,
) -> None:
    """Conflict when `text` rewords feedback the author already gave on this subject and
    period: the way to change it is PATCH, which keeps one live version."""
    earlier = db_session.execute(
        select(PeerFeedback.id, PeerFeedback.text)
        .where(
            PeerFeedback.period_id == period_id,
            PeerFeedback.subject_id == subject_id,
            PeerFeedback.author_id == author_id,
        )
        .order_by(PeerFeedback.created_at, PeerFeedback.id)
    ).all()
    for row in earlier:
        if is_rewording(row.text, text):
            raise Conflict(
                f"this rewords your earlier feedback (id {row.id}); edit it with "
                f"PATCH /v1/feedback/{row.id} instead, so only one version stays",
                code="feedback_exists",
                details={"feedback_id": str(row.id)},
            )


@dataclass(frozen=True)
class _Draft:
    feedback: PeerFeedback
    key: tuple[uuid.UUID, uuid.UUID, uuid.UUID, str]


def _build(
    db_session: Session,
    *,
    period: ReviewPeriod,
    author: Person,
    subject: Person,
    fields: FeedbackFields,
) -> _Draft:
    """Validate one piece of feedback against the period, org chart and stored feedback."""
    periods.require_status(period, *OPEN_PHASES, doing="submit feedback")
    if author.id == subject.id:
        raise InvalidInput(
            "feedback about oneself belongs in the self-assessment", code="self_feedback"
        )
    _check_relationship(db_session, author, subject, fields.relationship)
    check_answers(db_session, period, subject, fields.expectation_answers)
    digest = content_hash(fields.text)
    key = (period.id, subject.id, author.id, digest)
    exists = db_session.scalar(
        select(PeerFeedback.id).where(
            PeerFeedback.period_id == period.id,
            PeerFeedback.subject_id == subject.id,
            PeerFeedback.author_id == author.id,
            PeerFeedback.content_hash == digest,
        )
    )
    if exists is not None:
        raise Conflict(
            f"this feedback was already submitted (id {exists})", code="duplicate_feedback"
        )
    feedback = PeerFeedback(
        period_id=period.id,
        subject_id=subject.id,
        author_id=author.id,
        relationship=fields.relationship,
        author_level=author.level,
        text=fields.text,
        role_fit=fields.role_fit,
        growth_potential=fields.growth_potential,
        expectation_answers=[a.model_dump() for a in fields.expectation_answers],
        content_hash=digest,
    )
    return _Draft(feedback=feedback, key=key)


def _store(db_session: Session, principal: Principal, drafts: list[_Draft]) -> list[PeerFeedback]:
    """Insert validated feedback in one savepoint; close any matching open requests."""
    insert_unique(
        db_session,
        *(d.feedback for d in drafts),
        message="this feedback was already submitted",
        code="duplicate_feedback",
    )
    for draft in drafts:
        fb = draft.feedback
        request = db_session.scalar(
            select(FeedbackRequest).where(
                FeedbackRequest.period_id == fb.period_id,
                FeedbackRequest.subject_id == fb.subject_id,
                FeedbackRequest.reviewer_id == fb.author_id,
                FeedbackRequest.status == RequestStatus.OPEN,
            )
        )
        if request is not None:
            request.status = RequestStatus.SUBMITTED
            fb.request_id = request.id
        record(db_session, principal=principal, action="feedback.submitted", entity=fb)
        # Who wrote it, and as what, stays out: a subscriber learns only that there is more.
        emit(
            db_session,
            EventType.FEEDBACK_RECEIVED,
            feedback_id=fb.id,
            period_id=fb.period_id,
            subject_id=fb.subject_id,
        )
    notify_feedback_stored(db_session)
    return [d.feedback for d in drafts]


def submit(*, db_session: Session, principal: Principal, data: FeedbackCreate) -> PeerFeedback:
    """The caller submits feedback about a colleague.

    A re-post that rewords one of the author's earlier submissions on the same subject and
    period is `409 feedback_exists` (PATCH that one instead); distinct comments are welcome.
    The bulk import keeps every row: other tools hold several items per reviewer.
    """
    if principal.person_id is None:
        raise Forbidden(
            "feedback is written by a person; use a person-bound key, or the bulk import",
            code="person_required",
        )
    author = require_person(db_session, principal.person_id, "author")
    period = periods.require_reference(db_session, data.period_id)
    subject = require_person(db_session, data.subject_id, "subject_id")
    draft = _build(db_session, period=period, author=author, subject=subject, fields=data)
    refuse_reworded_repost(
        db_session,
        period_id=period.id,
        subject_id=subject.id,
        author_id=author.id,
        text=data.text,
    )
    return _store(db_session, principal, [draft])[0]


def import_rows(
    *,
    db_session: Session,
    principal: Principal,
    rows: list[FeedbackImportRow],
    default_period: str | None = None,
    row_numbers: list[int] | None = None,
) -> list[PeerFeedback]:
    """Import many pieces of feedback: all rows are stored, or none (with a per-row report)."""
    principal.require(*IMPORTERS)
    numbers = row_numbers or list(range(1, len(rows) + 1))
    errors: list[dict[str, object]] = []
    drafts: list[_Draft] = []
    seen: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID, str], int] = {}
    for number, row in zip(numbers, rows, strict=True):
        try:
            ref = row.period or default_period
            if ref is None:
                raise InvalidInput("no period given for this row", code="unknown_period")
            draft = _build(
                db_session,
                period=periods.resolve(db_session, ref),
                author=people.resolve(db_session, row.author, field="author"),
                subject=people.resolve(db_session, row.subject, field="subject"),
                fields=row,
            )
        except SynthError as exc:
            errors.append({"row": number, "code": exc.code, "message": exc.message})
            continue
        if draft.key in seen:
            errors.append(
                {
                    "row": number,
                    "code": "duplicate_feedback",
                    "message": f"same author, subject and text as row {seen[draft.key]}",
                }
            )
            continue
        seen[draft.key] = number
        drafts.append(draft)
    if errors:
        raise InvalidInput(
            f"{len(errors)} of {len(rows)} rows are invalid; nothing was imported",
            code="import_rejected",
            details=errors,
        )
    return _store(db_session, principal, drafts)
