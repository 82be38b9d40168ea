"""Review periods: create, list, move forward through planning, active, in review, closed."""

import uuid
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, union
from sqlalchemy.orm import Session

from synth.audit.service import record, snapshot
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles.carry import carry_over
from synth.cycles.models import (
    Expectation,
    ExpectationStatus,
    PeerFeedback,
    PeriodStatus,
    ReviewPeriod,
)
from synth.cycles.schemas import PeriodCreate
from synth.db.base import utcnow
from synth.db.queries import visible_one
from synth.errors import Conflict, InvalidInput
from synth.events.models import EventType
from synth.events.service import emit
from synth.people.models import Function, Person, Track

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
    _seed_from_closed(db_session, principal, period)
    return period


def _seed_from_closed(db_session: Session, principal: Principal, period: ReviewPeriod) -> None:
    """A period created after the previous one closed is seeded as closing would have."""
    closed = db_session.scalar(
        select(ReviewPeriod)
        .where(
            ReviewPeriod.status == PeriodStatus.CLOSED,
            ReviewPeriod.starts_on < period.starts_on,
        )
        .order_by(ReviewPeriod.starts_on.desc(), ReviewPeriod.name.desc())
        .limit(1)
    )
    if closed is not None and next_in_planning(db_session, closed) is period:
        carry_over(db_session, principal, closed, period)


MIN_AGREED = 3


def short_of_agreed(db_session: Session, period: ReviewPeriod) -> list[dict[str, Any]]:
    """Engineers with fewer than 3 agreed expectations for `period`, by name.

    Counted: everyone with expectations or feedback in the period, and every IC engineer who
    started before it (new hires who start during the period set theirs after it starts).
    """
    in_period = union(
        select(Expectation.person_id).where(Expectation.period_id == period.id),
        select(PeerFeedback.subject_id).where(PeerFeedback.period_id == period.id),
    )
    agreed = func.count(Expectation.id)
    rows = db_session.execute(
        select(Person.id, Person.name, agreed)
        .outerjoin(
            Expectation,
            and_(
                Expectation.person_id == Person.id,
                Expectation.period_id == period.id,
                Expectation.status.in_((ExpectationStatus.AGREED, ExpectationStatus.LOCKED)),
            ),
        )
        .where(
            or_(
                Person.id.in_(in_period),
                and_(
                    Person.function == Function.ENGINEERING,
                    Person.track == Track.IC,
                    Person.start_date < period.starts_on,
                ),
            )
        )
        .group_by(Person.id, Person.name)
        .having(agreed < MIN_AGREED)
        .order_by(Person.name, Person.id)
    )
    return [{"person_id": str(pid), "name": name, "agreed": n} for pid, name, n in rows]


def lock(db_session: Session, principal: Principal, expectation: Expectation) -> None:
    """Fix an agreed expectation for its period (audited); the database keeps it fixed."""
    before = snapshot(expectation)
    expectation.status = ExpectationStatus.LOCKED
    record(
        db_session,
        principal=principal,
        action="expectation.locked",
        entity=expectation,
        before=before,
    )


def _start(
    db_session: Session, principal: Principal, period: ReviewPeriod, *, force: bool, reason: str
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Lock the agreed expectations, once every engineer has 3 (or HR forces it, with a
    reason). Still-proposed ones stay proposed, outside the locked set, and can no longer be
    edited or agreed (new hires' excepted); they carry no weight in the review."""
    short = short_of_agreed(db_session, period)
    if short and not force:
        raise Conflict(
            f"{len(short)} engineer(s) have fewer than {MIN_AGREED} agreed expectations for "
            f"'{period.name}'; agree them first, or force the start (HR) with a reason",
            code="too_few_agreed_expectations",
            details=short,
        )
    if short:
        period.start_override = {
            "reason": reason,
            "by": str(principal.person_id or principal.key_id),
            "at": utcnow().isoformat(),
            "short": short,
        }
    locked: dict[uuid.UUID, list[uuid.UUID]] = {}
    agreed = select(Expectation).where(
        Expectation.period_id == period.id, Expectation.status == ExpectationStatus.AGREED
    )
    for expectation in db_session.scalars(agreed):
        lock(db_session, principal, expectation)
        locked.setdefault(expectation.person_id, []).append(expectation.id)
    return locked


def transition(
    *,
    db_session: Session,
    principal: Principal,
    period_id: uuid.UUID,
    status: PeriodStatus,
    force: bool = False,
    reason: str | None = None,
) -> ReviewPeriod:
    """Move a period one phase forward: entering `active` locks its agreed expectations;
    closing it seeds the next period's planning with the plan still open."""
    principal.require(Role.HR)
    period = get(db_session=db_session, principal=principal, period_id=period_id)
    current, wanted = ORDER.index(period.status), ORDER.index(status)
    if wanted != current + 1:
        raise Conflict(
            f"period '{period.name}' is {period.status.value}; it can only move to "
            + (ORDER[current + 1].value if current + 1 < len(ORDER) else "nothing (closed)"),
            code="invalid_transition",
        )
    reason = (reason or "").strip()
    if force and status is not PeriodStatus.ACTIVE:
        raise InvalidInput(
            "force only applies to starting a period (status active)", code="force_not_applicable"
        )
    if force and not reason:
        raise InvalidInput("forcing the start needs a reason", code="force_reason_required")
    before = snapshot(period)
    locked: dict[uuid.UUID, list[uuid.UUID]] = {}
    if status is PeriodStatus.ACTIVE:
        locked = _start(db_session, principal, period, force=force, reason=reason)
    period.status = status
    if status is PeriodStatus.CLOSED and (following := next_in_planning(db_session, period)):
        carry_over(db_session, principal, period, following)
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


def next_in_planning(db_session: Session, period: ReviewPeriod) -> ReviewPeriod | None:
    """The earliest period in planning that starts after `period` starts: where what this
    period taught (suggestions, missed expectations) is planned."""
    found: ReviewPeriod | None = db_session.scalar(
        select(ReviewPeriod)
        .where(
            ReviewPeriod.starts_on > period.starts_on,
            ReviewPeriod.status == PeriodStatus.PLANNING,
        )
        .order_by(ReviewPeriod.starts_on, ReviewPeriod.name)
        .limit(1)
    )
    return found
