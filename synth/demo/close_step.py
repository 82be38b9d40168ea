"""The end of the review period: the managers' outcomes beside the engineers' own, a
suggestion adopted into the next period, and the close that seeds it (period.yaml).

Each step by the person who would take it, through the same services as the HTTP API; each
leaves a line in the report's "Outcomes and close" phase.
"""

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from synth.cycles import adoption, outcomes, periods
from synth.cycles.models import (
    Expectation,
    ExpectationStatus,
    Outcome,
    PeriodStatus,
    ReviewPeriod,
    SelfAssessment,
)
from synth.cycles.schemas import ExpectationAdopt, OutcomeCreate, PeriodCreate
from synth.demo.data_files import SampleOrg
from synth.demo.period_step import HR, PeriodLog, manager_principal, quoted, status_lines
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.people.models import Person


def outcomes_and_close(
    db: Session, sample: SampleOrg, period: ReviewPeriod, people: dict[str, Person], log: PeriodLog
) -> None:
    """Managers record outcomes beside the engineers' own, then HR closes the period, which
    seeds the next one's planning with the plan still open."""
    moments = sample.period
    lines = log.phase("Outcomes and close")
    overrides = {
        (email, o["position"]): o
        for email, items in (moments.get("outcomes") or {}).items()
        for o in items
    }
    by_id = {p.id: p for p in people.values()}
    own = {
        s.expectation_id: s.outcome
        for s in db.scalars(
            select(SelfAssessment).where(
                SelfAssessment.period_id == period.id, SelfAssessment.expectation_id.is_not(None)
            )
        )
    }
    recorded: Counter[str] = Counter()
    differ: list[str] = []
    for expectation in db.scalars(
        select(Expectation)
        .where(Expectation.period_id == period.id, Expectation.status == ExpectationStatus.LOCKED)
        .order_by(Expectation.person_id, Expectation.position)
    ):
        person = by_id[expectation.person_id]
        custom = overrides.get((person.email, expectation.position))
        self_said = own.get(expectation.id)
        outcome, reflection = _manager_view(person, expectation, self_said, custom)
        outcomes.set_outcome(
            db_session=db,
            principal=manager_principal(person),
            expectation_id=expectation.id,
            data=OutcomeCreate(outcome=outcome, reflection=reflection),
        )
        recorded[outcome.value] += 1
        if custom and self_said is not None and self_said != outcome:
            differ.append(
                f"{person.name}'s {quoted(expectation.title, 10)}: self {self_said.value}, "
                f"manager {outcome.value}: {quoted(reflection, 30)}"
            )
    lines.append(
        "Managers recorded an outcome and a reflection for each locked expectation, beside the "
        "engineer's own: "
        + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in recorded.most_common())
        + "."
    )
    lines += [f"Where they differ: {d}" for d in differ]
    nxt = periods.create(
        db_session=db, principal=HR, data=PeriodCreate.model_validate(moments["next_period"])
    )
    adopted = _adopt_one(db, period, by_id)
    if adopted:
        lines.append(adopted)
    periods.transition(db_session=db, principal=HR, period_id=period.id, status=PeriodStatus.CLOSED)
    seeded = list(
        db.scalars(
            select(Expectation)
            .where(Expectation.period_id == nxt.id, Expectation.carried_from_id.is_not(None))
            .order_by(Expectation.person_id, Expectation.position)
        )
    )
    lines += status_lines(db, period, people[moments["status_manager"]], period.ends_on)
    lines.append(
        f"HR closed {period.name}; {nxt.name}, in planning, starts with {len(seeded)} proposed "
        f"expectations carried over (each not met, with its key steps), for "
        f"{len({e.person_id for e in seeded})} engineers to agree again with their managers"
        + (
            f", e.g. {by_id[seeded[0].person_id].name}: {quoted(seeded[0].title, 14)}."
            if seeded
            else "."
        )
    )


def _manager_view(
    person: Person,
    expectation: Expectation,
    self_said: Outcome | None,
    custom: dict[str, Any] | None,
) -> tuple[Outcome, str]:
    """The manager's outcome: as scripted, else the engineer's own, else what the key steps
    show (all done: met; some: partially met; none: missed)."""
    if custom:
        return Outcome(custom["outcome"]), str(custom["reflection"])
    first = person.name.split()[0]
    if self_said is not None:
        return self_said, f"Agrees with {first}'s own assessment and the feedback."
    done = sum(1 for step in expectation.key_steps if step.done)
    total = len(expectation.key_steps)
    outcome = (
        Outcome.MET
        if total and done == total
        else Outcome.PARTIALLY_MET
        if done
        else Outcome.MISSED
    )
    return outcome, f"{first} gave no outcome for it; {done} of {total} key steps are done."


def _adopt_one(db: Session, period: ReviewPeriod, by_id: dict[Any, Person]) -> str | None:
    """A manager adopts the first suggestion of an approved expectations draft into the next
    period's planning, with its key steps."""
    draft = db.scalar(
        select(Draft)
        .where(
            Draft.period_id == period.id,
            Draft.kind == DraftKind.EXPECTATIONS,
            Draft.status.in_((DraftStatus.APPROVED, DraftStatus.RELEASED)),
        )
        .order_by(Draft.created_at, Draft.id)
        .limit(1)
    )
    if draft is None:
        return None
    engineer = by_id[draft.subject_id]
    made = adoption.adopt(
        db_session=db,
        principal=manager_principal(engineer),
        data=ExpectationAdopt(draft_id=draft.id, index=0),
    )
    return (
        f"{engineer.name}'s manager adopted the first of the approved suggestions, "
        f"{quoted(made.title, 16)}, into the next period's planning with its "
        f"{len(made.key_steps)} key steps, as a proposal to agree with {engineer.name.split()[0]}."
    )
