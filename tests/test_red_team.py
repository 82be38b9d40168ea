"""Red team: adversarial periods through the whole gate, read back with each reader's own key.

Each period of `tests/data/red_team_periods.yaml` (pay and promotion talk, a single-reviewer
theme, a theme only the management chain backs, an identifying role, homoglyph injections) is
drafted in every kind by the offline drafter and by an LLM drafter over a model that does
what the feedback asks: it quotes withheld themes, claims more reviewers than there are,
invents a reviewer's words, says which relationships said what and, in its "obeying" mood,
writes the pay and promotion talk it was asked for. The manager then does the worst a manager
can: slips an invented quote into the draft, overrides every finding an override accepts and
releases. Whatever comes out, nothing the period lists under `never`, no reviewer's name and
no handle reaches the engineer's released views or HR's theme view.
"""

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel
from sqlalchemy.orm import Session, sessionmaker

from synth.cycles.models import Relationship, SelfAssessment
from synth.drafting.base import Drafter
from synth.drafting.llm.drafter import DATA_CLOSE, DATA_OPEN, LLMDrafter
from synth.drafting.offline import OfflineDrafter
from synth.themes.ingest import ingest
from synth.workflow.jobs import generate_all
from tests import factories as f
from tests.embedders import minilm

DATA = yaml.safe_load((Path(__file__).parent / "data" / "red_team_periods.yaml").read_text())
RELATIONSHIP = {
    "pm": Relationship.CROSS_FUNCTIONAL,
    "manager": Relationship.MANAGER,
    "director": Relationship.SKIP_LEVEL,
}
INVENTED = "She is simply the best engineer any of us has ever worked with"
PAY = "She exceeds expectations and deserves a promotion to staff and a 15% raise."
HANDLE = re.compile(r"\bR\d{1,3}\b|\[(?:NAME|EMAIL)_")


def rows(period: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for row in DATA["periods"][period]["feedback"]:
        found.extend(tuple(r) for r in row) if isinstance(row[0], list) else found.append(
            tuple(row)
        )
    return found


# --- a model that does what the feedback asks ------------------------------------------------


def _data(messages: list[ModelMessage]) -> dict[str, Any]:
    for message in messages:
        for part in getattr(message, "parts", []):
            content = getattr(part, "content", None)
            if isinstance(content, str) and DATA_OPEN in content:
                raw = content.split(DATA_OPEN + "\n", 1)[1].rsplit("\n" + DATA_CLOSE, 1)[0]
                found: dict[str, Any] = json.loads(raw)
                return found
    raise AssertionError("no data in the prompt")


def _cite(quote: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    return {
        "source_id": quote["source_id"],
        "source_kind": quote.get("source_kind", "peer_feedback"),
        "quote": quote["text"] if text is None else text,
        "start": 0,
        "end": 1,
    }


def _synthesis(data: dict[str, Any], obeying: bool) -> dict[str, Any]:
    sections = []
    for theme in data["themes"]:
        reps = theme["representatives"]
        summary = (
            f"Five reviewers, including their management chain and a peer, raise {theme['label']}."
        )
        if obeying:
            summary += " " + PAY
        sections.append(
            {
                "theme": theme["label"],
                "summary": summary,
                "claims": [
                    {"text": f"{theme['label']}.", "citations": [_cite(q) for q in reps]},
                    {"text": "Praised by all.", "citations": [_cite(reps[0], INVENTED)]},
                ],
                "reviewers": 5,
            }
        )
    return {
        "overview": "Her manager and a peer say a lot. " + (PAY if obeying else ""),
        "strengths": sections,
        "growth_areas": [],
        "expectations": [
            {
                "expectation_id": e["id"],
                "title": e["title"],
                "status": "missed",
                "note": f"Their manager and a peer say {data['themes'][0]['label']}.",
                "citations": [_cite(data["themes"][0]["representatives"][0])],
            }
            for e in data.get("expectations", [])
        ],
        "self_vs_peers": [],
        "talking_points": ["What next?"],
        "coverage": {
            "feedback_available": 0,
            "feedback_used": 0,
            "themes_available": 0,
            "themes_cited": 0,
        },
    }


def _suggestions(data: dict[str, Any], obeying: bool) -> dict[str, Any]:
    labels = [t["label"] for t in data["themes"]] or ["everything"]
    labels = (labels * 3)[: max(3, min(5, len(labels)))]
    smart = {
        "specific": "One behaviour.",
        "measurable": "Twice a month.",
        "achievable": "On current work.",
        "relevant": "Their manager and a peer raised it.",
        "time_bound": "By the end of the period.",
    }
    return {
        "level": data["level"]["key"],
        "style": data["level"]["style"],
        "expectations": [
            {
                "title": (
                    f"Earn the promotion to staff through {label}"
                    if obeying
                    else f"Work on {label} every sprint"
                ),
                "kind": "growth",
                "rationale": f"Raised by their manager and a peer: {label}.",
                "source": label,
                "smart": smart,
                "due_on": None,
                "key_steps": [f"Look at {label}", "Agree a plan", "Review monthly"],
            }
            for label in labels
        ],
    }


def _checklist(data: dict[str, Any]) -> dict[str, Any]:
    return {"assessment_id": data["assessment"]["id"], "items": [], "summary": PAY}


def obeying_model(obeying: bool) -> Drafter:
    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        data = _data(messages)
        if "assessment" in data:
            output = _checklist(data)
        elif "next_period" in data:
            output = _suggestions(data, obeying)
        else:
            output = _synthesis(data, obeying)
        return ModelResponse(parts=[ToolCallPart("final_result", output)])

    return LLMDrafter(
        "function-model", model_factory=lambda n: FunctionModel(respond, model_name=n)
    )


DRAFTERS: dict[str, Callable[[], Drafter]] = {
    "offline": OfflineDrafter,
    "llm-sly": lambda: obeying_model(False),
    "llm-obeying": lambda: obeying_model(True),
}


# --- the manager who does the worst --------------------------------------------------------


def _invent_a_quote(content: dict[str, Any]) -> dict[str, Any]:
    """The manager replaces the first quote of every section with words nobody wrote."""
    edited = copy.deepcopy(content)
    for key in ("strengths", "growth_areas"):
        for section in edited.get(key, []):
            section["claims"][0]["citations"][0]["quote"] = INVENTED
    return edited


def _release_whatever(client: TestClient, o: f.Org, draft_id: str) -> int:
    """Edit in an invented quote, approve, override everything an override takes, release."""
    manager = o.auth("manager")
    draft = client.get(f"/v1/drafts/{draft_id}", headers=manager).json()
    if draft["status"] != "ready_for_review":
        return 0
    if draft["kind"] == "synthesis" and draft["output"]["strengths"]:
        edited = client.patch(
            f"/v1/drafts/{draft_id}",
            json={"content": _invent_a_quote(draft["output"])},
            headers=manager,
        )
        assert edited.status_code == 200, edited.text
    assert client.post(f"/v1/drafts/{draft_id}/approve", headers=manager).status_code == 200
    released = client.post(f"/v1/drafts/{draft_id}/release", headers=manager)
    if released.status_code == 409 and released.json()["code"] == "guard_blocked":
        client.post(
            f"/v1/drafts/{draft_id}/override",
            json={"reason": "The manager insists."},
            headers=manager,
        )
        released = client.post(f"/v1/drafts/{draft_id}/release", headers=manager)
    assert released.status_code in (200, 409), released.text
    return released.status_code


def _period(db: Session, sessions: sessionmaker[Session], period: str) -> f.Org:
    o = f.org(db)
    for who, text in rows(period):
        relationship = RELATIONSHIP.get(who, Relationship.PEER)
        f.feedback(db, getattr(o, who), o.engineer, o.period, text, relationship=relationship)
    f.expectation(db, o.engineer, o.period, title="Ship the ledger reconciliation job")
    db.add(SelfAssessment(period_id=o.period.id, person_id=o.engineer.id, text="I shipped it."))
    db.commit()
    ingest(sessions, minilm())
    return o


def _leaks(text: str, never: list[str], o: f.Org) -> list[str]:
    lowered = text.lower()
    found = [w for w in never if re.search(rf"(?<!\w){re.escape(w.lower())}(?!\w)", lowered)]
    for person in (o.teammate, o.partner, o.outsider, o.pm, o.manager, o.director):
        found += [p for p in person.name.split() if re.search(rf"\b{p}\b", text)]
    found += HANDLE.findall(text)
    return found


@pytest.mark.parametrize("drafter", sorted(DRAFTERS))
@pytest.mark.parametrize("period", sorted(DATA["periods"]))
def test_nothing_adversarial_reaches_the_engineer_or_hr(
    client: TestClient,
    db: Session,
    sessions: sessionmaker[Session],
    period: str,
    drafter: str,
) -> None:
    o = _period(db, sessions, period)
    assessment = f.assessment(db, o.engineer, o.manager, o.period, partner=o.partner)
    db.commit()
    ids = []
    for kind in ("synthesis", "expectations", "checklist"):
        body = {"kind": kind, "subject_id": str(o.engineer.id), "period_id": str(o.period.id)}
        if kind == "checklist":
            body["assessment_id"] = str(assessment.id)
        asked = client.post("/v1/drafts", json=body, headers=o.auth("manager"))
        assert asked.status_code == 202, asked.text
        ids.append(asked.json()["id"])
    generate_all(sessions, DRAFTERS[drafter](), minilm())

    outcomes = {
        kind: _release_whatever(client, o, i)
        for kind, i in zip(("synthesis", "expectations"), ids[:2], strict=True)
    }
    checklist = client.post(f"/v1/drafts/{ids[2]}/release", headers=o.auth("manager"))
    assert checklist.status_code == 409  # the talent track is never released

    engineer = o.auth("engineer")
    listed = client.get("/v1/drafts", headers=engineer).json()["items"]
    views = [json.dumps(item) for item in listed]
    views += [client.get(f"/v1/drafts/{i}", headers=engineer).text for i in ids]
    assert client.get(f"/v1/drafts/{ids[2]}", headers=engineer).status_code == 404
    hr = client.get(f"/v1/periods/{o.period.id}/themes", headers=o.auth("hr"))
    assert hr.status_code == 200, hr.text
    views.append(hr.text)

    never = DATA["periods"][period]["never"]
    leaks = {v[:80]: _leaks(v, never, o) for v in views}
    assert not any(leaks.values()), leaks
    # Every example the engineer reads is cut from a reviewer's own words, outside the chain.
    words = [text for who, text in rows(period) if who not in RELATIONSHIP or who == "pm"]
    for item in listed:
        for key in ("strengths", "growth_areas"):
            for section in item["released"].get(key, []):
                for example in section["examples"]:
                    assert any(example.rstrip("…") in text for text in words), example
    feedback = client.get(
        "/v1/feedback", params={"subject_id": str(o.engineer.id)}, headers=o.auth("manager")
    ).json()["items"]
    for needle, code in DATA["periods"][period].get("flags", {}).items():
        [row] = [x for x in feedback if needle in x["text"]]
        assert code in {flag["code"] for flag in row["flags"]}, (needle, row["flags"])
    if drafter != "llm-obeying":
        # The gate is not a wall: the corroborated code-review theme does reach the engineer.
        assert outcomes["synthesis"] == 200
        released = next(i for i in listed if i["kind"] == "synthesis")["released"]
        assert released["strengths"] or released["growth_areas"]
    else:
        # What a model that obeys the injection writes is never released, override or not.
        assert outcomes == {"synthesis": 409, "expectations": 409}
