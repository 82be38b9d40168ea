"""The approval gate: drafts are requested (202), generated in the background, reviewed by
the management chain, and only the released engineer-facing version reaches the engineer."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from synth.audit.models import AuditEvent
from synth.config import get_settings
from synth.cycles.models import PeriodStatus, Relationship
from synth.drafting.gather import checklist_inputs
from synth.drafting.inputs import Quote
from synth.drafting.models import Draft, DraftStatus
from synth.drafting.outputs import ChecklistItemKind
from synth.talent.models import LevelAlignment
from synth.themes.ingest import ingest
from synth.workflow.jobs import generate_all
from tests import factories as f
from tests.drafters import CountingDrafter, DownDrafter
from tests.embedders import minilm

FEEDBACK = [
    ("teammate", "Her code reviews are thorough and catch real bugs before release."),
    ("partner", "Code reviews from her are careful and detailed; she found a race in the ledger."),
    ("pm", "She reviews pull requests thoroughly and finds defects early."),
    ("teammate", "She flags delays too late, so the launch slip surprised us."),
    ("partner", "Status updates on slipping work come late and surprise the team."),
]


@pytest.fixture
def org(db: Session, sessions: sessionmaker[Session]) -> f.Org:
    o = f.reviewed(db, f.org(db), FEEDBACK)
    ingest(sessions, minilm())
    return o


def ask(client: TestClient, o: f.Org, who: str = "manager", **extra: Any) -> Any:
    body = {"kind": "synthesis", "subject_id": str(o.engineer.id), "period_id": str(o.period.id)}
    body.update(extra)
    return client.post("/v1/drafts", json=body, headers=o.auth(who))


def test_a_manager_requests_a_draft_and_gets_202_with_its_id(
    client: TestClient, org: f.Org, db: Session
) -> None:
    response = ask(client, org)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued" and body["existing"] is False
    draft = db.get(Draft, body["id"])
    assert draft is not None and draft.drafter == "offline"


def test_an_accepted_request_says_where_to_poll_and_when(client: TestClient, org: f.Org) -> None:
    response = ask(client, org)
    assert response.headers["Location"] == f"/v1/drafts/{response.json()['id']}"
    assert int(response.headers["Retry-After"]) > 0
    polled = client.get(response.headers["Location"], headers=org.auth("manager"))
    assert polled.status_code == 200 and polled.json()["status"] == "queued"


def test_concurrent_requests_for_one_engineer_share_one_draft(
    client: TestClient, org: f.Org
) -> None:
    first, second = ask(client, org), ask(client, org, who="director")
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["existing"] is True


def test_generation_makes_a_draft_ready_for_review_with_usage_and_prompt_version(
    client: TestClient, org: f.Org, db: Session, sessions: sessionmaker[Session]
) -> None:
    draft_id = ask(client, org).json()["id"]
    drafter = CountingDrafter()
    assert generate_all(sessions, drafter, minilm()) == 1
    body = client.get(f"/v1/drafts/{draft_id}", headers=org.auth("manager")).json()
    assert body["status"] == "ready_for_review"
    assert body["prompt_version"] == "synthesis@test" and body["model"] == drafter.name
    assert body["usage"]["input_tokens"] == 100 and body["inputs_hash"]
    assert body["output"]["strengths"] or body["output"]["growth_areas"]


def test_identical_inputs_reuse_the_stored_draft_with_zero_model_calls(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session]
) -> None:
    drafter = CountingDrafter()
    first = ask(client, org).json()["id"]
    generate_all(sessions, drafter, minilm())
    second = ask(client, org).json()["id"]
    generate_all(sessions, drafter, minilm())
    assert drafter.calls == 1
    reused = client.get(f"/v1/drafts/{second}", headers=org.auth("manager")).json()
    assert reused["reused_from_id"] == first and reused["usage"]["requests"] == 0


def test_engineers_see_nothing_until_release_then_only_the_released_version(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session]
) -> None:
    draft_id = ask(client, org).json()["id"]
    generate_all(sessions, CountingDrafter(), minilm())
    engineer = org.auth("engineer")
    assert client.get(f"/v1/drafts/{draft_id}", headers=engineer).status_code == 404
    assert client.get("/v1/drafts", headers=engineer).json()["items"] == []
    for step in ("approve", "release"):
        response = client.post(f"/v1/drafts/{draft_id}/{step}", headers=org.auth("manager"))
        assert response.status_code == 200, response.text
    seen = client.get(f"/v1/drafts/{draft_id}", headers=engineer).json()
    assert set(seen) == {"id", "kind", "period_id", "released", "updated_at"}
    assert "overview" in seen["released"]
    assert "coverage" not in seen["released"] and "output" not in seen


@pytest.mark.parametrize("who", ["engineer", "teammate", "other_manager", "hr", "partner"])
def test_only_the_management_chain_reviews(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session], who: str
) -> None:
    draft_id = ask(client, org).json()["id"]
    generate_all(sessions, CountingDrafter(), minilm())
    response = client.post(f"/v1/drafts/{draft_id}/approve", headers=org.auth(who))
    assert response.status_code in (403, 404)
    assert response.json()["code"] in ("forbidden", "draft_not_found")


def test_rejecting_needs_a_reason_and_keeps_the_models_text(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session]
) -> None:
    draft_id = ask(client, org).json()["id"]
    generate_all(sessions, CountingDrafter(), minilm())
    url = f"/v1/drafts/{draft_id}/reject"
    assert client.post(url, json={"reason": "  "}, headers=org.auth("manager")).status_code == 422
    body = client.post(url, json={"reason": "Too generic"}, headers=org.auth("manager")).json()
    assert body["status"] == "rejected" and body["reject_reason"] == "Too generic"
    assert body["output"] is not None


def test_an_edit_must_keep_the_drafts_shape_and_the_model_text_stays(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session]
) -> None:
    draft_id = ask(client, org).json()["id"]
    generate_all(sessions, CountingDrafter(), minilm())
    manager = org.auth("manager")
    url = f"/v1/drafts/{draft_id}"
    bad = client.patch(url, json={"content": {"overview": "x"}}, headers=manager)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_draft_content"
    content = client.get(url, headers=manager).json()["output"]
    content["overview"] = "Edited by the manager."
    edited = client.patch(url, json={"content": content}, headers=manager).json()
    assert edited["edited"]["overview"] == "Edited by the manager."
    assert edited["output"]["overview"] == "A period in brief."


def test_every_transition_is_audited(
    client: TestClient, org: f.Org, db: Session, sessions: sessionmaker[Session]
) -> None:
    draft_id = ask(client, org).json()["id"]
    generate_all(sessions, CountingDrafter(), minilm())
    for step in ("approve", "release"):
        client.post(f"/v1/drafts/{draft_id}/{step}", headers=org.auth("manager"))
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == draft_id).order_by(AuditEvent.seq)
    ).all()
    assert actions == [
        "draft.requested",
        "draft.ready_for_review",
        "draft.approved",
        "draft.released",
    ]


def test_a_provider_outage_fails_the_draft_with_its_reason_and_it_can_be_retried(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session]
) -> None:
    draft_id = ask(client, org).json()["id"]
    generate_all(sessions, DownDrafter(), minilm())
    failed = client.get(f"/v1/drafts/{draft_id}", headers=org.auth("manager")).json()
    assert failed["status"] == "failed" and failed["error_code"] == "drafting_failed"
    assert "503" in failed["error"] and failed["output"] is None
    retried = client.post(f"/v1/drafts/{draft_id}/retry", headers=org.auth("manager"))
    assert retried.json()["status"] == "queued"
    generate_all(sessions, CountingDrafter(), minilm())
    ready = client.get(f"/v1/drafts/{draft_id}", headers=org.auth("manager")).json()
    assert ready["status"] == "ready_for_review" and ready["attempts"] == 2


def test_an_engineer_with_too_little_feedback_gets_a_clear_result(
    client: TestClient, org: f.Org, db: Session, sessions: sessionmaker[Session]
) -> None:
    body = {
        "kind": "synthesis",
        "subject_id": str(org.teammate.id),
        "period_id": str(org.period.id),
    }
    draft_id = client.post("/v1/drafts", json=body, headers=org.auth("manager")).json()["id"]
    generate_all(sessions, CountingDrafter(), minilm())
    result = client.get(f"/v1/drafts/{draft_id}", headers=org.auth("manager")).json()
    assert result["status"] == "failed" and result["error_code"] == "not_enough_feedback"
    assert result["output"] is None


def test_drafts_need_a_period_in_review(client: TestClient, org: f.Org, db: Session) -> None:
    active = f.period(db, status=PeriodStatus.ACTIVE)
    response = ask(client, org, period_id=str(active.id))
    assert response.status_code == 409 and response.json()["code"] == "period_not_open"


def test_checklists_are_for_the_chain_and_thought_partner_and_never_released(
    client: TestClient, org: f.Org, db: Session, sessions: sessionmaker[Session]
) -> None:
    assessment = f.assessment(db, org.engineer, org.manager, org.period, partner=org.partner)
    db.commit()
    response = ask(client, org, who="partner", kind="checklist", assessment_id=str(assessment.id))
    assert response.status_code == 202, response.text
    draft_id = response.json()["id"]
    generate_all(sessions, CountingDrafter(), minilm())
    assert client.get(f"/v1/drafts/{draft_id}", headers=org.auth("partner")).status_code == 200
    assert client.get(f"/v1/drafts/{draft_id}", headers=org.auth("engineer")).status_code == 404
    client.post(f"/v1/drafts/{draft_id}/approve", headers=org.auth("manager"))
    refused = client.post(f"/v1/drafts/{draft_id}/release", headers=org.auth("manager"))
    assert refused.status_code == 409 and refused.json()["code"] == "not_releasable"
    missing = ask(client, org, kind="checklist")
    assert missing.status_code == 422 and missing.json()["code"] == "assessment_required"


def test_transitions_out_of_order_are_refused(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session]
) -> None:
    draft_id = ask(client, org).json()["id"]
    early = client.post(f"/v1/drafts/{draft_id}/approve", headers=org.auth("manager"))
    assert early.status_code == 409 and early.json()["code"] == "invalid_draft_transition"
    generate_all(sessions, CountingDrafter(), minilm())
    unapproved = client.post(f"/v1/drafts/{draft_id}/release", headers=org.auth("manager"))
    assert unapproved.status_code == 409
    assert (
        DraftStatus.READY_FOR_REVIEW.value
        == client.get(f"/v1/drafts/{draft_id}", headers=org.auth("manager")).json()["status"]
    )


def test_a_model_litellm_does_not_know_is_refused_at_request_time(
    client: TestClient, org: f.Org, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowed = ["no-such-provider/model-x", "openai/gpt-4o-mini"]
    monkeypatch.setattr(get_settings(), "allowed_models", allowed)
    response = ask(client, org, model="no-such-provider/model-x")
    assert response.status_code == 422 and response.json()["code"] == "unknown_model"
    assert db.scalar(select(Draft.id).where(Draft.subject_id == org.engineer.id)) is None
    known = ask(client, org, model="openai/gpt-4o-mini")
    assert known.status_code == 202
    assert db.get(Draft, known.json()["id"]).drafter == "openai/gpt-4o-mini"  # type: ignore[union-attr]


def test_the_released_version_shows_only_themes_enough_reviewers_back() -> None:
    from synth.drafting.gate.release import engineer_version
    from synth.drafting.models import DraftKind
    from tests.books import Book

    book = Book()
    said = {
        who: book.feedback(who, Relationship.PEER, f"{who} says the code reviews are thorough.")
        for who in ("R1", "R2", "R3", "R4")
    }

    def section(theme: str, reviewers: int, handles: list[str]) -> dict[str, Any]:
        quotes = [book.quote(said[h]) for h in handles]
        claim = {
            "text": f"{theme} claim",
            "citations": [
                {"source_id": str(q.source_id), "quote": q.text, "start": q.start, "end": q.end}
                for q in quotes
            ],
        }
        return {
            "theme": theme,
            "summary": f"{theme} summary",
            "reviewers": reviewers,
            "claims": [claim],
        }

    content = {
        "overview": "Manager-only: R3 was vague; the thin theme “pairing” came from two people.",
        # "pairing" claims four reviewers but cites two; "estimates" claims two, cites three.
        "strengths": [
            section("reviews", 4, ["R1", "R2", "R3", "R4"]),
            section("pairing", 4, ["R1", "R2"]),
        ],
        "growth_areas": [
            section("estimates", 3, ["R2", "R3", "R4"]),
            section("naming", 2, ["R1", "R2", "R3"]),
        ],
        "expectations": [],
        "self_vs_peers": [],
        "talking_points": ["Ask about estimates"],
    }
    inputs = book.synthesis()
    released = engineer_version(DraftKind.SYNTHESIS, content, anonymity_threshold=3, inputs=inputs)
    assert [s["theme"] for s in released["strengths"]] == ["reviews"]
    assert [s["theme"] for s in released["growth_areas"]] == ["estimates"]
    assert "pairing" not in str(released) and "Manager-only" not in released["overview"]
    assert "naming" not in str(released)
    assert all("claims" not in s for s in released["strengths"])
    assert "talking_points" not in released and "self_vs_peers" not in released


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("director", 200),
        ("manager", 200),
        ("engineer", 404),
        ("teammate", 404),
        ("other_manager", 404),
        ("hr", 404),
        ("service", 404),
        ("partner", 404),
    ],
)
def test_who_reads_a_draft_under_review(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session], who: str, status: int
) -> None:
    draft_id = ask(client, org).json()["id"]
    generate_all(sessions, CountingDrafter(), minilm())
    assert client.get(f"/v1/drafts/{draft_id}", headers=org.auth(who)).status_code == status
    listed = client.get("/v1/drafts", headers=org.auth(who)).json()["items"]
    assert (draft_id in {d["id"] for d in listed}) is (status == 200)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"kind": "poem"}, 422, "invalid_request"),
        ({"subject_id": "not-a-uuid"}, 422, "invalid_request"),
        ({"subject_id": "00000000-0000-4000-8000-000000000000"}, 422, "unknown_person"),
        ({"period_id": "00000000-0000-4000-8000-000000000000"}, 422, "unknown_period"),
        (
            {"kind": "checklist", "assessment_id": "00000000-0000-4000-8000-000000000000"},
            422,
            "unknown_assessment",
        ),
        ({"objectives": ["   "]}, 422, "invalid_request"),
        ({"surprise": 1}, 422, "invalid_request"),
    ],
)
def test_bad_draft_requests_are_refused_and_store_nothing(
    client: TestClient, org: f.Org, db: Session, change: dict[str, Any], status: int, code: str
) -> None:
    response = ask(client, org, **change)
    assert response.status_code == status and response.json()["code"] == code, response.text
    assert db.scalar(select(Draft.id)) is None


def test_a_flagged_remark_reaches_the_manager_with_its_flag_and_never_the_engineer(
    client: TestClient, db: Session, sessions: sessionmaker[Session]
) -> None:
    from synth.drafting.offline import OfflineDrafter

    remark = "She is very bossy in design reviews."
    o = f.reviewed(
        db,
        f.org(db),
        [*FEEDBACK, ("outsider", f"{remark} Her ledger schema doc is the best we have.")],
    )
    ingest(sessions, minilm())
    draft_id = ask(client, o).json()["id"]
    generate_all(sessions, OfflineDrafter(), minilm())
    manager = o.auth("manager")
    seen = client.get(f"/v1/drafts/{draft_id}", headers=manager).json()
    [flagged] = seen["output"]["flagged"]
    assert flagged["citation"]["quote"] == remark and flagged["terms"] == ["bossy"]
    cited = [
        c
        for key in ("strengths", "growth_areas")
        for s in seen["output"][key]
        for claim in s["claims"]
        for c in claim["citations"]
    ]
    # The praise in its own sentence may be evidence; the flagged sentence never is.
    assert cited and all("bossy" not in c["quote"] for c in cited)
    # The citation guard checks it like every other quote: a literal span of its feedback.
    guard = client.get(f"/v1/drafts/{draft_id}", headers=manager).json()["guard_report"]
    assert not [x for x in guard["findings"] if x["guard"] == "citations"]
    for step in ("approve", "release"):
        response = client.post(f"/v1/drafts/{draft_id}/{step}", headers=manager)
        assert response.status_code == 200, response.text
    released = client.get(f"/v1/drafts/{draft_id}", headers=o.auth("engineer")).json()
    assert "flagged" not in released["released"]
    assert "bossy" not in str(released).lower()


@pytest.mark.parametrize(
    ("alignment", "for_it", "against_it"),
    [
        (LevelAlignment.MEETING, {"strength"}, set()),
        (LevelAlignment.EXCEEDING, {"strength"}, {"growth_area"}),
        (LevelAlignment.BELOW, {"growth_area"}, {"strength"}),
    ],
)
def test_a_growth_area_does_not_contradict_meeting_the_bar(
    org: f.Org, db: Session, alignment: LevelAlignment, for_it: set[str], against_it: set[str]
) -> None:
    assessment = f.assessment(db, org.engineer, org.manager, org.period, partner=org.partner)
    assessment.level_alignment = alignment
    inputs = checklist_inputs(db, org.engineer, org.period, assessment, minilm())
    rating = inputs.items[0]
    assert rating.kind is ChecklistItemKind.RATING
    assert rating.statement == f"{alignment.value} expectations for their level"
    reviews, slips = FEEDBACK[0][1], FEEDBACK[3][1]
    side = {"strength": reviews, "growth_area": slips}

    def sides(quotes: list[Quote]) -> set[str]:
        texts = " ".join(q.text for q in quotes)
        return {name for name, text in side.items() if text[:30] in texts}

    assert sides(rating.supporting) <= for_it and sides(rating.supporting)
    assert sides(rating.contradicting) == against_it
