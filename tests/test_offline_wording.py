"""The offline drafter's wording files: the shipped ones load, a malformed entry is refused."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from synth.drafting.offline.onboarding import OUTCOMES_FILE, OnboardingOutcomes, outcomes
from synth.drafting.offline.topics import (
    STYLES,
    TOPICS_FILE,
    TopicLibrary,
    all_topics,
    for_competency,
    general,
    library,
)

Spoil = Callable[[Any], None]


def _refused(path: Path, model: type[BaseModel], spoil: Spoil, error: str) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    spoil(raw)
    with pytest.raises(ValidationError, match=error):
        model.model_validate(raw)


def test_the_shipped_topics_load_and_every_competency_has_one() -> None:
    topics = all_topics()
    assert len(topics) == 14
    assert all(list(t.titles) == list(t.measures) == list(STYLES[:3]) for t in topics)
    for competency in library().by_competency:
        topic = for_competency(competency)
        assert topic is not None and topic.competency == competency
    keep = general("“pairing”").keep
    assert keep == "Bring the standard reviewers praised in “pairing” to {where}"


def _bad_match(raw: Any) -> None:
    raw["topics"][3]["match"][0] = "ask(?:s|ed"


def _unknown_placeholder(raw: Any) -> None:
    raw["topics"][0]["titles"]["outcome"] += " by {date}"


def _unknown_fallback(raw: Any) -> None:
    raw["by_competency"]["delivery"] = "predictible_delivery"


def _missing_style(raw: Any) -> None:
    del raw["topics"][1]["measures"]["ownership"]


@pytest.mark.parametrize(
    ("spoil", "error"),
    [
        (_bad_match, r"topics\.3\.match\.0\n.*pattern does not compile"),
        (_unknown_placeholder, r"topic decisions_written outcome title: unknown .*\['date'\]"),
        (_unknown_fallback, r"by_competency names unknown topics \['predictible_delivery'\]"),
        (_missing_style, r"topics\.1\.measures\.ownership\n\s+Field required"),
    ],
)
def test_a_malformed_topic_is_refused_saying_where(spoil: Spoil, error: str) -> None:
    _refused(TOPICS_FILE, TopicLibrary, spoil, error)


def test_the_shipped_onboarding_outcomes_load_with_every_style() -> None:
    templates = outcomes()
    assert len(templates) == 3
    for template in templates:
        assert list(template.titles) == list(template.steps) == list(STYLES)
        assert template.done


def _no_objective(raw: Any) -> None:
    del raw["outcomes"][0]["objective"]


def _unknown_step_placeholder(raw: Any) -> None:
    raw["outcomes"][2]["activity"]["steps"].append("Meet {manager} in week one")


@pytest.mark.parametrize(
    ("spoil", "error"),
    [
        (_no_objective, r"outcomes\.0\.objective\n\s+Field required"),
        (_unknown_step_placeholder, r"outcomes\.2\.activity\n.*unknown placeholders \['manager'\]"),
    ],
)
def test_a_malformed_onboarding_outcome_is_refused_saying_where(spoil: Spoil, error: str) -> None:
    _refused(OUTCOMES_FILE, OnboardingOutcomes, spoil, error)
