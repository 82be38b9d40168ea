"""Review periods: create, list, move forward through planning, active, in review, closed."""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from synth.audit.service import record, snapshot
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles.models import Expectation, ExpectationStatus, PeriodStatus, ReviewPeriod
from synth.cycles.schemas import PeriodCreate
from synth.db.queries import visible_one
from synth.errors import Conflict, InvalidInput
from synth.events.models import EventType
from synth.events.service import emit

ORDER = list(PeriodStatus)


def readable_periods(principal: Principal) -> Select[ReviewPeriod]:
    """Periods are calendar facts: every authenticated caller may read them."""
    return select(ReviewPeriod).order_by(ReviewPeriod.starts_on.desc(), ReviewPeriod.name)


def get(*, db_session: Session, principal: Principal, period_id: uuid.UUID) -> ReviewPeriod:
    period: ReviewPeriod = visible_one(
        db_session,
        readable_periods(principal).where(ReviewPeriod.id == period_id),
        message=f"no review period with id {period_id}",
        code="period_not_found",
    )
    return period


def resolve(db_session: Session, ref: str) -> ReviewPeriod:
    """A period by id or exact name, for references inside bodies and files."""
    period: ReviewPeriod | None
    try:
        period = db_session.get(ReviewPeriod, uuid.UUID(ref))
    except ValueError:
        period = db_session.scalar(select(ReviewPeriod).where(ReviewPeriod.name == ref.strip()))
    if period is None:
        raise InvalidInput(f"no review period '{ref}'", code="unknown_period")
    return period


def require_reference(db_session: Session, period_id: uuid.UUID) -> ReviewPeriod:
    """A period named in a request body: InvalidInput (422) when it does not exist."""
    period = db_session.get(ReviewPeriod, period_id)
    if period is None:
        raise InvalidInput(f"no review period with id {period_id}", code="unknown_period")
    return period


def require_status(period: ReviewPeriod, *allowed: PeriodStatus, doing: str) -> None:
    """Conflict unless the period is in one of `allowed` phases."""
    if period.status not in allowed:
        phases = " or ".join(s.value for s in allowed)
        raise Conflict(
            f"cannot {doing}: period '{period.name}' is {period.status.value} (needs {phases})",
            code="period_not_open",
        )


def create(*, db_session: Session, principal: Principal, data: PeriodCreate) -> ReviewPeriod:
    """Open a new period in planning."""
    principal.require(Role.HR)
    if db_session.scalar(select(ReviewPeriod.id).where(ReviewPeriod.name == data.name)):
        raise Conflict(f"a period named '{data.name}' exists", code="duplicate_period")
    period = ReviewPeriod(**data.model_dump(), status=PeriodStatus.PLANNING)
    db_session.add(period)
    record(db_session, principal=principal, action="period.created", entity=period)
    return period


def transition(
    *, db_session: Session, principal: Principal, period_id: uuid.UUID, status: PeriodStatus
) -> ReviewPeriod:
    """Move a period one phase forward; entering `active` locks its expectations."""
    principal.require(Role.HR)
    period = get(db_session=db_session, principal=principal, period_id=period_id)
    current, wanted = ORDER.index(period.status), ORDER.index(status)
    if wanted != current + 1:
        raise Conflict(
            f"period '{period.name}' is {period.status.value}; it can only move to "
            + (ORDER[current + 1].value if current + 1 < len(ORDER) else "nothing (closed)"),
            code="invalid_transition",
        )
    before = snapshot(period)
    period.status = status
    locked: dict[uuid.UUID, list[uuid.UUID]] = {}
    if status is PeriodStatus.ACTIVE:
        # Expectations stay fixed for the period: lock them the moment it starts.
        unlocked = select(Expectation).where(
            Expectation.period_id == period.id, Expectation.status != ExpectationStatus.LOCKED
        )
        for expectation in db_session.scalars(unlocked):
            previous = snapshot(expectation)
            expectation.status = ExpectationStatus.LOCKED
            record(
                db_session,
                principal=principal,
                action="expectation.locked",
                entity=expectation,
                before=previous,
            )
            locked.setdefault(expectation.person_id, []).append(expectation.id)
    record(
        db_session, principal=principal, action="period.transitioned", entity=period, before=before
    )
    emit(
        db_session,
        EventType.PERIOD_TRANSITIONED,
        period_id=period.id,
        name=period.name,
        previous=before["status"],
        status=status,
    )
    for person_id, expectation_ids in locked.items():
        emit(
            db_session,
            EventType.EXPECTATIONS_LOCKED,
            period_id=period.id,
            person_id=person_id,
            expectation_ids=expectation_ids,
        )
    return period
