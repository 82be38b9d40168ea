"""What the offline drafter knows about common feedback topics, to word expectations.

A theme label is a pair of keyphrases ("risks earlier · tickets"), not an expectation. Each
topic (in `topics.yaml`) says how a theme about it becomes an observable expectation at every
style of the ladder: explicit activities (junior), ownership (mid), a measurable outcome
(senior), and the same outcome tied to an objective (staff and above, management). Topics are
matched by words in the theme's label and representative statements; the ladder's own
competency text is quoted alongside as the level requirement the expectation answers.

Titles may use {due} (a date). Steps are tactical and in order; the drafter adds a first and
a last step that fit the style.
"""

import re
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator

from synth.lexicon import Regex, Strict, load

ACTIVITY, OWNERSHIP, OUTCOME, OBJECTIVE = "activity", "ownership", "outcome", "objective"
STYLES = (ACTIVITY, OWNERSHIP, OUTCOME, OBJECTIVE)

TOPICS_FILE = Path(__file__).with_name("topics.yaml")


@dataclass(frozen=True)
class Topic:
    key: str
    competency: str
    pattern: re.Pattern[str]
    what: str  # a noun phrase: "written decisions"
    titles: dict[str, str]  # activity, ownership, outcome (objective uses outcome)
    measures: dict[str, str]
    keep: str  # an imperative for stability: "Keep recording decisions in writing"
    steps: tuple[str, ...]


def placeholders(text: str) -> set[str]:
    """The `{name}` fields of a text that is filled with `str.format`."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


class ByStyle(Strict):
    """One text for each style up to outcome; objective styles use the outcome text."""

    activity: str = Field(min_length=1)
    ownership: str = Field(min_length=1)
    outcome: str = Field(min_length=1)

    def by_style(self) -> dict[str, str]:
        """As the drafter reads it: style to text."""
        return {ACTIVITY: self.activity, OWNERSHIP: self.ownership, OUTCOME: self.outcome}


class Wording(Strict):
    """How expectations about one topic are worded."""

    what: str = Field(min_length=1, description='a noun phrase: "written decisions"')
    titles: ByStyle
    measures: ByStyle
    keep: str = Field(min_length=1, description="an imperative for stability")
    steps: list[str] = Field(min_length=1)


class TopicEntry(Wording):
    """A topic: its key, the competency it serves, the words that point at it, its wording."""

    key: str = Field(pattern=r"^[a-z_]+$")
    competency: str = Field(min_length=1)
    match: list[Regex] = Field(min_length=1)


class TopicLibrary(Strict):
    """The file: the topics in order, the fallback per competency, and the general wording."""

    topics: list[TopicEntry] = Field(min_length=1)
    by_competency: dict[str, str]
    general: Wording

    @model_validator(mode="after")
    def _keys_and_placeholders(self) -> Self:
        keys = [t.key for t in self.topics]
        if len(set(keys)) != len(keys):
            raise ValueError("topic keys repeat")
        unknown = sorted(set(self.by_competency.values()) - set(keys))
        if unknown:
            raise ValueError(f"by_competency names unknown topics {unknown}")
        # Titles are filled with str.format(due=...); the general wording also has {name}.
        for label, wording, allowed in [
            *((f"topic {t.key}", t, {"due"}) for t in self.topics),
            ("general", self.general, {"due", "name"}),
        ]:
            for style, title in wording.titles.by_style().items():
                extra = placeholders(title) - allowed
                if extra:
                    raise ValueError(f"{label} {style} title: unknown placeholders {sorted(extra)}")
        return self


@cache
def library() -> TopicLibrary:
    """The packaged topics, read and checked once."""
    return load(TOPICS_FILE, TopicLibrary)


@cache
def all_topics() -> tuple[Topic, ...]:
    """Every topic, in the file's order (earlier ones win ties)."""
    return tuple(
        Topic(
            key=t.key,
            competency=t.competency,
            pattern=re.compile("|".join(t.match), re.IGNORECASE),
            what=t.what,
            titles=t.titles.by_style(),
            measures=t.measures.by_style(),
            keep=t.keep,
            steps=tuple(t.steps),
        )
        for t in library().topics
    )


@cache
def _by_key() -> Mapping[str, Topic]:
    return {t.key: t for t in all_topics()}


def for_competency(competency: str) -> Topic | None:
    """The topic used for a competency when no theme points at one (default ladder keys)."""
    return _by_key().get(library().by_competency.get(competency, ""))


def general(name: str) -> Topic:
    """A topic for a theme no entry matches: worded around the theme's own name."""

    def named(text: str) -> str:
        return text.replace("{name}", name)

    wording = library().general
    return Topic(
        key="general",
        competency="",
        pattern=re.compile(r"$^", re.IGNORECASE),
        what=named(wording.what),
        titles={style: named(title) for style, title in wording.titles.by_style().items()},
        measures={style: named(measure) for style, measure in wording.measures.by_style().items()},
        keep=named(wording.keep),
        steps=tuple(map(named, wording.steps)),
    )


def match(text: str, *, exclude: Collection[str] = ()) -> tuple[Topic | None, int]:
    """The topic with most pattern hits in `text` (ties: library order) and its hit count."""
    best: tuple[Topic | None, int] = (None, 0)
    for topic in all_topics():
        if topic.key in exclude:
            continue
        hits = len(topic.pattern.findall(text))
        if hits > best[1]:
            best = (topic, hits)
    return best
