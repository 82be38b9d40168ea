"""Domain rules of the feedback cycle, tested at the service layer where they live."""

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from synth.audit.models import AuditEvent
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles import expectations, feedback, periods, requests, self_assessments
from synth.cycles.models import (
    ExpectationKind,
    ExpectationStatus,
    FeedbackRequest,
    PeriodStatus,
    Relationship,
    RequestStatus,
)
from synth.cycles.schemas import (
    ExpectationCreate,
    ExpectationUpdate,
    FeedbackCreate,
    FeedbackRequestCreate,
    KeyStepIn,
    SelfAssessmentCreate,
)
from synth.errors import Conflict, InvalidInput
from synth.people import service as people
from synth.people.org import management_chain, skip_level_id
from synth.people.schemas import PersonUpdate
from tests import factories as f

HR = Principal(role=Role.HR)


def manager_of(who: f.Org) -> Principal:
    return Principal(role=Role.MANAGER, person_id=who.manager.id)


def start(db: Session, o: f.Org) -> None:
    """Start the period over the org's engineers who have no expectations (HR forces it)."""
    periods.transition(
        db_session=db,
        principal=HR,
        period_id=o.period.id,
        status=PeriodStatus.ACTIVE,
        force=True,
        reason="only the engineer under test has expectations",
    )


def agreed_by_both(db: Session, o: f.Org, expectation_id: uuid.UUID) -> None:
    engineer = Principal(role=Role.ENGINEER, person_id=o.engineer.id)
    for who in (manager_of(o), engineer):
        expectations.agree(db_session=db, principal=who, expectation_id=expectation_id)


def new_expectation(o: f.Org, period_id: object, **extra: object) -> ExpectationCreate:
    body: dict[str, object] = {
        "period_id": period_id,
        "person_id": o.engineer.id,
        "title": "Cut p99 latency of the ledger API below 300 ms",
        "kind": "growth",
    }
    body.update(extra)
    return ExpectationCreate.model_validate(body)


def test_an_engineer_has_at_most_five_expectations_per_period(db: Session) -> None:
    o = f.org(db, status=PeriodStatus.PLANNING)
    for n in range(5):
        made = expectations.create(
            db_session=db,
            principal=manager_of(o),
            data=new_expectation(o, o.period.id, title=f"E{n}"),
        )
        assert made.position == n + 1
    with pytest.raises(Conflict) as refused:
        expectations.create(
            db_session=db, principal=manager_of(o), data=new_expectation(o, o.period.id)
        )
    assert refused.value.code == "too_many_expectations"


def test_starting_the_period_locks_its_expectations(db: Session) -> None:
    o = f.org(db, status=PeriodStatus.PLANNING)
    made = expectations.create(
        db_session=db, principal=manager_of(o), data=new_expectation(o, o.period.id)
    )
    agreed_by_both(db, o, made.id)
    start(db, o)
    assert made.status is ExpectationStatus.LOCKED
    with pytest.raises(Conflict) as refused:
        expectations.update(
            db_session=db,
            principal=manager_of(o),
            expectation_id=made.id,
            data=ExpectationUpdate(title="Something easier"),
        )
    assert refused.value.code == "expectation_locked"
    with pytest.raises(Conflict) as late:
        expectations.create(
            db_session=db, principal=manager_of(o), data=new_expectation(o, o.period.id)
        )
    assert late.value.code == "expectations_locked"


def test_key_steps_can_still_be_ticked_off_after_locking(db: Session) -> None:
    o = f.org(db, status=PeriodStatus.PLANNING)
    made = expectations.create(
        db_session=db,
        principal=manager_of(o),
        data=new_expectation(o, o.period.id, key_steps=[KeyStepIn(text="Profile the hot path")]),
    )
    agreed_by_both(db, o, made.id)
    start(db, o)
    me = Principal(role=Role.ENGINEER, person_id=o.engineer.id)
    step = expectations.set_key_step_done(
        db_session=db,
        principal=me,
        expectation_id=made.id,
        key_step_id=made.key_steps[0].id,
        done=True,
    )
    assert step.done and step.done_at is not None


def test_new_hires_get_onboarding_expectations_after_the_period_starts(db: Session) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    hire = f.person(db, "Nia New", manager=o.manager, level="junior", start_date=date(2026, 9, 14))
    body = new_expectation(
        o,
        o.period.id,
        person_id=hire.id,
        kind="onboarding",
        due_on=hire.start_date + timedelta(days=90),
    )
    made = expectations.create(db_session=db, principal=manager_of(o), data=body)
    assert made.kind is ExpectationKind.ONBOARDING


def test_onboarding_expectations_last_at_most_ninety_days(db: Session) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    hire = f.person(db, "Nia New", manager=o.manager, level="junior", start_date=date(2026, 9, 14))
    for due_on, code in (
        (hire.start_date + timedelta(days=91), "onboarding_too_long"),
        (None, "due_on_required"),
    ):
        body = new_expectation(o, o.period.id, person_id=hire.id, kind="onboarding", due_on=due_on)
        with pytest.raises(InvalidInput) as refused:
            expectations.create(db_session=db, principal=manager_of(o), data=body)
        assert refused.value.code == code


def test_periods_only_move_one_phase_forward(db: Session) -> None:
    o = f.org(db, status=PeriodStatus.PLANNING)
    for wrong in (PeriodStatus.IN_REVIEW, PeriodStatus.PLANNING, PeriodStatus.CLOSED):
        with pytest.raises(Conflict) as refused:
            periods.transition(db_session=db, principal=HR, period_id=o.period.id, status=wrong)
        assert refused.value.code == "invalid_transition"
    start(db, o)
    for step in (PeriodStatus.IN_REVIEW, PeriodStatus.CLOSED):
        periods.transition(db_session=db, principal=HR, period_id=o.period.id, status=step)
    assert o.period.status is PeriodStatus.CLOSED


def test_self_assessments_are_written_while_the_period_is_open(db: Session) -> None:
    o = f.org(db, status=PeriodStatus.PLANNING)
    me = Principal(role=Role.ENGINEER, person_id=o.engineer.id)
    body = SelfAssessmentCreate(period_id=o.period.id, text="Shipped the retry service.")
    with pytest.raises(Conflict) as early:
        self_assessments.create(db_session=db, principal=me, data=body)
    assert early.value.code == "period_not_open"
    o.period.status = PeriodStatus.IN_REVIEW
    made = self_assessments.create(db_session=db, principal=me, data=body)
    assert made.person_id == o.engineer.id
    with pytest.raises(Conflict) as again:
        self_assessments.create(db_session=db, principal=me, data=body)
    assert again.value.code == "duplicate_self_assessment"


def test_submitting_feedback_closes_the_matching_request(db: Session) -> None:
    o = f.org(db)
    request = requests.request_feedback(
        db_session=db,
        principal=manager_of(o),
        data=FeedbackRequestCreate(
            period_id=o.period.id,
            subject_id=o.engineer.id,
            reviewer_id=o.teammate.id,
            relationship=Relationship.PEER,
        ),
    )
    stored = feedback.submit(
        db_session=db,
        principal=Principal(role=Role.ENGINEER, person_id=o.teammate.id),
        data=FeedbackCreate(
            period_id=o.period.id,
            subject_id=o.engineer.id,
            relationship=Relationship.PEER,
            text="Paired with me on the flaky settlement tests and wrote up the root cause.",
        ),
    )
    assert stored.request_id == request.id
    assert db.get(FeedbackRequest, request.id).status is RequestStatus.SUBMITTED  # type: ignore[union-attr]
    assert stored.author_level == o.teammate.level


def test_resubmitting_the_same_words_is_a_duplicate_whatever_the_spacing(db: Session) -> None:
    o = f.org(db)
    teammate = Principal(role=Role.ENGINEER, person_id=o.teammate.id)
    body = FeedbackCreate(
        period_id=o.period.id,
        subject_id=o.engineer.id,
        relationship=Relationship.PEER,
        text="Great incident write-ups.",
    )
    feedback.submit(db_session=db, principal=teammate, data=body)
    with pytest.raises(Conflict) as refused:
        feedback.submit(
            db_session=db,
            principal=teammate,
            data=body.model_copy(update={"text": "great   INCIDENT write-ups."}),
        )
    assert refused.value.code == "duplicate_feedback"


def test_skip_level_is_derived_from_the_org_chart(db: Session) -> None:
    o = f.org(db)
    assert management_chain(db, o.engineer.id) == [o.manager.id, o.director.id]
    assert skip_level_id(db, o.engineer.id) == o.director.id
    assert skip_level_id(db, o.manager.id) is None


def test_the_org_chart_cannot_become_a_cycle(db: Session) -> None:
    o = f.org(db)
    with pytest.raises(InvalidInput) as refused:
        people.update(
            db_session=db,
            principal=HR,
            person_id=o.director.id,
            data=PersonUpdate(manager=o.engineer.email),
        )
    assert refused.value.code == "org_cycle"
    assert o.director.manager_id is None


def test_every_change_is_audited_with_before_and_after(db: Session) -> None:
    o = f.org(db, status=PeriodStatus.PLANNING)
    start(db, o)
    event = db.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == str(o.period.id), AuditEvent.action == "period.transitioned"
        )
    ).one()
    assert event.before is not None and event.before["status"] == "planning"
    assert event.after is not None and event.after["status"] == "active"
    assert event.actor_role == "hr"
