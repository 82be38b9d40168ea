"""Expectations and key steps: 3-5 per engineer per period, fixed once the period starts."""

import uuid
from datetime import timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from synth.audit.service import record, snapshot
from synth.auth.principal import Principal
from synth.auth.scope import manages, person_scope
from synth.cycles import periods, requests
from synth.cycles.models import (
    Expectation,
    ExpectationKind,
    ExpectationStatus,
    KeyStep,
    PeriodStatus,
)
from synth.cycles.schemas import ExpectationCreate, ExpectationUpdate, KeyStepIn
from synth.db.base import utcnow
from synth.db.queries import visible_one
from synth.errors import Conflict, Forbidden, InvalidInput, NotFound
from synth.people.models import Person

MAX_PER_PERIOD = 5
ONBOARDING_DAYS = 90


def readable_expectations(principal: Principal) -> Select[Expectation]:
    """Own expectations, the org's for managers, assigned subjects' for thought partners."""
    visible = person_scope(principal, Expectation.person_id, include_self=True)
    # A reviewer asked for feedback (open or answered request) reads that engineer's
    # expectations for that period: they are what the request asks examples against.
    if principal.person_id is not None:
        visible = or_(
            visible,
            requests.reviewer_may_read(principal, Expectation.period_id, Expectation.person_id),
        )
    return select(Expectation).where(visible).order_by(Expectation.person_id, Expectation.position)


def get(*, db_session: Session, principal: Principal, expectation_id: uuid.UUID) -> Expectation:
    found: Expectation = visible_one(
        db_session,
        readable_expectations(principal).where(Expectation.id == expectation_id),
        message=f"no expectation with id {expectation_id}",
        code="expectation_not_found",
    )
    return found


def _require_author(db_session: Session, principal: Principal, person_id: uuid.UUID) -> None:
    """Expectations are set by the engineer or by someone in their management chain."""
    if principal.person_id is not None and principal.person_id == person_id:
        return
    in_org = db_session.scalar(
        select(Person.id).where(Person.id == person_id, manages(principal, Person.id))
    )
    if in_org is None:
        raise Forbidden("only the engineer or their management chain may set expectations")


def _check_onboarding(person: Person, kind: ExpectationKind, due_on: object) -> None:
    if kind is not ExpectationKind.ONBOARDING:
        return
    if due_on is None:
        raise InvalidInput("onboarding expectations need a due_on date", code="due_on_required")
    limit = person.start_date + timedelta(days=ONBOARDING_DAYS)
    if due_on > limit:  # type: ignore[operator]
        raise InvalidInput(
            f"onboarding expectations last at most {ONBOARDING_DAYS} days from the start date "
            f"({person.start_date}); due_on must be on or before {limit}",
            code="onboarding_too_long",
        )


def create(*, db_session: Session, principal: Principal, data: ExpectationCreate) -> Expectation:
    """Propose an expectation with its key steps while the period is being planned.

    Once a period is active its expectations are fixed; only people who started during the
    period (new hires) may still get their onboarding expectations then.
    """
    period = periods.require_reference(db_session, data.period_id)
    person = db_session.get(Person, data.person_id)
    if person is None:
        raise InvalidInput(f"no person with id {data.person_id}", code="unknown_person")
    _require_author(db_session, principal, person.id)
    new_hire = person.start_date >= period.starts_on
    if period.status is not PeriodStatus.PLANNING and not (
        new_hire and period.status is PeriodStatus.ACTIVE
    ):
        raise Conflict(
            f"period '{period.name}' is {period.status.value}: expectations are fixed for the "
            "period (only new hires may still set theirs while it is active)",
            code="expectations_locked",
        )
    _check_onboarding(person, data.kind, data.due_on)
    db_session.execute(
        select(Person.id).where(Person.id == person.id).with_for_update()
    )  # serialise concurrent creates for one person so the 5-limit holds
    used = set(
        db_session.scalars(
            select(Expectation.position).where(
                Expectation.period_id == period.id, Expectation.person_id == person.id
            )
        )
    )
    if len(used) >= MAX_PER_PERIOD:
        raise Conflict(
            f"{person.name} already has {MAX_PER_PERIOD} expectations for '{period.name}' "
            "(3-5 per period)",
            code="too_many_expectations",
        )
    expectation = Expectation(
        period_id=period.id,
        person_id=person.id,
        position=min(set(range(1, MAX_PER_PERIOD + 1)) - used),
        title=data.title,
        description=data.description,
        kind=data.kind,
        due_on=data.due_on,
        created_by_id=principal.person_id,
        status=ExpectationStatus.PROPOSED,
        key_steps=[_key_step(i, step) for i, step in enumerate(data.key_steps, start=1)],
    )
    db_session.add(expectation)
    record(db_session, principal=principal, action="expectation.created", entity=expectation)
    return expectation


def _key_step(position: int, step: KeyStepIn) -> KeyStep:
    return KeyStep(
        position=position, text=step.text, done=step.done, done_at=utcnow() if step.done else None
    )


def _require_unlocked(expectation: Expectation) -> None:
    if expectation.status is ExpectationStatus.LOCKED:
        raise Conflict(
            "this expectation is locked for the period; record the outcome in the "
            "end-of-period review instead of editing it",
            code="expectation_locked",
        )


def update(
    *,
    db_session: Session,
    principal: Principal,
    expectation_id: uuid.UUID,
    data: ExpectationUpdate,
) -> Expectation:
    """Edit an expectation that is not yet locked; a change clears both sign-offs."""
    expectation = get(db_session=db_session, principal=principal, expectation_id=expectation_id)
    _require_author(db_session, principal, expectation.person_id)
    _require_editable_phase(db_session, expectation)
    before = snapshot(expectation)
    changes = data.model_dump(exclude_unset=True)
    person = db_session.get(Person, expectation.person_id)
    assert person is not None
    _check_onboarding(
        person, changes.get("kind") or expectation.kind, changes.get("due_on", expectation.due_on)
    )
    for name, value in changes.items():
        if (value is not None or name == "due_on") and value != getattr(expectation, name):
            setattr(expectation, name, value)
            _clear_sign_offs(expectation)
    record(
        db_session,
        principal=principal,
        action="expectation.updated",
        entity=expectation,
        before=before,
    )
    return expectation


def in_chain(db_session: Session, principal: Principal, person_id: uuid.UUID) -> bool:
    """True when the principal is an admin or a manager above `person_id`."""
    return (
        db_session.scalar(
            select(Person.id).where(Person.id == person_id, manages(principal, Person.id))
        )
        is not None
    )


def _require_editable_phase(db_session: Session, expectation: Expectation) -> None:
    """Expectations change while the period is planned; once it is active only a new hire's
    (who started during the period) may still be set, edited and agreed."""
    _require_unlocked(expectation)
    period = periods.require_reference(db_session, expectation.period_id)
    if period.status is PeriodStatus.PLANNING:
        return
    person = db_session.get(Person, expectation.person_id)
    new_hire = person is not None and person.start_date >= period.starts_on
    if not (new_hire and period.status is PeriodStatus.ACTIVE):
        raise Conflict(
            f"period '{period.name}' is {period.status.value}: expectations are fixed for the "
            "period (only new hires may still set theirs while it is active)",
            code="expectations_locked",
        )


def _clear_sign_offs(expectation: Expectation) -> None:
    """What was agreed is what locks: a changed text needs both sign-offs again."""
    expectation.engineer_agreed_by_id = expectation.engineer_agreed_at = None
    expectation.manager_agreed_by_id = expectation.manager_agreed_at = None
    expectation.status = ExpectationStatus.PROPOSED


def agree(*, db_session: Session, principal: Principal, expectation_id: uuid.UUID) -> Expectation:
    """Sign an expectation off, as the engineer or as their management chain.

    It is agreed once both have signed; a new hire's, agreed while the period is already
    active, locks at once. Signing twice changes nothing and records nothing.
    """
    expectation = get(db_session=db_session, principal=principal, expectation_id=expectation_id)
    is_engineer = principal.person_id is not None and principal.person_id == expectation.person_id
    if not is_engineer and not in_chain(db_session, principal, expectation.person_id):
        raise Forbidden(
            "only the engineer and their management chain sign off an expectation",
            code="agree_forbidden",
        )
    _require_editable_phase(db_session, expectation)
    # The engineer and the manager may sign at the same moment: each must see the other's.
    db_session.refresh(expectation, with_for_update=True)
    signed = expectation.engineer_agreed_at if is_engineer else expectation.manager_agreed_at
    if signed is not None:
        return expectation
    before = snapshot(expectation)
    if is_engineer:
        expectation.engineer_agreed_by_id, expectation.engineer_agreed_at = (
            principal.person_id,
            utcnow(),
        )
    else:
        expectation.manager_agreed_by_id, expectation.manager_agreed_at = (
            principal.person_id,
            utcnow(),
        )
    both = expectation.engineer_agreed_at is not None and expectation.manager_agreed_at is not None
    if both:
        expectation.status = ExpectationStatus.AGREED
    record(
        db_session,
        principal=principal,
        action="expectation.agreed" if both else "expectation.signed_off",
        entity=expectation,
        before=before,
    )
    period = periods.require_reference(db_session, expectation.period_id)
    if both and period.status is PeriodStatus.ACTIVE:
        periods.lock(db_session, principal, expectation)
    return expectation


def add_key_step(
    *, db_session: Session, principal: Principal, expectation_id: uuid.UUID, data: KeyStepIn
) -> KeyStep:
    """Append a key step. Before the lock it changes what is being agreed (both sign-offs
    are cleared); after it, steps are only added to the plan, never rewritten."""
    expectation = get(db_session=db_session, principal=principal, expectation_id=expectation_id)
    _require_author(db_session, principal, expectation.person_id)
    if expectation.status is not ExpectationStatus.LOCKED:
        _require_editable_phase(db_session, expectation)
        if expectation.engineer_agreed_at or expectation.manager_agreed_at:
            before = snapshot(expectation)
            _clear_sign_offs(expectation)
            record(
                db_session,
                principal=principal,
                action="expectation.updated",
                entity=expectation,
                before=before,
            )
    else:
        period = periods.require_reference(db_session, expectation.period_id)
        if period.status is PeriodStatus.CLOSED:
            raise Conflict(f"period '{period.name}' is closed", code="period_not_open")
    count = db_session.scalar(
        select(func.count()).select_from(KeyStep).where(KeyStep.expectation_id == expectation.id)
    )
    if (count or 0) >= 10:
        raise Conflict("an expectation has at most 10 key steps", code="too_many_key_steps")
    step = _key_step((count or 0) + 1, data)
    step.expectation_id = expectation.id
    db_session.add(step)
    record(db_session, principal=principal, action="key_step.created", entity=step)
    return step


def set_key_step_done(
    *,
    db_session: Session,
    principal: Principal,
    expectation_id: uuid.UUID,
    key_step_id: uuid.UUID,
    done: bool,
) -> KeyStep:
    """Tick or untick a key step: tracking progress is allowed all period, until it closes."""
    expectation = get(db_session=db_session, principal=principal, expectation_id=expectation_id)
    _require_author(db_session, principal, expectation.person_id)
    period = periods.require_reference(db_session, expectation.period_id)
    if period.status is PeriodStatus.CLOSED:
        raise Conflict(f"period '{period.name}' is closed", code="period_not_open")
    step = db_session.get(KeyStep, key_step_id)
    if step is None or step.expectation_id != expectation.id:
        raise NotFound(f"no key step {key_step_id} on this expectation", code="key_step_not_found")
    before = snapshot(step)
    step.done = done
    step.done_at = utcnow() if done else None
    record(db_session, principal=principal, action="key_step.updated", entity=step, before=before)
    return step
