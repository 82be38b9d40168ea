"""The review period from planning to closed, as its people live it (period.yaml).

The stored records (expectations, self-assessments, feedback) come from the sample files; this
module plays out what happens between them, each step by the person who would take it and
through the same services as the HTTP API: sign-offs, a skip-level comment, key steps an
engineer asks for, a start refused until everyone has agreed expectations, feedback requests
that ask for examples (one declined), a flagged remark reworded by its author, outcomes
recorded by the managers, and the close that seeds the next period. Each step leaves a line in
the report.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles import (
    comments,
    expectations,
    periods,
    requests,
    rewording,
    status,
)
from synth.cycles.models import (
    Expectation,
    FeedbackRequest,
    PeerFeedback,
    PeriodStatus,
    ReviewPeriod,
)
from synth.cycles.schemas import (
    CommentCreate,
    ExpectationCreate,
    FeedbackRequestCreate,
    FeedbackUpdate,
)
from synth.demo.data_files import SampleOrg
from synth.demo.document import Block, Bullets, Heading, Paragraph
from synth.drafting import key_steps
from synth.drafting.factory import drafter_name
from synth.errors import SynthError
from synth.people.models import Person, Track

HR = Principal(role=Role.HR)


def person_principal(person: Person) -> Principal:
    role = Role.MANAGER if person.track is Track.MANAGEMENT else Role.ENGINEER
    return Principal(role=role, person_id=person.id)


def manager_principal(person: Person) -> Principal:
    if person.manager_id is None:
        return Principal.system()
    return Principal(role=Role.MANAGER, person_id=person.manager_id)


@dataclass
class PeriodLog:
    """What each phase of the period showed, for the report."""

    phases: list[tuple[str, list[str]]] = field(default_factory=list)

    def phase(self, title: str) -> list[str]:
        lines: list[str] = []
        self.phases.append((title, lines))
        return lines

    def blocks(self) -> list[Block]:
        found: list[Block] = [
            Heading("The period, step by step"),
            Paragraph(
                "Each step taken by the person who would take it, through the same services as "
                "the HTTP API; refusals are the API's own errors."
            ),
        ]
        for title, lines in self.phases:
            found += [Heading(title, level=3), Bullets(lines)]
        return found


def _position(db: Session, person: Person, period: ReviewPeriod, position: int) -> Expectation:
    found = db.scalar(
        select(Expectation).where(
            Expectation.person_id == person.id,
            Expectation.period_id == period.id,
            Expectation.position == position,
        )
    )
    if found is None:
        raise LookupError(f"{person.name} has no expectation {position} in {period.name}")
    return found


def quoted(text: str, words: int = 18) -> str:
    cut = text.split()
    return "“" + " ".join(cut[:words]) + ("…" if len(cut) > words else "") + "”"


def propose(
    db: Session,
    sample: SampleOrg,
    period: ReviewPeriod,
    people: dict[str, Person],
    *,
    new_hires: bool,
) -> int:
    """Managers propose the sample expectations: of everyone already on board in planning,
    of the new hires once they start (each new hire then agrees theirs, which locks them)."""
    made = 0
    for email, items in sample.expectations.items():
        person = people[email]
        if (person.start_date >= period.starts_on) is not new_hires:
            continue
        for item in items:
            expectations.create(
                db_session=db,
                principal=manager_principal(person),
                data=ExpectationCreate(period_id=period.id, person_id=person.id, **item),
            )
            made += 1
        if new_hires:
            _sign(db, person, period)
    return made


def _sign(db: Session, person: Person, period: ReviewPeriod) -> int:
    """The engineer and their manager both sign off each of the engineer's expectations."""
    signed = 0
    for expectation in db.scalars(
        select(Expectation).where(
            Expectation.person_id == person.id, Expectation.period_id == period.id
        )
    ):
        for who in (manager_principal(person), person_principal(person)):
            expectations.agree(db_session=db, principal=who, expectation_id=expectation.id)
        signed += 1
    return signed


def plan(
    db: Session,
    sample: SampleOrg,
    period: ReviewPeriod,
    people: dict[str, Person],
    log: PeriodLog,
) -> int:
    """Planning: proposals, a skip-level comment, key steps on demand, sign-offs, and a start
    refused until the last engineer has signed. Returns how many expectations were proposed."""
    moments = sample.period
    lines = log.phase("Planning")
    made = propose(db, sample, period, people, new_hires=False)
    lines.append(f"Managers proposed {made} expectations for the engineers already on board.")

    note = moments["skip_level_comment"]
    subject, author = people[note["engineer"]], people[note["author"]]
    target = _position(db, subject, period, note["position"])
    comments.create(
        db_session=db,
        principal=person_principal(author),
        expectation_id=target.id,
        data=CommentCreate(text=note["text"]),
    )
    lines.append(
        f"{author.name} (skip-level) commented on {subject.name}'s proposed "
        f"{quoted(target.title, 12)}: {quoted(note['text'], 40)} Their manager sees it; "
        f"{subject.name.split()[0]} does not (management-track discussion)."
    )

    ask = moments["key_steps_on_demand"]
    engineer = people[ask["engineer"]]
    own = _position(db, engineer, period, ask["position"])
    suggestion = key_steps.request(
        db_session=db,
        principal=person_principal(engineer),
        expectation_id=own.id,
        drafter=drafter_name(),
    )
    shown = [s for s in suggestion.steps if s["shown"]]
    adopted = []
    for index in ask["adopt"]:
        step = key_steps.adopt(
            db_session=db,
            principal=person_principal(engineer),
            suggestion_id=suggestion.id,
            step=index,
        )
        adopted.append(step.text)
    lines.append(
        f"{engineer.name} asked for key steps for {quoted(own.title, 12)} and got "
        f"{len(shown)} at once, drafted from the expectation, the {engineer.level} level and "
        f"{engineer.name.split()[0]}'s own self-assessment only; nobody else sees them. "
        f"Adopted {len(adopted)}: " + "; ".join(quoted(t, 20) for t in adopted) + "."
    )

    lines += status_lines(db, period, people[moments["status_manager"]], start_day(period))
    late = people[moments["late_sign_off"]]
    signed = sum(
        _sign(db, p, period)
        for email, p in sorted(people.items())
        if email in sample.expectations and p.start_date < period.starts_on and p.id != late.id
    )
    lines.append(
        f"Engineers and managers signed off {signed} expectations, each sign-off recorded; "
        f"an expectation is agreed only when both have signed."
    )
    try:
        periods.transition(
            db_session=db, principal=HR, period_id=period.id, status=PeriodStatus.ACTIVE
        )
    except SynthError as refused:
        short = refused.details if isinstance(refused.details, list) else []
        names = ", ".join(f"{s['name']} ({s['agreed']} agreed)" for s in short)
        lines.append(
            f"HR's first attempt to start the period was refused ({refused.code}): {names}."
        )
    _sign(db, late, period)
    periods.transition(db_session=db, principal=HR, period_id=period.id, status=PeriodStatus.ACTIVE)
    lines.append(
        f"{late.name} signed off; the period started and its agreed expectations locked: their "
        "text and key-step text cannot change through any path, the database included."
    )
    return made


def request_feedback(
    db: Session, sample: SampleOrg, period: ReviewPeriod, people: dict[str, Person], log: PeriodLog
) -> None:
    """The manager asks the colleagues who will write about one engineer, and one of synth's
    suggestions, who declines."""
    moments = sample.period["feedback_requests"]
    lines = log.phase("Feedback requests (period active)")
    subject = people[moments["subject"]]
    manager = manager_principal(subject)
    writers = {
        row.data["author_email"]: row.data["relationship"]
        for row in sample.feedback
        if row.data["subject_email"] == moments["subject"]
    }
    suggested = requests.suggest_reviewers(
        db_session=db, principal=manager, person_id=subject.id, period_id=period.id
    )
    lines.append(
        f"synth suggested reviewers for {subject.name}: "
        + "; ".join(f"{s.person.name} ({s.reason})" for s in suggested)
        + "."
    )
    made = []
    for email, relationship in writers.items():
        made.append(
            requests.request_feedback(
                db_session=db,
                principal=manager,
                data=FeedbackRequestCreate(
                    period_id=period.id,
                    subject_id=subject.id,
                    reviewer_id=people[email].id,
                    relationship=relationship,
                ),
            )
        )
    lines.append(
        f"The manager requested feedback from {len(made)} colleagues; with no message written, "
        f"each request asks for objective examples against {subject.name.split()[0]}'s "
        f"expectations, which the reviewer can read: {quoted(made[0].message, 45)}"
    )
    others = [s for s in suggested if s.person.email not in writers]
    outsider = next((s for s in others if s.group == "cross_functional"), None) or next(
        iter(others), None
    )
    if outsider is not None:
        asked = requests.request_feedback(
            db_session=db,
            principal=manager,
            data=FeedbackRequestCreate(
                period_id=period.id,
                subject_id=subject.id,
                reviewer_id=outsider.person.id,
                relationship=outsider.relationship,
            ),
        )
        pending = db.scalars(
            requests.readable_requests(person_principal(outsider.person)).where(
                FeedbackRequest.reviewer_id == outsider.person.id
            )
        ).all()
        requests.decline(
            db_session=db,
            principal=person_principal(outsider.person),
            request_id=asked.id,
            reason=moments["decline_reason"],
        )
        lines.append(
            f"{outsider.person.name} saw {len(pending)} pending request and declined it: "
            f"{quoted(moments['decline_reason'], 30)}"
        )


def answered_requests(db: Session, period: ReviewPeriod, log: PeriodLog) -> None:
    counts = Counter(
        r.status.value
        for r in db.scalars(select(FeedbackRequest).where(FeedbackRequest.period_id == period.id))
    )
    with_answers = sum(
        1
        for fb in db.scalars(
            select(PeerFeedback).where(
                PeerFeedback.period_id == period.id, PeerFeedback.request_id.is_not(None)
            )
        )
        if fb.expectation_answers
    )
    log.phases[-1][1].append(
        f"Requests at the end of the period: {counts['submitted']} answered, "
        f"{counts['declined']} declined, {counts['open']} open; {with_answers} of the answers "
        "comment on the engineer's expectations one by one."
    )


def reword(
    db: Session, sample: SampleOrg, period: ReviewPeriod, people: dict[str, Person], log: PeriodLog
) -> None:
    """The author of a flagged remark rewords it before any synthesis reads it."""
    moments = sample.period["reworded"]
    author, subject = people[moments["author"]], people[moments["subject"]]
    lines = log.phase("Feedback and rewording (period in review)")
    item = db.scalar(
        select(PeerFeedback).where(
            PeerFeedback.period_id == period.id,
            PeerFeedback.author_id == author.id,
            PeerFeedback.subject_id == subject.id,
        )
    )
    if item is None:
        raise LookupError(f"{author.name} wrote no feedback about {subject.name}")
    before = item.current_flags
    terms = sorted({f.message.split(":")[0] for f in before})
    edited = rewording.edit(
        db_session=db,
        principal=person_principal(author),
        feedback_id=item.id,
        data=FeedbackUpdate(text=moments["text"]),
    )
    lines.append(
        f"{author.name} saw the bias guard's flag on the feedback about {subject.name} "
        f"({'; '.join(terms)}) and reworded it: {quoted(moments['text'], 40)} "
        f"Flags now: {len(edited.current_flags)}. The earlier version is kept and audited; "
        "themes and drafts read only the new one."
    )


def status_lines(db: Session, period: ReviewPeriod, manager: Person, as_of: date) -> list[str]:
    """One manager's status rows and HR's counts, as of a date."""
    mine = status.view(
        db_session=db, principal=person_principal(manager), period_id=period.id, as_of=as_of
    )
    missing: Counter[str] = Counter(m.code for r in mine.rows or [] for m in r.missing)
    hr = status.view(db_session=db, principal=HR, period_id=period.id, as_of=as_of)
    teams = hr.teams or []
    total: Counter[str] = Counter()
    for team in teams:
        total.update(team.missing)

    def said(counts: Counter[str]) -> str:
        return ", ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "nothing missing"

    rows = mine.rows or []
    return [
        f"Status as of {as_of} ({period.status.value}), {manager.name}'s view: {len(rows)} "
        f"people; missing: {said(missing)}.",
        f"HR's view, counts only for {len(teams)} teams: {said(total)}.",
    ]


def start_day(period: ReviewPeriod) -> date:
    """A week before the period starts: planning time."""
    return period.starts_on - timedelta(days=7)
