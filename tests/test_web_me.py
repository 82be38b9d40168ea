"""/app/me through the ASGI app: only one's own things, bad forms refused with a code."""

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles.models import ExpectationStatus, KeyStep, PeriodStatus, SelfAssessment
from synth.db.base import utcnow
from synth.drafting import key_steps
from synth.drafting.models import KeyStepSuggestion
from synth.people.models import Person
from tests import factories as f
from tests.web import csrf_of, sign_in_as

EXPECTATIONS: dict[uuid.UUID, uuid.UUID] = {}  # person -> their expectation, per test


@pytest.fixture
def o(db: Session) -> f.Org:
    o = f.org(db, status=PeriodStatus.ACTIVE)
    e = f.expectation(db, o.engineer, o.period, title="Cut the checkout p95 to 300 ms")
    e.engineer_agreed_at = e.manager_agreed_at = utcnow()
    e.status = ExpectationStatus.LOCKED
    theirs = f.expectation(db, o.teammate, o.period, title="Tara's own expectation")
    db.flush()
    EXPECTATIONS.clear()
    EXPECTATIONS.update({o.engineer.id: e.id, o.teammate.id: theirs.id})
    return o


def _suggested(db: Session, o: f.Org, who: Person) -> uuid.UUID:
    expectation_id = EXPECTATIONS[who.id]
    suggestion = key_steps.request(
        db_session=db,
        principal=Principal(role=Role.ENGINEER, person_id=who.id),
        expectation_id=expectation_id,
        drafter="offline",
    )
    db.flush()
    return suggestion.id


def test_the_page_shows_ones_own_expectations_only(
    client: TestClient, db: Session, o: f.Org
) -> None:
    assert sign_in_as(client, db, Role.ENGINEER, o.engineer) == "/app/me"
    page = client.get("/app/me")
    assert page.status_code == 200
    assert "Cut the checkout p95 to 300 ms" in page.text
    assert "Tara's own expectation" not in page.text.replace("&#39;", "'")


def test_asking_and_adopting_keeps_the_step_once(client: TestClient, db: Session, o: f.Org) -> None:
    sign_in_as(client, db, Role.ENGINEER, o.engineer)
    token = csrf_of(client, "/app/me")
    expectation_id = EXPECTATIONS[o.engineer.id]
    asked = client.post(
        f"/app/me/expectations/{expectation_id}/key-step-suggestions",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert asked.status_code == 303 and "notice=key_steps_suggested" in asked.headers["location"]
    suggestion = db.scalars(select(KeyStepSuggestion)).first()
    assert suggestion is not None

    def steps() -> int:
        count = select(func.count()).select_from(KeyStep)
        return db.scalar(count.where(KeyStep.expectation_id == expectation_id)) or 0

    before = steps()
    adopt = f"/app/me/key-step-suggestions/{suggestion.id}/adopt"
    first = client.post(adopt, data={"csrf_token": token, "step": "0"}, follow_redirects=False)
    assert first.status_code == 303 and steps() == before + 1
    again = client.post(adopt, data={"csrf_token": token, "step": "0"})
    assert again.status_code == 409 and "<code>step_already_adopted</code>" in again.text
    assert steps() == before + 1


@pytest.mark.parametrize(
    "step, status, code",
    [("", 422, "invalid_step"), ("x", 422, "invalid_step"), ("99", 422, "unknown_step")],
)
def test_a_bad_step_is_refused_with_a_code(
    client: TestClient, db: Session, o: f.Org, step: str, status: int, code: str
) -> None:
    suggestion_id = _suggested(db, o, o.engineer)
    sign_in_as(client, db, Role.ENGINEER, o.engineer)
    answer = client.post(
        f"/app/me/key-step-suggestions/{suggestion_id}/adopt",
        data={"csrf_token": csrf_of(client, "/app/me"), "step": step},
    )
    assert answer.status_code == status and f"<code>{code}</code>" in answer.text


def test_someone_elses_suggestion_and_expectation_are_not_there(
    client: TestClient, db: Session, o: f.Org
) -> None:
    theirs = _suggested(db, o, o.teammate)
    their_expectation = EXPECTATIONS[o.teammate.id]
    sign_in_as(client, db, Role.ENGINEER, o.engineer)
    token = csrf_of(client, "/app/me")
    adopt = client.post(
        f"/app/me/key-step-suggestions/{theirs}/adopt", data={"csrf_token": token, "step": "0"}
    )
    assert adopt.status_code == 404
    ask = client.post(
        f"/app/me/expectations/{their_expectation}/key-step-suggestions",
        data={"csrf_token": token},
    )
    assert ask.status_code in (403, 404) and "<code>" in ask.text


def test_a_form_without_the_sessions_token_changes_nothing(
    client: TestClient, db: Session, o: f.Org
) -> None:
    suggestion_id = _suggested(db, o, o.engineer)
    sign_in_as(client, db, Role.ENGINEER, o.engineer)
    for data in ({"step": "0"}, {"step": "0", "csrf_token": "forged"}):
        answer = client.post(f"/app/me/key-step-suggestions/{suggestion_id}/adopt", data=data)
        assert answer.status_code == 403 and "<code>csrf_failed</code>" in answer.text
    assert not db.scalars(select(KeyStepSuggestion)).one().adopted


def test_a_malformed_id_is_a_page_not_a_crash(client: TestClient, db: Session, o: f.Org) -> None:
    sign_in_as(client, db, Role.ENGINEER, o.engineer)
    answer = client.post(
        "/app/me/key-step-suggestions/not-a-uuid/adopt",
        data={"csrf_token": csrf_of(client, "/app/me"), "step": "0"},
    )
    assert answer.status_code == 422 and "<code>invalid_request</code>" in answer.text
    assert client.get("/app/me?period=nope").status_code == 422


def test_hr_and_admin_have_no_own_page(client: TestClient, db: Session, o: f.Org) -> None:
    sign_in_as(client, db, Role.HR)
    assert client.get("/app/me").status_code == 403
    client.cookies.clear()
    sign_in_as(client, db, Role.ADMIN)
    answer = client.get("/app/me")
    assert answer.status_code == 403 and "<code>no_person</code>" in answer.text


def _write(client: TestClient, o: f.Org, **fields: str) -> Any:
    data = {"csrf_token": csrf_of(client, "/app/me"), "period_id": str(o.period.id), **fields}
    return client.post("/app/me/self-assessments", data=data, follow_redirects=False)


def test_the_engineer_writes_their_self_assessments_on_the_page(
    client: TestClient, db: Session, o: f.Org
) -> None:
    sign_in_as(client, db, Role.ENGINEER, o.engineer)
    overall = _write(client, o, text="I cut checkout p95 from 420 to 310 ms by caching tax rules.")
    assert overall.status_code == 303 and "self_assessment_saved" in overall.headers["location"]
    mine = _write(
        client,
        o,
        expectation_id=str(EXPECTATIONS[o.engineer.id]),
        outcome="partially_met",
        text="310 ms, not 300: the last 10 ms need the new tax service.",
    )
    assert mine.status_code == 303
    page = client.get("/app/me").text
    assert "420 to 310 ms" in page and "the last 10 ms" in page
    assert "Save my self-assessment" not in page  # written: shown, not offered again
    stored = db.scalars(select(SelfAssessment).where(SelfAssessment.person_id == o.engineer.id))
    assert sorted(s.outcome.value if s.outcome else "-" for s in stored) == ["-", "partially_met"]


@pytest.mark.parametrize(
    "fields, status, code",
    [
        ({"text": "   "}, 422, "invalid_self_assessment"),
        ({"text": "x" * 20001}, 422, "invalid_self_assessment"),
        ({"text": "No outcome given.", "expectation_id": "mine"}, 422, "invalid_self_assessment"),
        (
            {"text": "Not mine.", "expectation_id": "theirs", "outcome": "met"},
            422,
            "unknown_expectation",
        ),
        (
            {"text": "Outcome? no.", "expectation_id": "mine", "outcome": "great"},
            422,
            "invalid_self_assessment",
        ),
    ],
)
def test_a_refused_self_assessment_keeps_what_was_typed(
    client: TestClient,
    db: Session,
    o: f.Org,
    fields: dict[str, str],
    status: int,
    code: str,
) -> None:
    ids = {"mine": EXPECTATIONS[o.engineer.id], "theirs": EXPECTATIONS[o.teammate.id]}
    if "expectation_id" in fields:
        fields = {**fields, "expectation_id": str(ids[fields["expectation_id"]])}
    sign_in_as(client, db, Role.ENGINEER, o.engineer)
    answer = _write(client, o, **fields)
    assert answer.status_code == status and f"<code>{code}</code>" in answer.text
    if fields["text"].strip() and len(fields["text"]) < 100 and code != "unknown_expectation":
        assert fields["text"] in answer.text  # still in the form, to fix and send again
    assert not db.scalars(select(SelfAssessment)).all()


def test_a_second_overall_self_assessment_is_refused_and_kept_in_the_form(
    client: TestClient, db: Session, o: f.Org
) -> None:
    sign_in_as(client, db, Role.ENGINEER, o.engineer)
    assert _write(client, o, text="First take.").status_code == 303
    again = _write(client, o, text="Second take, typed in another tab.")
    assert again.status_code == 409
    assert db.scalars(select(SelfAssessment.text)).all() == ["First take."]


def test_a_self_assessment_for_a_period_one_is_not_in_is_refused(
    client: TestClient, db: Session, o: f.Org
) -> None:
    sign_in_as(client, db, Role.ENGINEER, o.engineer)
    token = csrf_of(client, "/app/me")
    for period_id in ("", "nope", str(uuid.uuid4())):
        answer = client.post(
            "/app/me/self-assessments",
            data={"csrf_token": token, "period_id": period_id, "text": "Hello."},
        )
        assert answer.status_code in (404, 422), period_id
    assert not db.scalars(select(SelfAssessment)).all()
