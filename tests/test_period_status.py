"""The period status view: what each engineer lacks at this stage, for their managers; counts
per team for HR; nothing for engineers."""

import uuid
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

import tests.factories as f
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles import status
from synth.cycles.models import (
    Expectation,
    ExpectationStatus,
    FeedbackRequest,
    PeriodStatus,
    Relationship,
    RequestStatus,
    SelfAssessment,
)
from synth.drafting.models import Draft, DraftKind, DraftStatus


def read(client: TestClient, o: f.Org, who: str, **params: str) -> dict[str, Any]:
    response = client.get(f"/v1/periods/{o.period.id}/status", headers=o.auth(who), params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def codes(body: dict[str, Any], person_id: uuid.UUID) -> set[str]:
    row = next(r for r in body["engineers"] if r["person_id"] == str(person_id))
    return {m["code"] for m in row["missing"]}


def agreed(db: Session, o: f.Org, n: int, state: ExpectationStatus) -> None:
    for position in range(1, n + 1):
        e = f.expectation(db, o.engineer, o.period, position=position, title=f"Goal {position}")
        e.status = state
    db.commit()


def test_engineers_partners_and_service_keys_may_not_read_it(
    client: TestClient, db: Session
) -> None:
    o = f.org(db, PeriodStatus.PLANNING)
    f.assessment(db, o.engineer, o.manager, o.period, partner=o.partner)
    db.commit()
    for who in ("engineer", "teammate", "partner", "service"):
        response = client.get(f"/v1/periods/{o.period.id}/status", headers=o.auth(who))
        assert (response.status_code, response.json()["code"]) == (403, "status_forbidden"), who


def test_an_unknown_period_is_not_found(client: TestClient, db: Session) -> None:
    o = f.org(db)
    db.commit()
    response = client.get(f"/v1/periods/{uuid.uuid4()}/status", headers=o.auth("manager"))
    assert (response.status_code, response.json()["code"]) == (404, "period_not_found")
    bad = client.get("/v1/periods/not-a-uuid/status", headers=o.auth("manager"))
    assert bad.status_code == 422
    dated = client.get(
        f"/v1/periods/{o.period.id}/status", headers=o.auth("manager"), params={"as_of": "soon"}
    )
    assert dated.status_code == 422


def test_a_manager_reads_one_row_per_engineer_in_their_org_only(
    client: TestClient, db: Session
) -> None:
    o = f.org(db, PeriodStatus.PLANNING)
    db.commit()
    mine = {r["person_id"] for r in read(client, o, "manager")["engineers"]}
    assert mine == {str(o.engineer.id), str(o.teammate.id)}
    theirs = {r["person_id"] for r in read(client, o, "other_manager")["engineers"]}
    assert theirs == {str(o.outsider.id)}
    # The skip-level sees the whole org below them, engineering managers included; never the
    # product manager or HR, who give feedback but are not on this track.
    everyone = {r["person_id"] for r in read(client, o, "director")["engineers"]}
    assert str(o.engineer.id) in everyone and str(o.manager.id) in everyone
    assert str(o.pm.id) not in everyone and str(o.hr_person.id) not in everyone
    assert read(client, o, "manager")["teams"] is None


def test_planning_asks_for_three_agreed_expectations_and_clears_when_they_are(
    client: TestClient, db: Session
) -> None:
    o = f.org(db, PeriodStatus.PLANNING)
    agreed(db, o, 2, ExpectationStatus.AGREED)
    f.expectation(db, o.engineer, o.period, position=3, title="Still proposed")
    db.commit()
    body = read(client, o, "manager")
    assert codes(body, o.engineer.id) == {"too_few_agreed_expectations"}
    row = next(r for r in body["engineers"] if r["person_id"] == str(o.engineer.id))
    assert (
        "2 agreed" in row["missing"][0]["message"]
        and "1 still proposed" in row["missing"][0]["message"]
    )
    third = db.scalars(
        select(Expectation).where(
            Expectation.person_id == o.engineer.id,
            Expectation.period_id == o.period.id,
            Expectation.position == 3,
        )
    ).one()
    third.status = ExpectationStatus.AGREED
    db.commit()
    assert codes(read(client, o, "manager"), o.engineer.id) == set()


def test_locked_expectations_count_as_agreed(client: TestClient, db: Session) -> None:
    o = f.org(db, PeriodStatus.ACTIVE)
    agreed(db, o, 3, ExpectationStatus.LOCKED)
    assert codes(read(client, o, "manager"), o.engineer.id) == set()
    assert "too_few_agreed_expectations" in codes(read(client, o, "manager"), o.teammate.id)


def test_in_review_lists_what_is_missing_and_follows_the_records(
    client: TestClient, db: Session
) -> None:
    o = f.org(db, PeriodStatus.IN_REVIEW)
    request = FeedbackRequest(
        period_id=o.period.id,
        subject_id=o.engineer.id,
        reviewer_id=o.outsider.id,
        requested_by_id=o.manager.id,
        relationship=Relationship.PEER,
    )
    db.add(request)
    db.commit()
    assert codes(read(client, o, "manager"), o.engineer.id) == {
        "open_feedback_requests",
        "missing_self_assessment",
        "too_little_feedback",
        "synthesis_not_drafted",
    }
    db.add(SelfAssessment(period_id=o.period.id, person_id=o.engineer.id, text="A good half."))
    for author in (o.teammate, o.outsider, o.pm):
        f.feedback(db, author, o.engineer, o.period, f"Clear design docs, says {author.id}.")
    request.status = RequestStatus.SUBMITTED
    draft = Draft(
        kind=DraftKind.SYNTHESIS,
        subject_id=o.engineer.id,
        period_id=o.period.id,
        drafter="offline",
        status=DraftStatus.READY_FOR_REVIEW,
    )
    db.add(draft)
    db.commit()
    assert codes(read(client, o, "manager"), o.engineer.id) == {"synthesis_not_reviewed"}
    draft.status = DraftStatus.APPROVED
    db.commit()
    assert codes(read(client, o, "manager"), o.engineer.id) == {"synthesis_not_released"}
    draft.status = DraftStatus.RELEASED
    db.commit()
    assert codes(read(client, o, "manager"), o.engineer.id) == set()


def test_two_reviewers_outside_the_chain_are_too_little_feedback(
    client: TestClient, db: Session
) -> None:
    o = f.org(db, PeriodStatus.IN_REVIEW)
    for text in ("First note on the API work.", "Second note on the API work."):
        f.feedback(db, o.teammate, o.engineer, o.period, text)  # one reviewer, twice
    f.feedback(db, o.outsider, o.engineer, o.period, "Helpful in incidents.")
    f.feedback(db, o.manager, o.engineer, o.period, "Steady.", relationship=Relationship.MANAGER)
    db.commit()
    row = next(
        r for r in read(client, o, "manager")["engineers"] if r["person_id"] == str(o.engineer.id)
    )
    message = next(m["message"] for m in row["missing"] if m["code"] == "too_little_feedback")
    assert "2 distinct reviewer(s) outside the management chain, fewer than 3" in message


def test_a_closed_period_only_asks_for_the_release(client: TestClient, db: Session) -> None:
    o = f.org(db, PeriodStatus.CLOSED)
    db.commit()
    assert codes(read(client, o, "manager"), o.engineer.id) == {"synthesis_not_released"}


def test_new_hires_get_reminders_and_no_expectations_yet(client: TestClient, db: Session) -> None:
    o = f.org(db, PeriodStatus.ACTIVE)
    start = date(2026, 8, 3)
    hire = f.person(db, "Nia New", manager=o.manager, start_date=start)
    db.commit()
    first_week = read(client, o, "manager", as_of=str(start + timedelta(days=3)))
    assert codes(first_week, hire.id) == {"no_expectations_yet", "new_hire_first_meeting"}
    row = next(r for r in first_week["engineers"] if r["person_id"] == str(hire.id))
    assert row["new_hire"] is True
    meeting = next(m for m in row["missing"] if m["code"] == "new_hire_first_meeting")
    assert meeting["due_on"] == str(start + timedelta(days=14))
    month_two = read(client, o, "manager", as_of=str(start + timedelta(days=45)))
    assert codes(month_two, hire.id) == {"no_expectations_yet"}
    check_in = read(client, o, "manager", as_of=str(start + timedelta(days=85)))
    assert codes(check_in, hire.id) == {"no_expectations_yet", "new_hire_check_in"}
    f.expectation(db, hire, o.period, title="Ship a first change to production")
    db.commit()
    later = read(client, o, "manager", as_of=str(start + timedelta(days=85)))
    assert codes(later, hire.id) == {"too_few_agreed_expectations", "new_hire_check_in"}
    assert codes(later, o.engineer.id) == {"too_few_agreed_expectations"}  # not a new hire


def test_hr_reads_counts_per_team_and_no_names(client: TestClient, db: Session) -> None:
    o = f.org(db, PeriodStatus.IN_REVIEW)
    db.add(SelfAssessment(period_id=o.period.id, person_id=o.engineer.id, text="Secret words."))
    db.commit()
    response = client.get(f"/v1/periods/{o.period.id}/status", headers=o.auth("hr"))
    assert response.status_code == 200
    assert "Eli" not in response.text and "Secret" not in response.text
    body = response.json()
    assert body["engineers"] is None
    team = next(t for t in body["teams"] if t["manager_id"] == str(o.manager.id))
    assert team["engineers"] == 2
    assert team["missing"]["missing_self_assessment"] == 1  # the teammate
    assert team["missing"]["too_little_feedback"] == 2


def test_an_admin_reads_every_row(client: TestClient, db: Session) -> None:
    o = f.org(db, PeriodStatus.PLANNING)
    db.commit()
    rows = {r["person_id"] for r in read(client, o, "admin")["engineers"]}
    assert {str(o.engineer.id), str(o.outsider.id), str(o.director.id)} <= rows


def test_the_view_costs_the_same_queries_for_two_engineers_or_twenty(db: Session) -> None:
    o = f.org(db, PeriodStatus.IN_REVIEW)
    db.commit()
    director = Principal(role=Role.MANAGER, person_id=o.director.id)

    def queries() -> int:
        seen: list[str] = []
        connection = db.connection()

        def count(*args: Any) -> None:
            seen.append(str(args[2]))

        event.listen(connection, "before_cursor_execute", count)
        try:
            status.view(db_session=db, principal=director, period_id=o.period.id)
        finally:
            event.remove(connection, "before_cursor_execute", count)
        return len(seen)

    few = queries()
    for n in range(18):
        f.person(db, f"Extra {n}", manager=o.manager)
    db.commit()
    assert queries() == few
