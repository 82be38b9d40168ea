"""Where a period stands: for each engineer, what is still missing at this stage.

A manager reads one row per engineer in their org (the management chain scope); HR reads
counts per team, with no names and no content; engineers and thought partners read nothing
here. What is missing depends on the phase:

- planning (and active, where new hires still set theirs): fewer than 3 agreed expectations;
- active and in review: feedback requests still open;
- in review: no self-assessment, feedback from fewer distinct reviewers outside the
  management chain than the anonymity threshold, and the synthesis not drafted, not
  reviewed or not released (the last also once closed);
- new hires, until the period closes: a first meeting within two weeks of the start date, the
  check-in at 90 days, and no expectations yet.

Six queries whatever the size of the org: the people, then one grouped query per record kind.
"""

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.auth.scope import manages
from synth.config import get_settings
from synth.cycles import periods
from synth.cycles.models import (
    Expectation,
    ExpectationStatus,
    FeedbackRequest,
    PeerFeedback,
    PeriodStatus,
    RequestStatus,
    ReviewPeriod,
    SelfAssessment,
)
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.errors import Forbidden
from synth.evidence import CHAIN
from synth.people.models import Function, Person

MIN_AGREED = 3  # expectations per engineer per period: 3-5
FIRST_MEETING_DAYS = 14  # a manager meets a new hire within two weeks of the start date
CHECK_IN_DAYS = 90  # the check-in at the end of onboarding
REMIND_AHEAD = timedelta(days=14)  # a check-in shows two weeks before it is due ...
OVERDUE_FOR = timedelta(days=14)  # ... and until two weeks after
PLANNED = (ExpectationStatus.AGREED, ExpectationStatus.LOCKED)
# A synthesis's most advanced state decides what is missing; failed counts as not drafted.
_PROGRESS = [
    DraftStatus.FAILED,
    DraftStatus.REJECTED,
    DraftStatus.QUEUED,
    DraftStatus.GENERATING,
    DraftStatus.READY_FOR_REVIEW,
    DraftStatus.APPROVED,
    DraftStatus.RELEASED,
]


@dataclass(frozen=True)
class Missing:
    """One thing an engineer still lacks, with a stable code and a plain explanation."""

    code: str
    message: str
    due_on: date | None = None


@dataclass
class Row:
    person: Person
    new_hire: bool
    missing: list[Missing] = field(default_factory=list)


@dataclass(frozen=True)
class Team:
    """HR's view of one team: its manager's id, its size, and how many lack each item."""

    manager_id: uuid.UUID | None
    engineers: int
    missing: dict[str, int]


@dataclass(frozen=True)
class PeriodStatusView:
    period: ReviewPeriod
    as_of: date
    rows: list[Row] | None
    teams: list[Team] | None


def _people(principal: Principal, period: ReviewPeriod) -> Select[Person]:
    """Engineers the principal may see the status of: a manager's org, everyone for HR and
    admins; those who start after the period ends are not in it."""
    statement = select(Person).where(
        Person.function == Function.ENGINEERING, Person.start_date <= period.ends_on
    )
    if principal.role is not Role.HR:
        statement = statement.where(manages(principal, Person.id))
    return statement.order_by(Person.manager_id, Person.name, Person.id)


def _grouped(db_session: Session, statement: Select[uuid.UUID, int]) -> dict[uuid.UUID, int]:
    counts: dict[uuid.UUID, int] = {}
    for person_id, n in db_session.execute(statement):
        counts[person_id] = n
    return counts


def _is_new_hire(person: Person, period: ReviewPeriod) -> bool:
    """Onboarding (their first 90 days) runs during some of the period."""
    return person.start_date + timedelta(days=CHECK_IN_DAYS) >= period.starts_on


def view(
    *, db_session: Session, principal: Principal, period_id: uuid.UUID, as_of: date | None = None
) -> PeriodStatusView:
    """The period's status as the principal may read it (see the module docstring)."""
    if principal.role not in (Role.MANAGER, Role.HR, Role.ADMIN):
        raise Forbidden(
            "the period status is for managers (their org) and HR (counts per team)",
            code="status_forbidden",
        )
    period = periods.get(db_session=db_session, principal=principal, period_id=period_id)
    today = as_of or date.today()
    people = list(db_session.scalars(_people(principal, period)))
    rows = _rows(db_session, period, people, today)
    if principal.role is Role.HR:
        return PeriodStatusView(period=period, as_of=today, rows=None, teams=_teams(rows))
    return PeriodStatusView(period=period, as_of=today, rows=rows, teams=None)


def _teams(rows: list[Row]) -> list[Team]:
    """Counts per manager's team: how many engineers lack each item. No names, no content."""
    by_team: dict[uuid.UUID | None, list[Row]] = {}
    for row in rows:
        by_team.setdefault(row.person.manager_id, []).append(row)
    return [
        Team(
            manager_id=manager_id,
            engineers=len(members),
            missing=dict(sorted(Counter(m.code for row in members for m in row.missing).items())),
        )
        for manager_id, members in by_team.items()
    ]


def _rows(
    db_session: Session, period: ReviewPeriod, people: list[Person], today: date
) -> list[Row]:
    ids = [p.id for p in people]
    if not ids:
        return []
    agreed = _grouped(
        db_session,
        select(Expectation.person_id, func.count())
        .where(
            Expectation.period_id == period.id,
            Expectation.person_id.in_(ids),
            Expectation.status.in_(PLANNED),
        )
        .group_by(Expectation.person_id),
    )
    written = _grouped(
        db_session,
        select(Expectation.person_id, func.count())
        .where(Expectation.period_id == period.id, Expectation.person_id.in_(ids))
        .group_by(Expectation.person_id),
    )
    assessed = _grouped(
        db_session,
        select(SelfAssessment.person_id, func.count())
        .where(SelfAssessment.period_id == period.id, SelfAssessment.person_id.in_(ids))
        .group_by(SelfAssessment.person_id),
    )
    reviewers = _grouped(
        db_session,
        select(PeerFeedback.subject_id, func.count(distinct(PeerFeedback.author_id)))
        .where(
            PeerFeedback.period_id == period.id,
            PeerFeedback.subject_id.in_(ids),
            # What the anonymity threshold counts: the chain's own feedback is theirs to
            # discuss and never makes a theme safe to show.
            PeerFeedback.relationship.not_in(CHAIN),
        )
        .group_by(PeerFeedback.subject_id),
    )
    open_requests = _grouped(
        db_session,
        select(FeedbackRequest.subject_id, func.count())
        .where(
            FeedbackRequest.period_id == period.id,
            FeedbackRequest.subject_id.in_(ids),
            FeedbackRequest.status == RequestStatus.OPEN,
        )
        .group_by(FeedbackRequest.subject_id),
    )
    synthesis: dict[uuid.UUID, DraftStatus] = {}
    for subject_id, status in db_session.execute(
        select(Draft.subject_id, Draft.status).where(
            Draft.kind == DraftKind.SYNTHESIS,
            Draft.period_id == period.id,
            Draft.subject_id.in_(ids),
        )
    ):
        best = synthesis.get(subject_id)
        if best is None or _PROGRESS.index(status) > _PROGRESS.index(best):
            synthesis[subject_id] = status
    threshold = get_settings().anonymity_threshold
    rows = []
    for person in people:
        row = Row(person=person, new_hire=_is_new_hire(person, period))
        pid = person.id
        row.missing += _planning(period, agreed.get(pid, 0), written.get(pid, 0), row.new_hire)
        row.missing += _review(
            period,
            assessed=assessed.get(pid, 0),
            reviewers=reviewers.get(pid, 0),
            threshold=threshold,
            synthesis=synthesis.get(pid),
            open_requests=open_requests.get(pid, 0),
        )
        if row.new_hire:
            row.missing += _onboarding(person, period, today)
        rows.append(row)
    return rows


def _planning(period: ReviewPeriod, agreed: int, written: int, new_hire: bool) -> list[Missing]:
    if period.status not in (PeriodStatus.PLANNING, PeriodStatus.ACTIVE):
        return []
    if written == 0 and new_hire:
        return [
            Missing(
                "no_expectations_yet",
                "A new hire without expectations for this period yet: set their onboarding "
                "expectations together in the first weeks.",
            )
        ]
    if agreed >= MIN_AGREED:
        return []
    return [
        Missing(
            "too_few_agreed_expectations",
            f"{agreed} agreed expectation(s) of the 3 to 5 each engineer needs"
            + (f" ({written - agreed} still proposed)" if written > agreed else "")
            + ": agree them with the engineer before the period starts.",
        )
    ]


def _review(
    period: ReviewPeriod,
    *,
    assessed: int,
    reviewers: int,
    threshold: int,
    synthesis: DraftStatus | None,
    open_requests: int,
) -> list[Missing]:
    found: list[Missing] = []
    if period.status in (PeriodStatus.ACTIVE, PeriodStatus.IN_REVIEW) and open_requests:
        found.append(
            Missing(
                "open_feedback_requests",
                f"{open_requests} feedback request(s) not yet answered or declined.",
            )
        )
    if period.status is PeriodStatus.IN_REVIEW:
        if not assessed:
            found.append(
                Missing(
                    "missing_self_assessment",
                    "No self-assessment yet: the engineer has not written their view of the "
                    "period.",
                )
            )
        if reviewers < threshold:
            found.append(
                Missing(
                    "too_little_feedback",
                    f"Feedback from {reviewers} distinct reviewer(s) outside the management "
                    f"chain, fewer than {threshold}: themes stay hidden from the engineer; "
                    "request more feedback.",
                )
            )
    if period.status in (PeriodStatus.IN_REVIEW, PeriodStatus.CLOSED):
        found += _synthesis(synthesis, closed=period.status is PeriodStatus.CLOSED)
    return found


def _synthesis(status: DraftStatus | None, *, closed: bool) -> list[Missing]:
    if status is DraftStatus.RELEASED:
        return []
    if status is DraftStatus.APPROVED:
        return [
            Missing(
                "synthesis_not_released",
                "The synthesis is approved but not released to the engineer.",
            )
        ]
    if closed:  # drafting and review belong to the review phase; released is what is left
        return [Missing("synthesis_not_released", "The synthesis was never released.")]
    if status is None or status is DraftStatus.FAILED:
        return [Missing("synthesis_not_drafted", "No feedback synthesis drafted yet.")]
    return [
        Missing(
            "synthesis_not_reviewed",
            "A synthesis is drafted (or being drafted) but not yet reviewed and approved.",
        )
    ]


def _onboarding(person: Person, period: ReviewPeriod, today: date) -> list[Missing]:
    """Reminders for a new hire's first two weeks and their 90-day check-in."""
    if period.status is PeriodStatus.CLOSED:
        return []
    found: list[Missing] = []
    meet_by = person.start_date + timedelta(days=FIRST_MEETING_DAYS)
    if today <= meet_by:
        found.append(
            Missing(
                "new_hire_first_meeting",
                f"New hire: meet them within two weeks of their start date, by {meet_by}.",
                due_on=meet_by,
            )
        )
    check_in = person.start_date + timedelta(days=CHECK_IN_DAYS)
    if check_in - REMIND_AHEAD <= today <= check_in + OVERDUE_FOR:
        found.append(
            Missing(
                "new_hire_check_in",
                f"New hire: the 90-day check-in is due on {check_in}.",
                due_on=check_in,
            )
        )
    return found
