"""The expectation lifecycle: proposed, signed off by engineer and manager, locked when the
period starts (in the database too), commented on by the skip-level, given an outcome, and
carried into the next period's planning."""

import uuid
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response  # what starlette's TestClient returns
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from synth.api.errors import integrity_response
from synth.audit.models import AuditEvent
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles import carry, expectations
from synth.cycles.models import (
    Expectation,
    ExpectationStatus,
    KeyStep,
    PeriodKind,
    PeriodStatus,
    ReviewPeriod,
)
from synth.cycles.schemas import ExpectationUpdate
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.errors import Conflict
from synth.people.models import Person
from tests import factories as f

NEXT_START = date(2027, 1, 1)


def assert_error(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["message"].strip()
    return body


def planning(db: Session) -> f.Org:
    o = f.org(db, status=PeriodStatus.PLANNING)
    db.commit()
    return o


def next_period(db: Session, *, status: PeriodStatus = PeriodStatus.PLANNING) -> ReviewPeriod:
    period = ReviewPeriod(
        name=f"Next {uuid.uuid4().hex[:8]}",
        kind=PeriodKind.HALF_YEAR,
        starts_on=NEXT_START,
        ends_on=date(2027, 6, 30),
        status=status,
    )
    db.add(period)
    db.commit()
    return period


def audits(db: Session, entity_id: uuid.UUID, action: str) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_id == str(entity_id), AuditEvent.action == action)
        )
        or 0
    )


def agree(client: TestClient, o: f.Org, expectation_id: uuid.UUID, who: str) -> Response:
    return client.post(f"/v1/expectations/{expectation_id}/agree", headers=o.auth(who))


def with_agreed(db: Session, who: Person, period: ReviewPeriod, n: int = 3) -> list[Expectation]:
    made = [
        f.expectation(db, who, period, position=i, title=f"{who.name} goal {i}")
        for i in range(1, n + 1)
    ]
    for e in made:
        e.status = ExpectationStatus.AGREED
    db.commit()
    return made


def start(client: TestClient, o: f.Org, **extra: Any) -> Response:
    return client.post(
        f"/v1/periods/{o.period.id}/transition",
        json={"status": "active", **extra},
        headers=o.auth("hr"),
    )


def lock(db: Session, e: Expectation) -> Expectation:
    e.status = ExpectationStatus.LOCKED
    db.commit()
    return e


# ----------------------------------------------------------------------------- sign-offs


def test_agreed_only_once_the_engineer_and_the_manager_have_both_signed_off(
    client: TestClient, db: Session
) -> None:
    o = planning(db)
    e = f.expectation(db, o.engineer, o.period)
    db.commit()
    mine = agree(client, o, e.id, "engineer")
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["status"] == "proposed"
    assert body["engineer_agreed_by_id"] == str(o.engineer.id)
    assert body["engineer_agreed_at"] and body["manager_agreed_at"] is None
    both = agree(client, o, e.id, "manager").json()
    assert both["status"] == "agreed"
    assert both["manager_agreed_by_id"] == str(o.manager.id) and both["manager_agreed_at"]
    assert audits(db, e.id, "expectation.signed_off") == 1
    assert audits(db, e.id, "expectation.agreed") == 1


def test_the_skip_level_signs_off_for_the_management_chain(client: TestClient, db: Session) -> None:
    o = planning(db)
    e = f.expectation(db, o.engineer, o.period)
    db.commit()
    assert agree(client, o, e.id, "director").json()["manager_agreed_by_id"] == str(o.director.id)
    assert agree(client, o, e.id, "engineer").json()["status"] == "agreed"


def test_signing_off_twice_changes_nothing_and_audits_once(client: TestClient, db: Session) -> None:
    o = planning(db)
    e = f.expectation(db, o.engineer, o.period)
    db.commit()
    first = agree(client, o, e.id, "engineer").json()
    again = agree(client, o, e.id, "engineer")
    assert again.status_code == 200 and again.json() == first
    assert audits(db, e.id, "expectation.signed_off") == 1


def test_an_edit_clears_both_sign_offs_so_what_was_agreed_is_what_locks(
    client: TestClient, db: Session
) -> None:
    o = planning(db)
    e = f.expectation(db, o.engineer, o.period)
    db.commit()
    agree(client, o, e.id, "engineer")
    agree(client, o, e.id, "manager")
    same = client.patch(
        f"/v1/expectations/{e.id}", json={"title": e.title}, headers=o.auth("engineer")
    )
    assert same.json()["status"] == "agreed"  # nothing changed: the sign-offs stand
    edited = client.patch(
        f"/v1/expectations/{e.id}", json={"title": "Something else"}, headers=o.auth("engineer")
    ).json()
    assert edited["status"] == "proposed"
    assert edited["engineer_agreed_at"] is None and edited["manager_agreed_at"] is None
    agree(client, o, e.id, "engineer")
    agree(client, o, e.id, "manager")
    step = client.post(
        f"/v1/expectations/{e.id}/key-steps", json={"text": "Pair on it"}, headers=o.auth("manager")
    )
    assert step.status_code == 201, step.text
    after = client.get(f"/v1/expectations/{e.id}", headers=o.auth("manager")).json()
    assert after["status"] == "proposed" and after["manager_agreed_by_id"] is None


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("partner", 403, "agree_forbidden"),  # reads the expectation, may not agree it
        ("teammate", 404, "expectation_not_found"),
        ("other_manager", 404, "expectation_not_found"),
        ("hr", 404, "expectation_not_found"),
    ],
)
def test_only_the_engineer_and_their_chain_sign_off(
    client: TestClient, db: Session, who: str, status: int, code: str
) -> None:
    o = planning(db)
    e = f.expectation(db, o.engineer, o.period)
    f.assessment(db, o.engineer, o.manager, o.period, partner=o.partner)
    db.commit()
    assert_error(agree(client, o, e.id, who), status, code)
    db.refresh(e)
    assert e.engineer_agreed_at is None and e.manager_agreed_at is None


def test_no_sign_off_once_the_period_has_started(client: TestClient, db: Session) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    proposed = f.expectation(db, o.engineer, o.period)
    locked = lock(db, f.expectation(db, o.engineer, o.period, position=2))
    assert_error(agree(client, o, proposed.id, "manager"), 409, "expectations_locked")
    assert_error(agree(client, o, locked.id, "engineer"), 409, "expectation_locked")
    changed = client.patch(
        f"/v1/expectations/{proposed.id}", json={"title": "Later"}, headers=o.auth("manager")
    )
    assert_error(changed, 409, "expectations_locked")


def test_a_new_hires_expectation_agreed_during_the_period_locks_at_once(
    client: TestClient, db: Session
) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    hire = f.person(db, "Nia New", manager=o.manager, start_date=date(2026, 9, 14))
    e = f.expectation(db, hire, o.period)
    headers = f.bearer(db, Role.ENGINEER, hire)
    db.commit()
    client.post(f"/v1/expectations/{e.id}/agree", headers=headers)
    body = agree(client, o, e.id, "manager").json()
    assert body["status"] == "locked"
    assert audits(db, e.id, "expectation.locked") == 1


def test_a_retried_sign_off_replays_the_first_answer(client: TestClient, db: Session) -> None:
    o = planning(db)
    e = f.expectation(db, o.engineer, o.period)
    db.commit()
    headers = {**o.auth("engineer"), "Idempotency-Key": "sign-1"}
    first = client.post(f"/v1/expectations/{e.id}/agree", headers=headers)
    second = client.post(f"/v1/expectations/{e.id}/agree", headers=headers)
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"


# ------------------------------------------------------------------------ adopting drafts


def suggestion(n: int) -> dict[str, Any]:
    return {
        "title": f"Own the on-call handbook, part {n}",
        "kind": "growth",
        "rationale": "a level requirement",
        "source": "operational excellence",
        "smart": {
            "specific": "the handbook",
            "measurable": "every alert has a runbook",
            "achievable": "two hours a week",
            "relevant": "the team's on-call load",
            "time_bound": "by the end of the half",
        },
        "due_on": None,
        "key_steps": ["List the alerts", "Write the runbooks", "Review them with the team"],
    }


def suggestions_draft(
    db: Session,
    o: f.Org,
    *,
    status: DraftStatus = DraftStatus.APPROVED,
    kind: DraftKind = DraftKind.EXPECTATIONS,
) -> Draft:
    content = {
        "level": "mid",
        "style": "ownership",
        "expectations": [suggestion(n) for n in (1, 2, 3)],
    }
    draft = Draft(
        kind=kind,
        status=status,
        subject_id=o.engineer.id,
        period_id=o.period.id,
        drafter="offline",
        options={},
        usage={},
        output=content,
        # The engineer's version leaves out the first suggestion (built on a withheld theme).
        released={**content, "expectations": content["expectations"][1:]}
        if status is DraftStatus.RELEASED
        else None,
    )
    db.add(draft)
    db.commit()
    return draft


def adopt(client: TestClient, o: f.Org, draft: Draft, index: int, who: str = "manager") -> Response:
    return client.post(
        "/v1/expectations/adopt",
        json={"draft_id": str(draft.id), "index": index},
        headers=o.auth(who),
    )


def test_the_manager_adopts_a_suggestion_with_its_key_steps_into_the_next_period(
    client: TestClient, db: Session
) -> None:
    o = f.org(db)  # in review: suggestions are for the next period
    following = next_period(db)
    draft = suggestions_draft(db, o)
    made = adopt(client, o, draft, 1)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["period_id"] == str(following.id) and body["person_id"] == str(o.engineer.id)
    assert body["status"] == "proposed" and body["title"] == suggestion(2)["title"]
    assert [s["text"] for s in body["key_steps"]] == suggestion(2)["key_steps"]
    assert "Measurable: every alert has a runbook" in body["description"]
    assert body["source_draft_id"] == str(draft.id) and body["source_index"] == 1
    assert audits(db, uuid.UUID(body["id"]), "expectation.adopted") == 1
    assert_error(adopt(client, o, draft, 1), 409, "already_adopted")


def test_the_engineer_adopts_only_what_was_released_to_them(
    client: TestClient, db: Session
) -> None:
    o = f.org(db)
    next_period(db)
    approved = suggestions_draft(db, o)
    assert_error(adopt(client, o, approved, 0, "engineer"), 404, "draft_not_found")
    released = suggestions_draft(db, o, status=DraftStatus.RELEASED)
    mine = adopt(client, o, released, 0, "engineer")  # the first one the engineer reads
    assert mine.status_code == 201, mine.text
    assert mine.json()["title"] == suggestion(2)["title"]
    assert mine.json()["source_index"] == 1  # its place in the manager's version
    assert_error(adopt(client, o, released, 1, "manager"), 409, "already_adopted")
    assert_error(adopt(client, o, released, 2, "engineer"), 422, "no_such_suggestion")


@pytest.mark.parametrize(
    ("status", "kind", "code", "http"),
    [
        (DraftStatus.READY_FOR_REVIEW, DraftKind.EXPECTATIONS, "draft_not_approved", 409),
        (DraftStatus.REJECTED, DraftKind.EXPECTATIONS, "draft_not_approved", 409),
        (DraftStatus.APPROVED, DraftKind.SYNTHESIS, "not_an_expectations_draft", 422),
    ],
)
def test_no_adoption_from_an_unapproved_or_other_kind_of_draft(
    client: TestClient, db: Session, status: DraftStatus, kind: DraftKind, code: str, http: int
) -> None:
    o = f.org(db)
    next_period(db)
    draft = suggestions_draft(db, o, status=status, kind=kind)
    assert_error(adopt(client, o, draft, 0), http, code)
    assert db.scalar(select(func.count()).select_from(Expectation)) == 0


def test_adoption_refusals(client: TestClient, db: Session) -> None:
    o = f.org(db)
    draft = suggestions_draft(db, o)
    assert_error(adopt(client, o, draft, 0), 409, "no_planning_period")
    following = next_period(db)
    assert_error(adopt(client, o, draft, 3), 422, "no_such_suggestion")
    assert_error(adopt(client, o, draft, 0, "teammate"), 404, "draft_not_found")
    assert_error(adopt(client, o, draft, 0, "other_manager"), 404, "draft_not_found")
    bad = client.post(
        "/v1/expectations/adopt",
        json={"draft_id": str(draft.id), "index": -1},
        headers=o.auth("manager"),
    )
    assert_error(bad, 422, "invalid_request")
    for n in range(1, 6):
        f.expectation(db, o.engineer, following, position=n, title=f"Taken {n}")
    db.commit()
    assert_error(adopt(client, o, draft, 0), 409, "too_many_expectations")


def test_two_adoptions_racing_past_the_check_meet_the_unique_constraint(db: Session) -> None:
    """The second of two concurrent adoptions fails on the database; the API says 409."""
    o = f.org(db)
    following = next_period(db)
    draft = suggestions_draft(db, o)
    for position in (1, 2):
        e = f.expectation(db, o.engineer, following, position=position, title=f"Twin {position}")
        e.source_draft_id, e.source_index = draft.id, 0
    with pytest.raises(IntegrityError) as refused:
        db.flush()
    answer = integrity_response(refused.value)
    assert answer.status_code == 409 and b'"already_adopted"' in answer.body


def test_a_retried_adoption_replays_the_first_answer(client: TestClient, db: Session) -> None:
    o = f.org(db)
    next_period(db)
    draft = suggestions_draft(db, o)
    headers = {**o.auth("manager"), "Idempotency-Key": "adopt-1"}
    body = {"draft_id": str(draft.id), "index": 0}
    first = client.post("/v1/expectations/adopt", json=body, headers=headers)
    second = client.post("/v1/expectations/adopt", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"


# ------------------------------------------------------------------- locking at the start


def test_the_start_is_refused_while_engineers_have_fewer_than_three_agreed(
    client: TestClient, db: Session
) -> None:
    o = planning(db)
    with_agreed(db, o.engineer, o.period, 2)
    refused = assert_error(start(client, o), 409, "too_few_agreed_expectations")
    short = {row["name"]: row["agreed"] for row in refused["details"]}
    # Every IC engineer counts, with or without expectations; managers and the PM do not.
    assert short == {
        "Eli Engineer": 2,
        "Tara Teammate": 0,
        "Otto Outsider": 0,
        "Theo Partner": 0,
    }
    db.refresh(o.period)
    assert o.period.status is PeriodStatus.PLANNING


def test_the_start_locks_agreed_expectations_once_everyone_has_three(
    client: TestClient, db: Session
) -> None:
    o = planning(db)
    agreed = with_agreed(db, o.engineer, o.period)
    for who in (o.teammate, o.outsider, o.partner):
        with_agreed(db, who, o.period)
    proposed = f.expectation(db, o.engineer, o.period, position=4, title="Not agreed")
    # A new hire who starts after the period starts sets expectations later: not counted.
    f.person(db, "Nia New", manager=o.manager, start_date=date(2026, 9, 14))
    db.commit()
    started = start(client, o)
    assert started.status_code == 200, started.text
    for e in agreed:
        db.refresh(e)
        assert e.status is ExpectationStatus.LOCKED
    db.refresh(proposed)
    assert proposed.status is ExpectationStatus.PROPOSED  # kept out of the locked set
    changed = client.patch(
        f"/v1/expectations/{proposed.id}", json={"title": "Now"}, headers=o.auth("manager")
    )
    assert_error(changed, 409, "expectations_locked")


def test_hr_forces_the_start_only_with_a_reason_and_it_is_recorded(
    client: TestClient, db: Session
) -> None:
    o = planning(db)
    e = with_agreed(db, o.engineer, o.period, 1)[0]
    assert_error(start(client, o, force=True), 422, "force_reason_required")
    assert_error(start(client, o, force=True, reason="   "), 422, "force_reason_required")
    manager = client.post(
        f"/v1/periods/{o.period.id}/transition",
        json={"status": "active", "force": True, "reason": "mine"},
        headers=o.auth("manager"),
    )
    assert_error(manager, 403, "forbidden")
    forced = start(client, o, force=True, reason="reorg: expectations set in week one")
    assert forced.status_code == 200, forced.text
    db.refresh(e)
    assert e.status is ExpectationStatus.LOCKED
    event = db.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == str(o.period.id), AuditEvent.action == "period.transitioned"
        )
    ).one()
    assert event.after is not None
    override = event.after["start_override"]
    assert override["reason"] == "reorg: expectations set in week one"
    assert {row["name"] for row in override["short"]} >= {"Eli Engineer", "Tara Teammate"}


def test_force_applies_only_to_the_start(client: TestClient, db: Session) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    db.commit()
    late = client.post(
        f"/v1/periods/{o.period.id}/transition",
        json={"status": "in_review", "force": True, "reason": "why not"},
        headers=o.auth("hr"),
    )
    assert_error(late, 422, "force_not_applicable")


def test_a_retried_transition_replays_instead_of_answering_409(
    client: TestClient, db: Session
) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    db.commit()
    headers = {**o.auth("hr"), "Idempotency-Key": "to-review"}
    body = {"status": "in_review"}
    url = f"/v1/periods/{o.period.id}/transition"
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 200, first.text
    second = client.post(url, json=body, headers=headers)
    assert second.status_code == 200 and second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert audits(db, o.period.id, "period.transitioned") == 1
    fresh = client.post(url, json=body, headers={**o.auth("hr"), "Idempotency-Key": "other"})
    assert_error(fresh, 409, "invalid_transition")


# ------------------------------------------------------------ locked, through every path


def test_a_locked_expectation_refuses_edits_through_the_api(
    client: TestClient, db: Session
) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    e = lock(db, f.expectation(db, o.engineer, o.period))
    changed = client.patch(
        f"/v1/expectations/{e.id}", json={"title": "Easier"}, headers=o.auth("manager")
    )
    assert_error(changed, 409, "expectation_locked")


def test_a_locked_expectation_refuses_a_direct_service_call(db: Session) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    e = lock(db, f.expectation(db, o.engineer, o.period))
    with pytest.raises(Conflict) as refused:
        expectations.update(
            db_session=db,
            principal=Principal(role=Role.ADMIN),
            expectation_id=e.id,
            data=ExpectationUpdate(description="Optional now"),
        )
    assert refused.value.code == "expectation_locked"


def test_the_database_refuses_to_change_a_locked_expectation_through_the_orm(
    db: Session,
) -> None:
    """A path that skips the services (a script, an import) still cannot change it."""
    o = f.org(db, status=PeriodStatus.ACTIVE)
    e = lock(db, f.expectation(db, o.engineer, o.period))
    e.title = "Rewritten by a script"
    with pytest.raises(IntegrityError) as refused:
        db.flush()
    answer = integrity_response(refused.value)
    assert answer.status_code == 409
    assert b'"expectation_locked"' in answer.body
    db.rollback()
    db.refresh(e)
    assert e.title == "Ship the payments retry service"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE expectations SET title = 'x' WHERE id = :e",
        "UPDATE expectations SET description = 'x' WHERE id = :e",
        "UPDATE expectations SET kind = 'stability' WHERE id = :e",
        "UPDATE expectations SET due_on = DATE '2026-08-01' WHERE id = :e",
        "UPDATE expectations SET position = 4 WHERE id = :e",
        "UPDATE expectations SET status = 'proposed' WHERE id = :e",
        "UPDATE expectations SET period_id = :other WHERE id = :e",
        "UPDATE expectations SET person_id = :someone WHERE id = :e",
        "DELETE FROM expectations WHERE id = :e",
        "UPDATE key_steps SET text = 'x' WHERE expectation_id = :e",
        "UPDATE key_steps SET position = position + 10 WHERE expectation_id = :e",
        "DELETE FROM key_steps WHERE expectation_id = :e",
    ],
)
def test_raw_sql_cannot_change_a_locked_expectation(db: Session, statement: str) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    e = lock(db, f.expectation(db, o.engineer, o.period))
    other = f.period(db, status=PeriodStatus.PLANNING)
    params = {"e": e.id, "other": other.id, "someone": o.teammate.id}
    with pytest.raises(DBAPIError, match="expectation_locked"), db.begin_nested():
        db.execute(text(statement), params)


def test_a_locked_expectation_still_takes_new_key_steps_and_ticks(
    client: TestClient, db: Session
) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    e = lock(db, f.expectation(db, o.engineer, o.period))
    added = client.post(
        f"/v1/expectations/{e.id}/key-steps",
        json={"text": "Adopted later"},
        headers=o.auth("engineer"),
    )
    assert added.status_code == 201, added.text
    ticked = client.patch(
        f"/v1/expectations/{e.id}/key-steps/{e.key_steps[0].id}",
        json={"done": True},
        headers=o.auth("engineer"),
    )
    assert ticked.status_code == 200 and ticked.json()["done"] is True
    db.execute(text("UPDATE key_steps SET done = false WHERE expectation_id = :e"), {"e": e.id})
    db.execute(text("UPDATE expectations SET manager_reflection = 'ok' WHERE id = :e"), {"e": e.id})
    body = client.get(f"/v1/expectations/{e.id}", headers=o.auth("engineer")).json()
    assert body["status"] == "locked" and len(body["key_steps"]) == 3


# ------------------------------------------------------------------- skip-level comments


def comment(client: TestClient, o: f.Org, e: Expectation, who: str, words: str) -> Response:
    return client.post(
        f"/v1/expectations/{e.id}/comments", json={"text": words}, headers=o.auth(who)
    )


def test_the_skip_level_and_a_peer_manager_comment_and_the_manager_reads_them(
    client: TestClient, db: Session
) -> None:
    o = planning(db)
    e = f.expectation(db, o.engineer, o.period)
    db.commit()
    skip = comment(client, o, e, "director", "Tie this to the Q3 reliability objective.")
    assert skip.status_code == 201, skip.text
    assert skip.json()["author_id"] == str(o.director.id)
    peer = comment(client, o, e, "other_manager", "My team set a similar one at senior level.")
    assert peer.status_code == 201, peer.text
    listed = client.get(f"/v1/expectations/{e.id}/comments", headers=o.auth("manager")).json()
    assert [c["text"] for c in listed["items"]] == [
        "Tie this to the Q3 reliability objective.",
        "My team set a similar one at senior level.",
    ]
    seen = client.get(f"/v1/expectations/{e.id}", headers=o.auth("manager")).json()
    assert seen["comments"] == 2
    assert audits(db, uuid.UUID(skip.json()["id"]), "expectation_comment.created") == 1


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("engineer", 403, "comments_forbidden"),
        ("partner", 403, "comments_forbidden"),
        ("teammate", 404, "expectation_not_found"),
        ("hr", 404, "expectation_not_found"),
    ],
)
def test_the_engineer_and_others_neither_read_nor_write_comments(
    client: TestClient, db: Session, who: str, status: int, code: str
) -> None:
    o = planning(db)
    e = f.expectation(db, o.engineer, o.period)
    f.assessment(db, o.engineer, o.manager, o.period, partner=o.partner)
    db.commit()
    comment(client, o, e, "director", "Too easy for a mid-level engineer.")
    assert_error(comment(client, o, e, who, "Looks fine"), status, code)
    read = client.get(f"/v1/expectations/{e.id}/comments", headers=o.auth(who))
    assert_error(read, status, code)
    if who == "engineer":
        own = client.get(f"/v1/expectations/{e.id}", headers=o.auth(who)).json()
        assert own["comments"] is None


def test_no_comments_once_locked_or_once_the_period_started(
    client: TestClient, db: Session
) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    locked = lock(db, f.expectation(db, o.engineer, o.period))
    proposed = f.expectation(db, o.engineer, o.period, position=2)
    db.commit()
    assert_error(comment(client, o, locked, "director", "Late"), 409, "expectation_locked")
    assert_error(comment(client, o, proposed, "director", "Late"), 409, "period_not_open")


@pytest.mark.parametrize("words", ["", "   ", "x" * 2_001])
def test_a_comment_must_be_some_short_text(client: TestClient, db: Session, words: str) -> None:
    o = planning(db)
    e = f.expectation(db, o.engineer, o.period)
    db.commit()
    assert_error(comment(client, o, e, "director", words), 422, "invalid_request")


def test_a_retried_comment_is_stored_once(client: TestClient, db: Session) -> None:
    o = planning(db)
    e = f.expectation(db, o.engineer, o.period)
    db.commit()
    headers = {**o.auth("director"), "Idempotency-Key": "c-1"}
    url = f"/v1/expectations/{e.id}/comments"
    first = client.post(url, json={"text": "Needs a number"}, headers=headers)
    second = client.post(url, json={"text": "Needs a number"}, headers=headers)
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"
    listed = client.get(url, headers=o.auth("manager")).json()
    assert listed["total"] == 1


# ---------------------------------------------------------------------------- outcomes


def outcome(client: TestClient, o: f.Org, e: Expectation, who: str, **body: Any) -> Response:
    payload = {"outcome": "partially_met", "reflection": "Shipped late: the team moved."}
    return client.post(
        f"/v1/expectations/{e.id}/outcome", json={**payload, **body}, headers=o.auth(who)
    )


def test_the_manager_records_an_outcome_and_reposting_replaces_it(
    client: TestClient, db: Session
) -> None:
    o = f.org(db)  # in review
    e = lock(db, f.expectation(db, o.engineer, o.period))
    first = outcome(client, o, e, "manager")
    assert first.status_code == 200, first.text
    assert first.json()["manager_outcome"] == "partially_met"
    again = outcome(client, o, e, "manager", outcome="met", reflection="On reflection, met.")
    assert again.json()["manager_outcome"] == "met"
    assert again.json()["manager_reflection"] == "On reflection, met."
    assert audits(db, e.id, "expectation.outcome_recorded") == 2


def test_the_engineer_reads_the_managers_outcome_only_once_the_period_is_closed(
    client: TestClient, db: Session
) -> None:
    o = f.org(db)
    e = lock(db, f.expectation(db, o.engineer, o.period))
    outcome(client, o, e, "manager", outcome="missed")
    url = f"/v1/expectations/{e.id}"
    assert client.get(url, headers=o.auth("engineer")).json()["manager_outcome"] is None
    assert client.get(url, headers=o.auth("manager")).json()["manager_outcome"] == "missed"
    o.period.status = PeriodStatus.CLOSED
    db.commit()
    mine = client.get(url, headers=o.auth("engineer")).json()
    assert mine["manager_outcome"] == "missed" and mine["manager_reflection"]


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("engineer", 403, "outcome_forbidden"),
        ("teammate", 404, "expectation_not_found"),
        ("hr", 404, "expectation_not_found"),
    ],
)
def test_only_the_chain_records_the_managers_outcome(
    client: TestClient, db: Session, who: str, status: int, code: str
) -> None:
    o = f.org(db)
    e = lock(db, f.expectation(db, o.engineer, o.period))
    assert_error(outcome(client, o, e, who), status, code)
    db.refresh(e)
    assert e.manager_outcome is None


def test_outcomes_only_in_review_and_only_for_locked_expectations(
    client: TestClient, db: Session
) -> None:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    e = lock(db, f.expectation(db, o.engineer, o.period))
    assert_error(outcome(client, o, e, "manager"), 409, "period_not_open")
    o.period.status = PeriodStatus.IN_REVIEW
    never_agreed = f.expectation(db, o.engineer, o.period, position=2)
    db.commit()
    assert_error(outcome(client, o, never_agreed, "manager"), 409, "expectation_not_locked")
    assert_error(outcome(client, o, e, "manager", outcome="exceeded"), 422, "invalid_request")
    assert_error(outcome(client, o, e, "manager", reflection=""), 422, "invalid_request")


# ------------------------------------------------------------- closing seeds the next one


def test_closing_carries_the_unmet_plan_into_the_next_period(
    client: TestClient, db: Session
) -> None:
    o = f.org(db)
    following = next_period(db)
    met, missed, unrated = (
        lock(db, f.expectation(db, o.engineer, o.period, position=n, title=t))
        for n, t in ((1, "Met one"), (2, "Missed one"), (3, "Unrated one"))
    )
    met.key_steps[0].done = True
    db.commit()
    outcome(client, o, met, "manager", outcome="met")
    outcome(client, o, missed, "manager", outcome="missed")
    closed = client.post(
        f"/v1/periods/{o.period.id}/transition", json={"status": "closed"}, headers=o.auth("hr")
    )
    assert closed.status_code == 200, closed.text
    seeded = db.scalars(
        select(Expectation)
        .where(Expectation.period_id == following.id)
        .order_by(Expectation.position)
    ).all()
    assert [(e.title, e.carried_from_id) for e in seeded] == [
        ("Missed one", missed.id),
        ("Unrated one", unrated.id),
    ]
    assert all(e.status is ExpectationStatus.PROPOSED for e in seeded)
    assert [s.text for s in seeded[0].key_steps] == ["Write the design doc", "Build it"]
    assert not any(s.done for e in seeded for s in e.key_steps)
    # Carrying again finds nothing left to carry.
    assert carry.carry_over(db, Principal(role=Role.HR), o.period, following) == []


def test_a_period_created_after_the_close_is_seeded_then(client: TestClient, db: Session) -> None:
    o = f.org(db)
    missed = lock(db, f.expectation(db, o.engineer, o.period, title="Missed one"))
    client.post(
        f"/v1/periods/{o.period.id}/transition", json={"status": "closed"}, headers=o.auth("hr")
    )
    made = client.post(
        "/v1/periods",
        json={
            "name": "H1 2027",
            "kind": "half_year",
            "starts_on": str(NEXT_START),
            "ends_on": "2027-06-30",
        },
        headers=o.auth("hr"),
    )
    assert made.status_code == 201, made.text
    seeded = client.get(
        "/v1/expectations", params={"period_id": made.json()["id"]}, headers=o.auth("manager")
    ).json()["items"]
    assert [(e["title"], e["carried_from_id"]) for e in seeded] == [("Missed one", str(missed.id))]
    steps = db.scalars(
        select(KeyStep).join(Expectation).where(Expectation.carried_from_id == missed.id)
    ).all()
    assert len(steps) == 2


def test_carrying_leaves_a_full_next_period_alone(db: Session) -> None:
    o = f.org(db, status=PeriodStatus.CLOSED)
    lock(db, f.expectation(db, o.engineer, o.period, title="Missed one"))
    following = next_period(db)
    for n in range(1, 6):
        f.expectation(db, o.engineer, following, position=n, title=f"Set {n}")
    assert carry.carry_over(db, Principal(role=Role.HR), o.period, following) == []
