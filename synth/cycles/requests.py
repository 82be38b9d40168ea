"""Feedback requests: a manager asks chosen colleagues for examples against the expectations.

A request shows the reviewer the subject's expectations for the period and, unless the
manager wrote their own, a message asking for objective examples against them. Reviewers see
the requests addressed to them and may decline one; synth suggests whom to ask, spread over
relationships and levels, preferring people who worked with the engineer.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Exists, Select, exists, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from synth.audit.service import record, snapshot
from synth.auth.principal import Principal
from synth.auth.scope import manages, require_chain
from synth.cycles import periods
from synth.cycles.feedback import (
    OPEN_PHASES,
    is_cross_functional,
    proven_relationship,
    require_person,
)
from synth.cycles.models import (
    Expectation,
    FeedbackRequest,
    PeerFeedback,
    Relationship,
    RequestStatus,
    ReviewPeriod,
)
from synth.cycles.schemas import FeedbackRequestCreate
from synth.db.base import utcnow
from synth.db.queries import insert_unique, visible_one
from synth.errors import Conflict, Forbidden, InvalidInput
from synth.people.models import Function, Level, Person, Track
from synth.people.org import management_chain, subtree_ids

# Requests a reviewer answers (or answered) let them read the subject's expectations.
READING_STATUSES = (RequestStatus.OPEN, RequestStatus.SUBMITTED)
MAX_SUGGESTIONS = 20


def readable_requests(principal: Principal) -> Select[FeedbackRequest]:
    """Requests addressed to the principal, or about people they manage."""
    visible = manages(principal, FeedbackRequest.subject_id)
    if principal.person_id is not None:
        visible = or_(visible, FeedbackRequest.reviewer_id == principal.person_id)
    return select(FeedbackRequest).where(visible).order_by(FeedbackRequest.created_at)


def reviewer_may_read(
    principal: Principal,
    period_id: InstrumentedAttribute[uuid.UUID],
    person_id: InstrumentedAttribute[uuid.UUID],
) -> Exists:
    """Condition: the principal was asked for feedback on `person_id` in `period_id` and has
    not declined (used by `readable_expectations`, so reviewers see what they comment on)."""
    return exists().where(
        FeedbackRequest.reviewer_id == principal.person_id,
        FeedbackRequest.subject_id == person_id,
        FeedbackRequest.period_id == period_id,
        FeedbackRequest.status.in_(READING_STATUSES),
    )


def get_request(
    *, db_session: Session, principal: Principal, request_id: uuid.UUID
) -> FeedbackRequest:
    found: FeedbackRequest = visible_one(
        db_session,
        readable_requests(principal).where(FeedbackRequest.id == request_id),
        message=f"no feedback request with id {request_id}",
        code="feedback_request_not_found",
    )
    return found


def default_message(subject: Person, period: ReviewPeriod, expectations: list[Expectation]) -> str:
    """What a request asks when the manager wrote nothing: objective examples, against the
    expectations the engineer works to, so feedback is evidence rather than impressions."""
    lines = [
        f"Please share feedback on {subject.name}'s work during {period.name}.",
        "Concrete, objective examples help most: for each one, what happened, when it "
        "happened, and what changed as a result.",
    ]
    if expectations:
        lines.append(
            f"{subject.name}'s expectations for the period are below; where you saw work "
            "towards one, please give an example against it (and say so if you did not):"
        )
        lines += [f"{e.position}. {e.title}" for e in expectations]
    else:
        lines.append(
            f"{subject.name} has no expectations recorded for this period yet; examples of "
            "any work you saw are just as useful."
        )
    return "\n".join(lines)


def request_feedback(
    *, db_session: Session, principal: Principal, data: FeedbackRequestCreate
) -> FeedbackRequest:
    """A manager asks a colleague for feedback about someone in their org."""
    period = periods.require_reference(db_session, data.period_id)
    periods.require_status(period, *OPEN_PHASES, doing="request feedback")
    subject = require_person(db_session, data.subject_id, "subject_id")
    reviewer = require_person(db_session, data.reviewer_id, "reviewer_id")
    if subject.id == reviewer.id:
        raise InvalidInput("a person cannot review themselves", code="self_feedback")
    require_chain(
        db_session,
        principal,
        subject.id,
        "only the subject's management chain may request feedback",
    )
    message = data.message.strip() or default_message(
        subject, period, _expectations(db_session, subject.id, period.id)
    )
    request = FeedbackRequest(
        period_id=period.id,
        subject_id=subject.id,
        reviewer_id=reviewer.id,
        requested_by_id=principal.person_id,
        relationship=data.relationship,
        message=message,
    )
    insert_unique(
        db_session,
        request,
        message="this reviewer was already asked about this person this period",
        code="duplicate_request",
    )
    record(db_session, principal=principal, action="feedback_request.created", entity=request)
    return request


def _expectations(
    db_session: Session, person_id: uuid.UUID, period_id: uuid.UUID
) -> list[Expectation]:
    return list(
        db_session.scalars(
            select(Expectation)
            .where(Expectation.person_id == person_id, Expectation.period_id == period_id)
            .order_by(Expectation.position)
        )
    )


def decline(
    *,
    db_session: Session,
    principal: Principal,
    request_id: uuid.UUID,
    reason: str | None,
) -> FeedbackRequest:
    """The reviewer says no to an open request; the requester sees it declined, and why."""
    request = get_request(db_session=db_session, principal=principal, request_id=request_id)
    if principal.person_id is None or request.reviewer_id != principal.person_id:
        raise Forbidden("only the reviewer asked may decline a request", code="not_reviewer")
    # Lock the row: a decline racing another decline (or a retry) sees the first one's result.
    db_session.refresh(request, with_for_update=True)
    if request.status is not RequestStatus.OPEN:
        raise Conflict(
            f"this request is {request.status.value}; only an open request can be declined",
            code="request_not_open",
        )
    before = snapshot(request)
    request.status = RequestStatus.DECLINED
    request.decline_reason = reason or None
    request.declined_at = utcnow()
    record(
        db_session,
        principal=principal,
        action="feedback_request.declined",
        entity=request,
        before=before,
    )
    return request


@dataclass
class Suggestion:
    """A colleague worth asking, and why, in plain words."""

    person: Person
    relationship: Relationship
    reasons: list[str] = field(default_factory=list)
    score: int = 0
    group: str = ""  # the spread: peer, cross_functional, report, more senior

    @property
    def reason(self) -> str:
        return ", ".join(self.reasons)


@dataclass(frozen=True)
class _History:
    """Who worked with the subject, as the feedback and request records show it."""

    gave_now: set[uuid.UUID]
    gave_before: set[uuid.UUID]
    received_now: set[uuid.UUID]
    received_before: set[uuid.UUID]
    asked_about: set[uuid.UUID]
    requested: set[uuid.UUID]


def _ids(db_session: Session, statement: Select[uuid.UUID]) -> set[uuid.UUID]:
    return set(db_session.scalars(statement))


def _history(
    db_session: Session, subject: Person, period: ReviewPeriod, previous: ReviewPeriod | None
) -> _History:
    def authors(period_id: uuid.UUID | None) -> set[uuid.UUID]:
        return _ids(
            db_session,
            select(PeerFeedback.author_id).where(
                PeerFeedback.subject_id == subject.id, PeerFeedback.period_id == period_id
            ),
        )

    def subjects(period_id: uuid.UUID | None) -> set[uuid.UUID]:
        return _ids(
            db_session,
            select(PeerFeedback.subject_id).where(
                PeerFeedback.author_id == subject.id, PeerFeedback.period_id == period_id
            ),
        )

    before = previous.id if previous else None
    return _History(
        gave_now=authors(period.id),
        gave_before=authors(before) if before else set(),
        received_now=subjects(period.id),
        received_before=subjects(before) if before else set(),
        asked_about=_ids(
            db_session,
            select(FeedbackRequest.subject_id).where(
                FeedbackRequest.reviewer_id == subject.id, FeedbackRequest.period_id == period.id
            ),
        ),
        requested=_ids(
            db_session,
            select(FeedbackRequest.reviewer_id).where(
                FeedbackRequest.subject_id == subject.id, FeedbackRequest.period_id == period.id
            ),
        ),
    )


def _previous_period(db_session: Session, period: ReviewPeriod) -> ReviewPeriod | None:
    return db_session.scalar(
        select(ReviewPeriod)
        .where(ReviewPeriod.starts_on < period.starts_on)
        .order_by(ReviewPeriod.starts_on.desc())
        .limit(1)
    )


def suggest_reviewers(
    *,
    db_session: Session,
    principal: Principal,
    person_id: uuid.UUID,
    period_id: uuid.UUID,
    limit: int = 5,
) -> list[Suggestion]:
    """Colleagues to ask about `person_id` this period, spread over relationships and levels.

    Candidates are people the org chart or the feedback history puts near the engineer; the
    engineer, their manager, people already asked or who already gave feedback this period,
    HR and people who had not joined by the period's end are never suggested.
    """
    require_chain(
        db_session,
        principal,
        person_id,
        "only the engineer's management chain may see suggested reviewers",
    )
    subject = require_person(db_session, person_id, "person_id")
    period = periods.require_reference(db_session, period_id)
    periods.require_status(period, *OPEN_PHASES, doing="suggest reviewers")
    chain = management_chain(db_session, subject.id)
    history = _history(db_session, subject, period, _previous_period(db_session, period))
    department_head = chain[1] if len(chain) > 1 else (chain[0] if chain else None)
    department = (
        _ids(db_session, subtree_ids(department_head)) | {department_head}
        if department_head
        else set()
    )
    excluded = {subject.id, *chain[:1], *history.requested, *history.gave_now}
    if principal.person_id is not None:
        excluded.add(principal.person_id)
    near = (
        department
        | history.gave_before
        | history.received_now
        | history.received_before
        | history.asked_about
        | set(chain)
    )
    people = db_session.scalars(
        select(Person)
        .where(
            Person.id.in_(near - excluded),
            Person.function != Function.HR,
            Person.start_date <= period.ends_on,
        )
        .order_by(Person.name, Person.id)
    ).all()
    ranks = {level.key: (level.track, level.rank) for level in db_session.scalars(select(Level))}
    scored = [_score(p, subject, chain, history, ranks) for p in people]
    return _spread([s for s in scored if s.score > 0], limit)


def _score(
    person: Person,
    subject: Person,
    chain: list[uuid.UUID],
    history: _History,
    ranks: dict[str, tuple[Track, int]],
) -> Suggestion:
    """Why `person` is worth asking, with a weight: shared work counts most, then the org."""
    first = subject.name.split()[0] if subject.name.split() else subject.name
    proven = proven_relationship(chain, person, subject)
    cross = proven is None and is_cross_functional(person, subject)
    relationship = proven or (Relationship.CROSS_FUNCTIONAL if cross else Relationship.PEER)
    found = Suggestion(person=person, relationship=relationship)

    def add(points: int, reason: str) -> None:
        found.score += points
        found.reasons.append(reason)

    same_team = person.manager_id is not None and person.manager_id == subject.manager_id
    senior = _more_senior(person, subject, ranks)
    if relationship is Relationship.CROSS_FUNCTIONAL:
        add(1, f"cross-functional: {person.function.value}")
        found.group = "cross_functional"
    elif relationship is Relationship.REPORT:
        add(2, f"reports to {first}")
        found.group = "report"
    elif relationship is Relationship.SKIP_LEVEL:
        add(1, "skip-level")
        found.group = "more senior"
    elif same_team:
        add(2, "same team, more senior" if senior else "same team, peer")
        found.group = "more senior" if senior else "peer"
    else:
        add(1, "same department, more senior" if senior else "same department, peer")
        found.group = "more senior" if senior else "peer"
    if cross and same_team:
        add(1, "same team")
    if person.id in history.gave_before:
        add(3, "gave feedback last period")
    if person.id in history.received_now:
        add(3, f"{first} gave them feedback this period")
    elif person.id in history.received_before:
        add(2, f"{first} gave them feedback last period")
    if person.id in history.asked_about:
        add(2, f"{first} was asked for feedback about them this period")
    return found


def _more_senior(person: Person, subject: Person, ranks: dict[str, tuple[Track, int]]) -> bool:
    mine, theirs = ranks.get(person.level or ""), ranks.get(subject.level or "")
    if mine is None or theirs is None:
        return False
    if mine[0] is not theirs[0]:
        return mine[0] is Track.MANAGEMENT
    return mine[1] > theirs[1]


def _spread(candidates: Iterable[Suggestion], limit: int) -> list[Suggestion]:
    """Pick greedily: the best-scored first, with a bonus for a relationship, level or
    function not picked yet, so the list covers peers, cross-functional partners, reports
    and more senior people before it doubles up. Ties go by name, then id: deterministic."""
    pool = sorted(candidates, key=lambda s: (-s.score, s.person.name, str(s.person.id)))
    picked: list[Suggestion] = []
    groups: set[str] = set()
    levels: set[str | None] = set()
    functions: set[Function] = set()
    while pool and len(picked) < limit:

        def weight(s: Suggestion) -> int:
            bonus = 2 * (s.group not in groups)
            bonus += s.person.level not in levels
            bonus += s.person.function not in functions
            return s.score + bonus

        best = max(pool, key=weight)  # max keeps the first of equals: the sorted order
        pool.remove(best)
        picked.append(best)
        groups.add(best.group)
        levels.add(best.person.level)
        functions.add(best.person.function)
    return picked
