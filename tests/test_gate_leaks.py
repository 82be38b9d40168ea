"""The leaks of issue 9, each through the API with the reader's own key: what a manager's edit
adds about pay or level, and a growth theme too thin to release, never reach the engineer."""

import copy
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from synth.drafting.offline import OfflineDrafter
from synth.people.models import Level, Track
from synth.text import STOPWORDS, strings
from synth.themes.ingest import ingest
from synth.workflow.jobs import generate_all
from tests import factories as f
from tests.embedders import minilm

REVIEWS = [
    ("teammate", "Her code reviews are thorough and catch real bugs before release."),
    ("partner", "Code reviews from her are careful and detailed; she found a race in the ledger."),
    ("outsider", "She reviews pull requests thoroughly and finds defects early in the ledger."),
]
# A growth area two reviewers raise: below the threshold of three.
THIN = [
    ("teammate", "She flags delays too late, so the launch slip surprised us."),
    ("pm", "Status updates on slipping work come late and surprise the team."),
]


@pytest.fixture
def org(db: Session, sessions: sessionmaker[Session]) -> f.Org:
    o = f.reviewed(db, f.org(db), REVIEWS + THIN)
    ingest(sessions, minilm())
    return o


def drafted(client: TestClient, o: f.Org, sessions: sessionmaker[Session], kind: str) -> str:
    body = {"kind": kind, "subject_id": str(o.engineer.id), "period_id": str(o.period.id)}
    draft_id: str = client.post("/v1/drafts", json=body, headers=o.auth("manager")).json()["id"]
    generate_all(sessions, OfflineDrafter(), minilm())
    return draft_id


def act(client: TestClient, o: f.Org, draft_id: str, action: str, **body: Any) -> Any:
    return client.post(
        f"/v1/drafts/{draft_id}/{action}", json=body or None, headers=o.auth("manager")
    )


def manager_view(client: TestClient, o: f.Org, draft_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/v1/drafts/{draft_id}", headers=o.auth("manager")).json()
    return found


@pytest.mark.parametrize(
    "addition",
    [
        "…and earn a 15% raise",
        "…because she is underpaid compared to the team",
        "Remedial: meeting the current level here comes first.",
        "This sets her up for the promo to senior next cycle.",
        "A strong showing here moves her rating to exceeds expectations.",
    ],
)
def test_pay_and_level_talk_a_manager_adds_is_never_released(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session], addition: str
) -> None:
    draft_id = drafted(client, org, sessions, "expectations")
    content = copy.deepcopy(manager_view(client, org, draft_id)["output"])
    content["expectations"][0]["title"] += " " + addition
    content["expectations"][1]["rationale"] += " " + addition
    edited = client.patch(
        f"/v1/drafts/{draft_id}", json={"content": content}, headers=org.auth("manager")
    )
    assert edited.status_code == 200, edited.text
    blocking = [x for x in edited.json()["guard_report"]["findings"] if x["blocking"]]
    assert blocking and all(x["guard"] == "two_track" for x in blocking), blocking
    assert act(client, org, draft_id, "approve").status_code == 200
    assert act(client, org, draft_id, "release").json()["code"] == "guard_blocked"
    assert act(client, org, draft_id, "override", reason="HR agreed").status_code == 409
    assert act(client, org, draft_id, "release").status_code == 409
    seen = client.get(f"/v1/drafts/{draft_id}", headers=org.auth("engineer"))
    assert seen.status_code == 404


def test_a_thin_growth_theme_never_reaches_the_engineer_through_any_draft(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session]
) -> None:
    released = []
    for kind in ("synthesis", "expectations"):
        draft_id = drafted(client, org, sessions, kind)
        assert act(client, org, draft_id, "approve").status_code == 200
        answer = act(client, org, draft_id, "release")
        assert answer.status_code == 200, answer.text
        released.append(draft_id)
    themes = client.get(
        f"/v1/people/{org.engineer.id}/themes",
        params={"period_id": str(org.period.id)},
        headers=org.auth("manager"),
    ).json()["themes"]
    thin = [t for t in themes if not t["meets_anonymity_threshold"]]
    assert thin, "the two-reviewer theme is a theme for the manager"
    # What the engineer reads: every string value of the released drafts (not the JSON keys,
    # such as "status", which a title may share).
    engineer_reads = " ".join(
        text
        for i in released
        for _, text in strings(client.get(f"/v1/drafts/{i}", headers=org.auth("engineer")).json())
    ).lower()
    # The thin theme's title, and each of its words that only the thin theme's statements
    # use ("slipping", "surprise"; not "work", which generic suggestion text uses too).
    shown = " ".join(
        s["text"].lower() for t in themes if t["meets_anonymity_threshold"] for s in t["statements"]
    )
    for theme in thin:
        own = " ".join(s["text"].lower() for s in theme["statements"])
        label = theme["label"].lower()
        words = [
            w
            for w in re.split(r"\W+", label)
            if len(w) > 3
            and re.search(rf"\b{w}", own)
            and not re.search(rf"\b{w}\b", shown)
            and w not in STOPWORDS
        ]
        assert label not in engineer_reads
        hits = [
            engineer_reads[max(0, m.start() - 60) : m.end() + 40]
            for w in words
            for m in re.finditer(rf"\b{w}\b", engineer_reads)
        ]
        assert not hits, (theme["label"], hits)
    for gone in ("slip", "surprise", "two reviewers", "too late"):
        assert gone not in engineer_reads
    assert "code review" in engineer_reads or "review" in engineer_reads


def test_a_level_of_the_organisations_own_ladder_counts_as_a_level_decision(
    client: TestClient, org: f.Org, sessions: sessionmaker[Session], db: Session
) -> None:
    db.add(
        Level(
            key="archmage",
            name="Archmage",
            track=Track.IC,
            rank=9,
            expectation_style="objective",
            framework="custom",
        )
    )
    db.commit()
    draft_id = drafted(client, org, sessions, "expectations")
    content = copy.deepcopy(manager_view(client, org, draft_id)["output"])
    content["expectations"][0]["rationale"] += " She is ready for Archmage next cycle."
    edited = client.patch(
        f"/v1/drafts/{draft_id}", json={"content": content}, headers=org.auth("manager")
    ).json()
    codes = {x["code"] for x in edited["guard_report"]["findings"] if x["blocking"]}
    assert "mentions_level_change" in codes or "mentions_promotion" in codes, codes
