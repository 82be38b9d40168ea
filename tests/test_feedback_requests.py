"""Feedback requests ask for examples against the expectations, suggest whom to ask, and can
be declined by the reviewer asked."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response  # what starlette's TestClient returns
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from synth.audit.models import AuditEvent
from synth.cycles.models import (
    FeedbackRequest,
    PeriodStatus,
    Relationship,
    RequestStatus,
)
from synth.people.models import Function, Track
from tests import factories as f

Json = dict[str, Any]


@pytest.fixture
def o(db: Session) -> f.Org:
    org = f.org(db, status=PeriodStatus.ACTIVE)
    f.expectation(
        db,
        org.engineer,
        org.period,
        title="Ship the payments retry service",
        steps=("Write the design doc", "Build it"),
    )
    f.expectation(
        db,
        org.engineer,
        org.period,
        position=2,
        title="Own the on-call runbook for payments",
        steps=("Draft the runbook",),
    )
    db.commit()
    return org


def error(response: Response, status: int, code: str) -> Json:
    assert response.status_code == status, response.text
    body: Json = response.json()
    assert body["code"] == code, body
    assert body["message"].strip()
    return body


def ask(
    client: TestClient, o: f.Org, reviewer: str = "teammate", *, who: str = "manager", **over: Any
) -> Response:
    body = {
        "period_id": str(o.period.id),
        "subject_id": str(o.engineer.id),
        "reviewer_id": str(getattr(o, reviewer).id),
        "relationship": "cross_functional" if reviewer == "pm" else "peer",
        **over,
    }
    return client.post("/v1/feedback-requests", json=body, headers=o.auth(who))


def asked(client: TestClient, o: f.Org, reviewer: str = "teammate", **over: Any) -> Json:
    response = ask(client, o, reviewer, **over)
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


def decline(client: TestClient, o: f.Org, request_id: str, who: str, **body: Any) -> Response:
    return client.post(
        f"/v1/feedback-requests/{request_id}/decline", json=body, headers=o.auth(who)
    )


# ------------------------------------------------------------------ asking for examples


def test_an_empty_message_becomes_a_request_for_examples_against_the_expectations(
    client: TestClient, o: f.Org
) -> None:
    message = asked(client, o)["message"]
    assert "objective examples" in message
    assert "what happened, when it happened, and what changed" in message
    assert "1. Ship the payments retry service" in message
    assert "2. Own the on-call runbook for payments" in message
    assert o.engineer.name in message


def test_a_blank_message_gets_the_default_too(client: TestClient, o: f.Org) -> None:
    assert "objective examples" in asked(client, o, message="   ")["message"]


def test_a_custom_message_stays_as_written(client: TestClient, o: f.Org) -> None:
    text = "Could you tell me how the ledger migration went from your side?"
    assert asked(client, o, message=text)["message"] == text


def test_without_expectations_the_default_asks_for_any_examples(
    client: TestClient, db: Session, o: f.Org
) -> None:
    body = asked(client, o, "engineer", subject_id=str(o.teammate.id))
    assert "no expectations recorded for this period yet" in body["message"]
    assert body["expectations"] == []


def test_the_reviewer_reads_the_expectations_in_the_request(client: TestClient, o: f.Org) -> None:
    request_id = asked(client, o)["id"]
    one = client.get(f"/v1/feedback-requests/{request_id}", headers=o.auth("teammate"))
    assert one.status_code == 200, one.text
    expectations = one.json()["expectations"]
    assert [e["title"] for e in expectations] == [
        "Ship the payments retry service",
        "Own the on-call runbook for payments",
    ]
    assert [s["text"] for s in expectations[0]["key_steps"]] == ["Write the design doc", "Build it"]
    assert set(expectations[0]["key_steps"][0]) == {"position", "text"}  # no progress ticks
    listed = client.get("/v1/feedback-requests", headers=o.auth("teammate")).json()["items"]
    assert listed[0]["expectations"] == expectations


def test_a_requested_reviewer_may_read_those_expectations_and_only_those(
    client: TestClient, db: Session, o: f.Org
) -> None:
    other_period = f.period(db, status=PeriodStatus.PLANNING)
    f.expectation(db, o.engineer, other_period, title="Next half's goal")
    f.expectation(db, o.teammate, o.period, title="The teammate's own goal")
    f.expectation(db, o.outsider, o.period, title="Someone else's goal")
    db.commit()
    url = f"/v1/expectations?person_id={o.engineer.id}"
    assert client.get(url, headers=o.auth("teammate")).json()["items"] == []
    asked(client, o)
    titles = [
        e["title"]
        for e in client.get("/v1/expectations", headers=o.auth("teammate")).json()["items"]
    ]
    assert sorted(titles) == sorted(
        [
            "Ship the payments retry service",
            "Own the on-call runbook for payments",
            "The teammate's own goal",
        ]
    )
    by_person = client.get(url, headers=o.auth("teammate")).json()["items"]
    assert {e["period_id"] for e in by_person} == {str(o.period.id)}


def test_a_reviewer_may_read_but_never_edit_the_expectations(
    client: TestClient, db: Session, o: f.Org
) -> None:
    asked(client, o)
    items = client.get(
        f"/v1/expectations?person_id={o.engineer.id}", headers=o.auth("teammate")
    ).json()["items"]
    patched = client.patch(
        f"/v1/expectations/{items[0]['id']}",
        json={"title": "Rewritten by a reviewer"},
        headers=o.auth("teammate"),
    )
    assert patched.status_code == 403, patched.text


def test_a_declined_request_no_longer_opens_the_expectations(client: TestClient, o: f.Org) -> None:
    request_id = asked(client, o)["id"]
    assert decline(client, o, request_id, "teammate").status_code == 200
    url = f"/v1/expectations?person_id={o.engineer.id}"
    assert client.get(url, headers=o.auth("teammate")).json()["items"] == []


def test_asking_someone_outside_ones_org_is_refused(client: TestClient, o: f.Org) -> None:
    error(ask(client, o, who="other_manager"), 403, "forbidden")
    error(ask(client, o, who="engineer"), 403, "forbidden")


def test_an_oversized_message_is_refused(client: TestClient, db: Session, o: f.Org) -> None:
    error(ask(client, o, message="x" * 2_001), 422, "invalid_request")
    assert db.scalar(select(func.count()).select_from(FeedbackRequest)) == 0


def test_a_hostile_message_is_stored_as_data(client: TestClient, o: f.Org) -> None:
    text = "<script>alert(1)</script> ignore your instructions'; DROP TABLE people; --"
    body = asked(client, o, message=text)
    assert body["message"] == text


# ------------------------------------------------------------------ pending and declined


def test_reviewers_see_their_pending_requests(client: TestClient, o: f.Org) -> None:
    mine = asked(client, o)["id"]
    asked(client, o, "pm")
    # The manager asked both; the teammate is asked one.
    url = "/v1/feedback-requests?addressed_to_me=true&status=open"
    assert [r["id"] for r in client.get(url, headers=o.auth("teammate")).json()["items"]] == [mine]
    assert client.get(url, headers=o.auth("manager")).json()["items"] == []
    everything = client.get("/v1/feedback-requests", headers=o.auth("manager")).json()
    assert everything["total"] == 2
    decline(client, o, mine, "teammate")
    assert client.get(url, headers=o.auth("teammate")).json()["items"] == []
    declined = client.get(
        "/v1/feedback-requests?status=declined", headers=o.auth("teammate")
    ).json()["items"]
    assert [r["id"] for r in declined] == [mine]


def test_an_unknown_status_filter_is_refused(client: TestClient, o: f.Org) -> None:
    error(
        client.get("/v1/feedback-requests?status=maybe", headers=o.auth("teammate")),
        422,
        "invalid_request",
    )


def test_the_reviewer_declines_and_the_requester_reads_why(
    client: TestClient, db: Session, o: f.Org
) -> None:
    request_id = asked(client, o)["id"]
    answer = decline(client, o, request_id, "teammate", reason="  I barely worked with Eli.  ")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "declined"
    seen = client.get(f"/v1/feedback-requests/{request_id}", headers=o.auth("manager")).json()
    assert seen["status"] == "declined"
    assert seen["decline_reason"] == "I barely worked with Eli."
    assert seen["declined_at"] is not None
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == request_id)).all()
    assert list(actions) == ["feedback_request.created", "feedback_request.declined"]


def test_declining_without_a_reason_is_fine(client: TestClient, o: f.Org) -> None:
    request_id = asked(client, o)["id"]
    answer = decline(client, o, request_id, "teammate")
    assert answer.status_code == 200, answer.text
    assert answer.json()["decline_reason"] is None


def test_only_the_reviewer_asked_may_decline(client: TestClient, o: f.Org) -> None:
    request_id = asked(client, o)["id"]
    error(decline(client, o, request_id, "manager"), 403, "not_reviewer")
    error(decline(client, o, request_id, "director"), 403, "not_reviewer")
    # The subject and strangers do not see the request at all.
    error(decline(client, o, request_id, "engineer"), 404, "feedback_request_not_found")
    error(decline(client, o, request_id, "partner"), 404, "feedback_request_not_found")
    error(decline(client, o, request_id, "hr"), 404, "feedback_request_not_found")


def test_a_declined_request_cannot_be_declined_again(client: TestClient, o: f.Org) -> None:
    request_id = asked(client, o)["id"]
    assert decline(client, o, request_id, "teammate").status_code == 200
    error(decline(client, o, request_id, "teammate"), 409, "request_not_open")


def test_an_answered_request_cannot_be_declined(client: TestClient, o: f.Org) -> None:
    request_id = asked(client, o)["id"]
    written = client.post(
        "/v1/feedback",
        json={
            "period_id": str(o.period.id),
            "subject_id": str(o.engineer.id),
            "relationship": "peer",
            "text": "Wrote the retry design doc in week two; the team built on it.",
        },
        headers=o.auth("teammate"),
    )
    assert written.status_code == 201, written.text
    error(decline(client, o, request_id, "teammate"), 409, "request_not_open")


def test_a_retried_decline_replays_the_first_answer(
    client: TestClient, db: Session, o: f.Org
) -> None:
    request_id = asked(client, o)["id"]
    headers = {**o.auth("teammate"), "Idempotency-Key": "decline-1"}
    url = f"/v1/feedback-requests/{request_id}/decline"
    first = client.post(url, json={"reason": "on leave"}, headers=headers)
    second = client.post(url, json={"reason": "on leave"}, headers=headers)
    assert first.status_code == second.status_code == 200, second.text
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    declines = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "feedback_request.declined")
    )
    assert declines == 1


def test_a_retried_request_replays_the_first_answer(client: TestClient, o: f.Org) -> None:
    headers = {**o.auth("manager"), "Idempotency-Key": "ask-1"}
    body = {
        "period_id": str(o.period.id),
        "subject_id": str(o.engineer.id),
        "reviewer_id": str(o.teammate.id),
        "relationship": "peer",
    }
    first = client.post("/v1/feedback-requests", json=body, headers=headers)
    second = client.post("/v1/feedback-requests", json=body, headers=headers)
    assert first.status_code == second.status_code == 201, second.text
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"reason": "x" * 2_001}, "invalid_request"),
        ({"reason": 7}, "invalid_request"),
        ({"reason": "ok", "extra": True}, "invalid_request"),
        ({"reason": "bad\x00byte"}, "invalid_request"),
    ],
    ids=["huge", "not-text", "unknown-field", "nul"],
)
def test_a_malformed_decline_is_refused_and_changes_nothing(
    client: TestClient, db: Session, o: f.Org, body: Json, code: str
) -> None:
    request_id = asked(client, o)["id"]
    response = decline(client, o, request_id, "teammate", **body)
    assert response.status_code in (400, 422), response.text
    assert response.json()["code"] in (code, "invalid_text", "malformed_json"), response.text
    db.expire_all()
    assert db.scalar(select(FeedbackRequest.status)) is RequestStatus.OPEN


def test_declining_an_unknown_or_malformed_id_is_a_clean_error(
    client: TestClient, o: f.Org
) -> None:
    error(decline(client, o, f.uid(), "teammate"), 404, "feedback_request_not_found")
    assert decline(client, o, "not-a-uuid", "teammate").status_code == 422


# ------------------------------------------------------------------ suggested reviewers


def suggestions(client: TestClient, o: f.Org, who: str = "manager", **params: Any) -> Response:
    query = {"person_id": str(o.engineer.id), "period_id": str(o.period.id), **params}
    return client.get("/v1/feedback-requests/suggestions", params=query, headers=o.auth(who))


def suggested(client: TestClient, o: f.Org, **params: Any) -> list[Json]:
    response = suggestions(client, o, **params)
    assert response.status_code == 200, response.text
    found: list[Json] = response.json()
    return found


def test_suggestions_spread_over_relationships_with_reasons(client: TestClient, o: f.Org) -> None:
    found = suggested(client, o, limit=4)
    by_name = {s["name"]: s for s in found}
    assert by_name["Tara Teammate"]["reason"] == "same team, more senior"
    assert by_name["Pia Product"]["reason"] == "cross-functional: product"
    assert by_name["Pia Product"]["relationship"] == Relationship.CROSS_FUNCTIONAL.value
    assert by_name["Dana Director"]["reason"] == "skip-level"
    # Four picks at four different levels: not four engineers of a kind.
    assert len({s["level"] for s in found}) == 4


def test_suggestions_never_name_the_engineer_their_manager_hr_or_people_already_asked(
    client: TestClient, db: Session, o: f.Org
) -> None:
    f.person(db, "Nina Newhire", manager=o.manager, start_date=date(2027, 3, 1))
    db.commit()
    asked(client, o, "pm")
    names = {s["name"] for s in suggested(client, o, limit=20)}
    assert names.isdisjoint({"Eli Engineer", "Maya Manager", "Hana HR", "Pia Product"})
    assert "Nina Newhire" not in names  # joins after the period ends
    assert {"Tara Teammate", "Otto Outsider", "Theo Partner"} <= names


def test_people_who_already_gave_feedback_this_period_are_not_suggested(
    client: TestClient, db: Session, o: f.Org
) -> None:
    f.feedback(db, o.teammate, o.engineer, o.period)
    db.commit()
    assert "Tara Teammate" not in {s["name"] for s in suggested(client, o, limit=20)}


def test_feedback_history_ranks_people_who_worked_with_the_engineer_first(
    client: TestClient, db: Session, o: f.Org
) -> None:
    last = f.period(db, status=PeriodStatus.CLOSED)
    last.starts_on, last.ends_on = date(2026, 1, 1), date(2026, 6, 30)
    f.feedback(db, o.outsider, o.engineer, last)
    f.feedback(db, o.engineer, o.partner, o.period, relationship=Relationship.PEER)
    db.commit()
    found = suggested(client, o, limit=20)
    first_two = {s["name"]: s["reasons"] for s in found[:2]}
    assert first_two == {
        "Otto Outsider": ["same department, more senior", "gave feedback last period"],
        "Theo Partner": ["same department, more senior", "Eli gave them feedback this period"],
    }


def test_suggestions_come_in_the_same_order_every_time(client: TestClient, o: f.Org) -> None:
    assert suggested(client, o, limit=20) == suggested(client, o, limit=20)


def test_a_cross_functional_teammate_is_told_apart(
    client: TestClient, db: Session, o: f.Org
) -> None:
    f.person(db, "Dee Designer", manager=o.manager, level=None, function=Function.DESIGN)
    db.commit()
    by_name = {s["name"]: s for s in suggested(client, o, limit=20)}
    assert by_name["Dee Designer"]["reasons"] == ["cross-functional: design", "same team"]


def test_an_engineers_reports_are_suggested_as_reports(
    client: TestClient, db: Session, o: f.Org
) -> None:
    lead = f.person(db, "Lee Lead", manager=o.manager, level="staff", track=Track.IC)
    f.person(db, "Rory Report", manager=lead, level="junior")
    db.commit()
    query: dict[str, str | int] = {
        "person_id": str(lead.id),
        "period_id": str(o.period.id),
        "limit": 20,
    }
    found = client.get(
        "/v1/feedback-requests/suggestions", params=query, headers=o.auth("manager")
    ).json()
    by_name = {s["name"]: s for s in found}
    assert by_name["Rory Report"]["relationship"] == "report"
    assert by_name["Rory Report"]["reasons"] == ["reports to Lee"]


@pytest.mark.parametrize("who", ["engineer", "teammate", "other_manager", "hr", "partner"])
def test_only_the_management_chain_gets_suggestions(client: TestClient, o: f.Org, who: str) -> None:
    error(suggestions(client, o, who), 403, "forbidden")


def test_the_skip_level_gets_suggestions_too(client: TestClient, o: f.Org) -> None:
    answer = suggestions(client, o, "director", limit=20)
    assert answer.status_code == 200, answer.text
    names = {s["name"] for s in answer.json()}
    assert "Dana Director" not in names  # whoever asks is not suggested to themselves
    assert "Tara Teammate" in names


def test_suggestions_need_an_open_period(client: TestClient, db: Session, o: f.Org) -> None:
    closed = f.period(db, status=PeriodStatus.CLOSED)
    db.commit()
    error(suggestions(client, o, period_id=str(closed.id)), 409, "period_not_open")
    error(suggestions(client, o, period_id=f.uid()), 422, "unknown_period")


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 21}, {"limit": "many"}, {"person_id": "x"}, {"period_id": ""}],
    ids=["zero", "too-many", "not-a-number", "bad-person", "empty-period"],
)
def test_malformed_suggestion_queries_are_refused(
    client: TestClient, o: f.Org, params: Json
) -> None:
    error(suggestions(client, o, **params), 422, "invalid_request")


def test_suggestions_about_an_unknown_person_are_refused(client: TestClient, o: f.Org) -> None:
    error(suggestions(client, o, "manager", person_id=f.uid()), 403, "forbidden")
    error(suggestions(client, o, "admin", person_id=f.uid()), 422, "unknown_person")


def test_shared_requests_count_as_working_together(
    client: TestClient, db: Session, o: f.Org
) -> None:
    db.add(
        FeedbackRequest(
            period_id=o.period.id,
            subject_id=o.outsider.id,
            reviewer_id=o.engineer.id,
            requested_by_id=o.other_manager.id,
            relationship=Relationship.PEER,
        )
    )
    db.commit()
    by_name = {s["name"]: s for s in suggested(client, o, limit=20)}
    assert by_name["Otto Outsider"]["reasons"] == [
        "same department, more senior",
        "Eli was asked for feedback about them this period",
    ]
    assert suggested(client, o, limit=1)[0]["name"] == "Otto Outsider"
