"""Closing a period seeds the next one's planning with the development plan still open.

Every locked expectation whose manager outcome is not `met` (missed, partially met, or not
recorded) is proposed again in the next period in planning, with its key steps not done and a
link to its predecessor. Onboarding expectations are not carried: onboarding is over. Each is
carried once (the link is unique), so closing, or creating the next period later, may run it
again safely; an engineer who already has 5 expectations there gets no more.
"""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from synth.audit.service import record
from synth.auth.principal import Principal
from synth.cycles.models import (
    Expectation,
    ExpectationKind,
    ExpectationStatus,
    KeyStep,
    Outcome,
    ReviewPeriod,
)

MAX_PER_PERIOD = 5


def carry_over(
    db_session: Session, principal: Principal, closed: ReviewPeriod, into: ReviewPeriod
) -> list[Expectation]:
    """Propose `closed`'s unmet locked expectations again in `into`; returns the new ones."""
    carried = select(Expectation.carried_from_id).where(Expectation.carried_from_id.is_not(None))
    unmet = db_session.scalars(
        select(Expectation)
        .where(
            Expectation.period_id == closed.id,
            Expectation.status == ExpectationStatus.LOCKED,
            Expectation.kind != ExpectationKind.ONBOARDING,
            or_(Expectation.manager_outcome.is_(None), Expectation.manager_outcome != Outcome.MET),
            Expectation.id.not_in(carried),
        )
        .order_by(Expectation.person_id, Expectation.position)
    ).all()
    made: list[Expectation] = []
    for previous in unmet:
        used = set(
            db_session.scalars(
                select(Expectation.position).where(
                    Expectation.period_id == into.id, Expectation.person_id == previous.person_id
                )
            )
        )
        free = sorted(set(range(1, MAX_PER_PERIOD + 1)) - used)
        if not free:
            continue
        expectation = Expectation(
            period_id=into.id,
            person_id=previous.person_id,
            position=free[0],
            title=previous.title,
            description=previous.description,
            kind=previous.kind,
            due_on=None,  # the old due date has passed; the new one is agreed in planning
            status=ExpectationStatus.PROPOSED,
            carried_from_id=previous.id,
            key_steps=[
                KeyStep(position=step.position, text=step.text, done=False)
                for step in previous.key_steps
            ],
        )
        db_session.add(expectation)
        record(db_session, principal=principal, action="expectation.carried", entity=expectation)
        made.append(expectation)
    return made
