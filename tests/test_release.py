"""The release projection as a property: over every draft kind, several drafters' outputs and
every threshold, what the engineer reads holds nothing computed from a withheld theme, no
quote that is not a released reviewer's literal words, and no statement of who said what."""

import re
import uuid
from datetime import date
from typing import Any

import pytest

from synth.cycles.models import ExpectationKind, Relationship
from synth.drafting.gate.release import engineer_version
from synth.drafting.inputs import (
    ExpectationInput,
    ExpectationInputs,
    LevelInput,
    PeriodInput,
    SynthesisInputs,
    ThemeInput,
)
from synth.drafting.models import DraftKind
from synth.drafting.offline import OfflineDrafter
from synth.guards.anonymity.relationships import relationships_stated
from synth.text import strings
from synth.themes.polarity import Polarity
from tests.books import Book

REVIEWS = "Her code reviews are thorough and catch real bugs before release."
CURT = "She was curt with the support engineers during the outage bridge call."
INVENTED = "Nobody wrote this sentence about her careful reviews at all."
LEVEL = LevelInput(
    key="mid",
    name="Engineer",
    track="ic",
    style="ownership",
    scope="team",
    expectations={"delivery": ["Ships features end to end with tests and a rollout plan."]},
)


def book() -> tuple[Book, list[ThemeInput], ExpectationInput]:
    """Four peers on code reviews (one of them, in the same feedback, alone on a curt call),
    and estimates raised by one peer beside the manager and the skip-level."""
    b = Book()
    f1 = b.feedback("R1", Relationship.PEER, f"{REVIEWS} Her estimates slip by weeks.")
    f2 = b.feedback("R2", Relationship.PEER, "Code reviews from her are careful and detailed.")
    f3 = b.feedback("R3", Relationship.CROSS_FUNCTIONAL, "She reviews pull requests thoroughly.")
    f4 = b.feedback("R4", Relationship.PEER, f"Her reviews catch defects early. {CURT}")
    f5 = b.feedback("R5", Relationship.MANAGER, "Estimates slip by weeks; the launch moved twice.")
    f6 = b.feedback("R6", Relationship.SKIP_LEVEL, "The estimates from her slip by weeks.")
    reviews = b.theme(
        "code reviews · thorough",
        Polarity.STRENGTH,
        [
            b.quote(f1, REVIEWS),
            b.quote(f2),
            b.quote(f3),
            b.quote(f4, "Her reviews catch defects early."),
        ],
    )
    curt = b.theme("support engineers · curt", Polarity.GROWTH_AREA, [b.quote(f4, CURT)])
    estimates = b.theme(
        "estimates · slip",
        Polarity.GROWTH_AREA,
        [b.quote(f1, "Her estimates slip by weeks."), b.quote(f5), b.quote(f6)],
    )
    expectation = ExpectationInput(
        id=uuid.uuid5(uuid.NAMESPACE_URL, "expectation/ledger"),
        position=1,
        title="Ship the ledger reconciliation job",
        kind=ExpectationKind.GROWTH,
        key_steps_done=1,
        key_steps_total=2,
        peer_comments=[b.quote(f5), b.quote(f1, "Her estimates slip by weeks.")],
    )
    return b, [reviews, curt, estimates], expectation


def cite(b: Book, quote: Any, text: str | None = None) -> dict[str, Any]:
    return {
        "source_id": str(quote.source_id),
        "source_kind": quote.source_kind.value,
        "quote": quote.text if text is None else text,
        "start": quote.start,
        "end": quote.end,
    }


def sly_synthesis(b: Book, themes: list[ThemeInput], e: ExpectationInput) -> dict[str, Any]:
    """Every theme as a strength claiming five reviewers, a relationship mix in each summary,
    an invented quote, and evidence resting on the chain's comments."""
    sections = [
        {
            "theme": t.label,
            "summary": f"Five reviewers, including their management chain, raise {t.label}. "
            "It is a pattern.",
            "claims": [
                {"text": t.label, "citations": [cite(b, q) for q in t.representatives]},
                {"text": "Praised.", "citations": [cite(b, t.representatives[0], INVENTED)]},
            ],
            "reviewers": 5,
        }
        for t in themes
    ]
    return {
        "overview": "Her manager and a peer say a lot.",
        "strengths": sections,
        "growth_areas": [],
        "expectations": [
            {
                "expectation_id": str(e.id),
                "title": "A title the drafter rewrote",
                "status": "missed",
                "note": "Estimates slip by weeks, says the chain.",
                "citations": [cite(b, q) for q in e.peer_comments],
            }
        ],
        "self_vs_peers": [],
        "talking_points": ["?"],
        "coverage": {
            "feedback_available": 0,
            "feedback_used": 0,
            "themes_available": 0,
            "themes_cited": 0,
        },
    }


def synthesis_inputs(threshold: int) -> tuple[Book, SynthesisInputs, list[ThemeInput]]:
    b, themes, expectation = book()
    return b, b.synthesis(themes, [expectation], threshold=threshold), themes


def expectation_inputs(themes: list[ThemeInput]) -> ExpectationInputs:
    return ExpectationInputs(
        subject_id=uuid.uuid5(uuid.NAMESPACE_URL, "subject"),
        next_period=PeriodInput(
            name="2027 H1", starts_on=date(2027, 1, 1), ends_on=date(2027, 6, 30)
        ),
        level=LEVEL,
        start_date=date(2022, 1, 10),
        new_hire=False,
        performing_well=False,
        themes=themes,
        current_expectations=[],
        objectives=["Launch offline mode"],
    )


def sly_suggestions(themes: list[ThemeInput]) -> dict[str, Any]:
    smart = dict.fromkeys(("specific", "measurable", "achievable", "time_bound"), "ok")
    sources = [t.label for t in themes] + ["Engineer: Delivery", "what the manager heard"]
    return {
        "level": "mid",
        "style": "ownership",
        "expectations": [
            {
                "title": f"Work on {source}",
                "kind": "growth",
                "rationale": f"Raised by peers and their manager: {source}.",
                "source": source,
                "smart": smart | {"relevant": "Their skip-level and a peer said so."},
                "due_on": None,
                "key_steps": ["Ask two peers and your manager for a review", "Plan", "Do"],
            }
            for source in sources[:5]
        ],
    }


def assert_nothing_withheld(
    released: dict[str, Any], b: Book, themes: list[ThemeInput], threshold: int
) -> None:
    text = " ".join(t for _, t in strings(released)).lower()
    words = " ".join(re.findall(r"[a-z]+", text))
    for theme in themes:
        if theme.outside_chain >= threshold:
            continue
        label = " ".join(w for w in re.findall(r"[a-z]+", theme.label) if w != "and")
        assert label not in words, (theme.label, released)
        for quote in theme.representatives:
            if not any(
                t.holds(quote.source_id, quote.start, quote.end)
                for t in themes
                if t.outside_chain >= threshold
            ):
                assert " ".join(re.findall(r"[a-z]+", quote.text.lower())[:4]) not in words
    assert INVENTED.lower() not in text
    assert "curt" not in text or threshold == 1  # one reviewer raises it
    outside = [f.text for f in b.items if not f.in_chain]
    for key in ("strengths", "growth_areas"):
        for section in released.get(key, []):
            for example in section["examples"]:
                assert any(example.rstrip("…") in source for source in outside), example
    for path, value in strings(released):
        assert relationships_stated(value, path) == [], (path, value)


@pytest.mark.parametrize("threshold", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("drafter", ["offline", "sly"])
def test_a_released_synthesis_holds_only_allowed_material(threshold: int, drafter: str) -> None:
    b, inputs, themes = synthesis_inputs(threshold)
    if drafter == "offline":
        content = OfflineDrafter().synthesis(inputs).output.model_dump(mode="json")
    else:
        content = sly_synthesis(b, themes, inputs.expectations[0])
    released = engineer_version(
        DraftKind.SYNTHESIS, content, anonymity_threshold=threshold, inputs=inputs
    )
    assert_nothing_withheld(released, b, themes, threshold)
    shown = [s["theme"].lower() for s in released["strengths"] + released["growth_areas"]]
    if threshold <= 4:
        assert any("review" in s for s in shown), released  # the gate is not a wall
    else:
        assert shown == []
    assert [e["title"] for e in released["expectations"]] == ["Ship the ledger reconciliation job"]


@pytest.mark.parametrize("threshold", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("drafter", ["offline", "sly"])
def test_released_suggestions_answer_only_allowed_sources(threshold: int, drafter: str) -> None:
    b, themes, _ = book()
    inputs = expectation_inputs(themes)
    if drafter == "offline":
        content = OfflineDrafter().expectations(inputs).output.model_dump(mode="json")
    else:
        content = sly_suggestions(themes)
    released = engineer_version(
        DraftKind.EXPECTATIONS, content, anonymity_threshold=threshold, inputs=inputs
    )
    assert_nothing_withheld(released, b, themes, threshold)
    allowed = {t.label for t in themes if t.outside_chain >= threshold}
    for s in released["expectations"]:
        assert s["source"] in allowed | {"Launch offline mode", "onboarding"} or s[
            "source"
        ].endswith(": Delivery"), s["source"]
    if drafter == "sly":
        assert "what the manager heard" not in str(released)


def test_checklists_are_never_projected() -> None:
    _, inputs, _ = synthesis_inputs(3)
    with pytest.raises(ValueError):
        engineer_version(DraftKind.CHECKLIST, {}, anonymity_threshold=3, inputs=inputs)


def test_one_feedback_item_in_a_released_theme_does_not_carry_a_lone_theme_through() -> None:
    b, inputs, themes = synthesis_inputs(3)
    curt = themes[1]
    section = {
        "theme": "Support calls",
        "summary": "Several reviewers describe tense support calls.",
        "claims": [{"text": "Tense.", "citations": [cite(b, curt.representatives[0])]}],
        "reviewers": 4,
    }
    content = sly_synthesis(b, themes, inputs.expectations[0]) | {"strengths": [section]}
    released = engineer_version(DraftKind.SYNTHESIS, content, anonymity_threshold=3, inputs=inputs)
    assert released["strengths"] == []
