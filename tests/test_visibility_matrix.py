"""The role x endpoint matrix: who may read and write what, following the org chart.

Two-track rule: an engineer never reads their talent assessment or raw feedback about
themselves; a thought partner reads only what is assigned; HR and service keys read no
individual records.
"""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from synth.cycles.models import PeriodStatus, SelfAssessment
from tests import factories as f

PRINCIPALS = (
    "admin",
    "hr",
    "service",
    "director",
    "manager",
    "other_manager",
    "engineer",
    "teammate",
    "partner",
)


@dataclass
class World:
    org: f.Org
    ids: dict[str, str]


@pytest.fixture
def world(db: Session) -> World:
    o = f.org(db)
    exp = f.expectation(db, o.engineer, o.period)
    sa = SelfAssessment(
        period_id=o.period.id, person_id=o.engineer.id, text="I shipped most of it.", outcome=None
    )
    db.add(sa)
    fb = f.feedback(db, o.teammate, o.engineer, o.period)
    ta = f.assessment(db, o.engineer, o.manager, o.period, partner=o.partner)
    from synth.cycles.models import FeedbackRequest, Relationship

    req = FeedbackRequest(
        period_id=o.period.id,
        subject_id=o.engineer.id,
        reviewer_id=o.teammate.id,
        requested_by_id=o.manager.id,
        relationship=Relationship.PEER,
    )
    db.add(req)
    db.flush()
    return World(
        o,
        {
            "expectations": str(exp.id),
            "self-assessments": str(sa.id),
            "feedback": str(fb.id),
            "talent-assessments": str(ta.id),
            "feedback-requests": str(req.id),
        },
    )


def sees(*names: str) -> dict[str, bool]:
    return {p: p in names for p in PRINCIPALS}


READS = {
    # The teammate is asked for feedback on the engineer (an open request): they read the
    # expectations they are asked to give examples against.
    "expectations": sees("admin", "director", "manager", "engineer", "partner", "teammate"),
    "self-assessments": sees("admin", "director", "manager", "engineer", "partner"),
    "feedback": sees("admin", "director", "manager", "teammate", "partner"),
    "talent-assessments": sees("admin", "director", "manager", "partner"),
    "feedback-requests": sees("admin", "director", "manager", "teammate"),
}


@pytest.mark.parametrize("resource", sorted(READS))
@pytest.mark.parametrize("who", PRINCIPALS)
def test_list_shows_records_only_to_those_entitled(
    client: TestClient, world: World, resource: str, who: str
) -> None:
    response = client.get(f"/v1/{resource}", headers=world.org.auth(who))
    assert response.status_code == 200, response.text
    ids = {item["id"] for item in response.json()["items"]}
    assert (world.ids[resource] in ids) is READS[resource][who]


@pytest.mark.parametrize("resource", sorted(READS))
@pytest.mark.parametrize("who", PRINCIPALS)
def test_get_by_id_is_404_for_those_not_entitled(
    client: TestClient, world: World, resource: str, who: str
) -> None:
    response = client.get(f"/v1/{resource}/{world.ids[resource]}", headers=world.org.auth(who))
    expected = 200 if READS[resource][who] else 404
    assert response.status_code == expected, response.text
    if expected == 404:
        assert response.json()["code"].endswith("not_found")


@pytest.mark.parametrize("who", PRINCIPALS)
def test_directory_and_periods_are_readable_by_everyone(
    client: TestClient, world: World, who: str
) -> None:
    for path in ("/v1/people", "/v1/periods", "/v1/levels"):
        assert client.get(path, headers=world.org.auth(who)).status_code == 200


@pytest.mark.parametrize("who", PRINCIPALS)
def test_audit_log_and_keys_are_admin_only(client: TestClient, world: World, who: str) -> None:
    for path in ("/v1/audit-events", "/v1/keys"):
        response = client.get(path, headers=world.org.auth(who))
        assert response.status_code == (200 if who == "admin" else 403), (path, response.text)
        if who != "admin":
            assert response.json()["code"] == "forbidden"


def test_feedback_never_reaches_its_subject_even_filtered(client: TestClient, world: World) -> None:
    o = world.org
    response = client.get(
        "/v1/feedback", params={"subject_id": str(o.engineer.id)}, headers=o.auth("engineer")
    )
    assert response.json()["items"] == []


def test_a_manager_never_reads_their_own_talent_assessment(
    client: TestClient, db: Session, world: World
) -> None:
    o = world.org
    own = f.assessment(db, o.manager, o.director, o.period, partner=o.hr_person)
    response = client.get(f"/v1/talent-assessments/{own.id}", headers=o.auth("manager"))
    assert response.status_code == 404
    assert (
        client.get(f"/v1/talent-assessments/{own.id}", headers=o.auth("director")).status_code
        == 200
    )


WRITES_PERSON = sees("admin", "hr", "service")
WRITES_PERIOD = sees("admin", "hr")
WRITES_EXPECTATION = sees("admin", "director", "manager", "engineer")
WRITES_ASSESSMENT = sees("admin", "director", "manager")
WRITES_BULK = sees("admin", "hr", "service")
WRITES_KEY = sees("admin")


@pytest.mark.parametrize("who", PRINCIPALS)
def test_who_may_create_people(client: TestClient, world: World, who: str) -> None:
    body = {"email": f"new.{who}@example.test", "name": "New Person", "start_date": "2026-01-05"}
    response = client.post("/v1/people", json=body, headers=world.org.auth(who))
    assert response.status_code == (201 if WRITES_PERSON[who] else 403), response.text


@pytest.mark.parametrize("who", PRINCIPALS)
def test_who_may_open_periods(client: TestClient, world: World, who: str) -> None:
    body = {
        "name": f"2027 Q1 {who}",
        "kind": "quarter",
        "starts_on": "2027-01-01",
        "ends_on": "2027-03-31",
    }
    response = client.post("/v1/periods", json=body, headers=world.org.auth(who))
    assert response.status_code == (201 if WRITES_PERIOD[who] else 403), response.text


@pytest.mark.parametrize("who", PRINCIPALS)
def test_who_may_set_an_engineers_expectations(
    client: TestClient, db: Session, world: World, who: str
) -> None:
    planning = f.period(db, status=PeriodStatus.PLANNING)
    body = {
        "period_id": str(planning.id),
        "person_id": str(world.org.engineer.id),
        "title": "Own the on-call runbook for the ledger service",
        "kind": "growth",
        "key_steps": [{"text": "Shadow two on-call shifts"}],
    }
    response = client.post("/v1/expectations", json=body, headers=world.org.auth(who))
    assert response.status_code == (201 if WRITES_EXPECTATION[who] else 403), response.text


@pytest.mark.parametrize("who", PRINCIPALS)
def test_who_may_write_talent_assessments(
    client: TestClient, db: Session, world: World, who: str
) -> None:
    body = {
        "period_id": str(world.org.period.id),
        "subject_id": str(world.org.teammate.id),
        "level_alignment": "exceeding",
        "confidence": "high",
        "strengths": ["Led the ledger migration"],
    }
    response = client.post("/v1/talent-assessments", json=body, headers=world.org.auth(who))
    assert response.status_code == (201 if WRITES_ASSESSMENT[who] else 403), response.text


@pytest.mark.parametrize("who", PRINCIPALS)
def test_who_may_bulk_import_feedback(client: TestClient, world: World, who: str) -> None:
    o = world.org
    body = {
        "period": str(o.period.id),
        "items": [
            {
                "author": o.pm.email,
                "subject": o.teammate.email,
                "relationship": "cross_functional",
                "text": f"Clear release notes for the checkout launch ({who}).",
            }
        ],
    }
    response = client.post("/v1/feedback/bulk", json=body, headers=o.auth(who))
    assert response.status_code == (201 if WRITES_BULK[who] else 403), response.text


@pytest.mark.parametrize("who", PRINCIPALS)
def test_who_may_create_keys(client: TestClient, world: World, who: str) -> None:
    response = client.post("/v1/keys", json={"role": "hr"}, headers=world.org.auth(who))
    assert response.status_code == (201 if WRITES_KEY[who] else 403), response.text


@pytest.mark.parametrize("who", PRINCIPALS)
def test_feedback_is_written_by_people_about_others(
    client: TestClient, world: World, who: str
) -> None:
    o = world.org
    body = {
        "period_id": str(o.period.id),
        "subject_id": str(o.engineer.id),
        "relationship": "peer",
        "text": f"Helped me debug the flaky payment test suite in October ({who}).",
    }
    response = client.post("/v1/feedback", json=body, headers=o.auth(who))
    expected = {
        "engineer": 422,  # about oneself
        "admin": 403,
        "hr": 403,
        "service": 403,  # not a person: use the bulk import
        "manager": 422,  # the manager is not a "peer": relationship must match the chart
        "director": 422,
    }.get(who, 201)
    assert response.status_code == expected, response.text
