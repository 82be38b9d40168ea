"""Onboarding expectations for a new hire: only inside their first 90 days, and never for
what they have already done.

The domain's rule: a new hire's first expectations focus on onboarding and last at most 90
days from the start date; at the end of that window the engineer and manager set expectations
for the rest of the period. So onboarding is suggested only when the 90 days are still running
when the next period starts, with at least two weeks of them left (the domain's "meet within
the first two weeks": a window of a few days leaves nothing to plan).

What is done is decided by meaning, not by shared words: a clause the new hire reports (the
overall self-assessment and their notes on this period's expectations, with an explicit
completion word such as "already", "shipped", "set up", and nothing pending such as "still
need to"), a key step marked done, or an expectation met or with every key step done, that
says the same as an onboarding outcome's `done` phrases (MiniLM cosine at least `DONE`) makes
that outcome done; one that says the same as a key step (at least `STEP_DONE`) leaves that step
out, while three remain. The outcomes and their wording at each style are in `onboarding.yaml`.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator

from synth.cycles.models import ExpectationKind, Outcome
from synth.drafting.inputs import ExpectationInputs
from synth.drafting.offline.meaning import similarity
from synth.drafting.offline.plan import Plan
from synth.drafting.offline.text import day
from synth.drafting.offline.topics import (
    ACTIVITY,
    OBJECTIVE,
    OUTCOME,
    OWNERSHIP,
    placeholders,
)
from synth.drafting.outputs import Smart, SuggestedExpectation
from synth.lexicon import Strict, load

ONBOARDING_DAYS = 90
MIN_DAYS_LEFT = 14  # fewer onboarding days left at the period start: regular expectations
DONE = 0.55  # a reported clause and an outcome's `done` phrase say the same thing
STEP_DONE = 0.62  # ... and a key step: stricter, steps are short and alike
MIN_STEPS = 3

_COMPLETE = re.compile(
    r"\b(?:already|done|did|finished|completed?|shipped|merged|released|deployed|published|"
    r"met|took|taken|shadowed|joined|set\s+up|wrote|written|ran|got|handled|[a-z]{3,}ed)\b",
    re.IGNORECASE,
)
_PENDING = re.compile(
    r"\b(?:not\s+yet|yet\s+to|still\s+(?:need|have|to|working)|needs?\s+to|haven['’]t|"
    r"have\s+not|hasn['’]t|has\s+not|didn['’]t|did\s+not|not\s+done|working\s+on|"
    r"plan(?:ning)?\s+to|planned|scheduled|will|going\s+to|hope\s+to|want\s+to|about\s+to)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+")
_CLAUSE = re.compile(r"\s*(?:[;,:]|\s(?:and|but|then)\s)\s*", re.IGNORECASE)

OUTCOMES_FILE = Path(__file__).with_name("onboarding.yaml")


@dataclass(frozen=True)
class Onboarding:
    """One onboarding expectation per style: title, measure and steps. Placeholders: {due},
    {objective} (quoted objective, or "the team's objectives"). `done` says, in a new hire's
    words, what having done it sounds like: compared by meaning with what they report."""

    what: str
    done: tuple[str, ...]
    titles: dict[str, str]
    measures: dict[str, str]
    steps: dict[str, tuple[str, ...]]


class StyleWording(Strict):
    """An onboarding outcome at one style of the ladder."""

    title: str = Field(min_length=1)
    measure: str = Field(min_length=1)
    steps: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _fills(self) -> Self:
        # Title and steps are filled with str.format(due=..., objective=...).
        for text in (self.title, *self.steps):
            extra = placeholders(text) - {"due", "objective"}
            if extra:
                raise ValueError(f"unknown placeholders {sorted(extra)} in: {text}")
        return self


class OutcomeEntry(Strict):
    """One onboarding outcome: what it is, how a new hire says it is done, its wording."""

    what: str = Field(min_length=1)
    done: list[str] = Field(min_length=1)
    activity: StyleWording
    ownership: StyleWording
    outcome: StyleWording
    objective: StyleWording

    def by_style(self) -> dict[str, StyleWording]:
        """Style to wording, in ladder order."""
        return {
            ACTIVITY: self.activity,
            OWNERSHIP: self.ownership,
            OUTCOME: self.outcome,
            OBJECTIVE: self.objective,
        }


class OnboardingOutcomes(Strict):
    """The file: onboarding outcomes in the order they are suggested."""

    outcomes: list[OutcomeEntry] = Field(min_length=1)


@cache
def outcomes() -> tuple[Onboarding, ...]:
    """The packaged onboarding outcomes, read and checked once."""
    entries = load(OUTCOMES_FILE, OnboardingOutcomes).outcomes
    return tuple(
        Onboarding(
            what=entry.what,
            done=tuple(entry.done),
            titles={style: wording.title for style, wording in entry.by_style().items()},
            measures={style: wording.measure for style, wording in entry.by_style().items()},
            steps={style: tuple(wording.steps) for style, wording in entry.by_style().items()},
        )
        for entry in entries
    )


@dataclass(frozen=True)
class Reported:
    """Something the new hire has done, in their words or their key steps'."""

    text: str
    source: str


def window(inputs: ExpectationInputs, due: date) -> date | None:
    """The last day of onboarding, when the next period starts inside the new hire's first
    90 days with at least two weeks of them left; None otherwise."""
    ends = inputs.start_date + timedelta(days=ONBOARDING_DAYS)
    begin = max(inputs.start_date, inputs.next_period.starts_on)
    if not inputs.new_hire or (ends - begin).days < MIN_DAYS_LEFT:
        return None
    return min(ends, due)


def _clauses(text: str) -> Iterator[str]:
    for sentence in _SENTENCE.findall(text):
        sentence = sentence.strip()
        if len(sentence.split()) < 2:
            continue
        yield sentence
        parts = [p.strip() for p in _CLAUSE.split(sentence) if len(p.split()) >= 2]
        if len(parts) > 1:
            yield from parts


def reported(inputs: ExpectationInputs) -> list[Reported]:
    """What the new hire reports done: clauses of their self-assessment that say so, key
    steps marked done, and expectations met."""
    found: list[Reported] = []
    own = [inputs.self_assessment] + [e.self_quote for e in inputs.current_expectations]
    for quote in own:
        if quote is None:
            continue
        for sentence in _SENTENCE.findall(quote.text):
            if _PENDING.search(sentence) and not _COMPLETE.search(sentence):
                continue
            for clause in _clauses(sentence):
                if _COMPLETE.search(clause) and not _PENDING.search(clause):
                    found.append(Reported(clause, "the self-assessment"))
    for e in sorted(inputs.current_expectations, key=lambda e: e.position):
        for step in e.done_steps:
            found += [Reported(c, "a key step marked done") for c in _clauses(step)]
        all_steps = e.key_steps_total > 0 and e.key_steps_done == e.key_steps_total
        if e.self_outcome is Outcome.MET or all_steps:
            found += [Reported(c, "an expectation met") for c in _clauses(e.title)]
    return list({r.text: r for r in found}.values())


def _done_by(template: Onboarding, done: list[Reported]) -> Reported | None:
    if not done:
        return None
    sims = similarity([r.text for r in done], list(template.done)).max(axis=1)
    best = int(sims.argmax())
    return done[best] if sims[best] >= DONE else None


def _steps_left(steps: list[str], done: list[Reported]) -> tuple[list[str], list[str]]:
    """(steps to keep, steps left out as done): at least `MIN_STEPS` stay."""
    if not done or len(steps) <= MIN_STEPS:
        return steps, []
    sims = similarity(steps, [r.text for r in done]).max(axis=1)
    ranked = sorted(range(len(steps)), key=lambda i: -float(sims[i]))
    dropped = {i for i in ranked[: len(steps) - MIN_STEPS] if sims[i] >= STEP_DONE}
    return (
        [s for i, s in enumerate(steps) if i not in dropped],
        [s for i, s in enumerate(steps) if i in dropped],
    )


def onboarding(plan: Plan, last: date) -> list[SuggestedExpectation]:
    """The onboarding expectations not yet done, due by `last` (the end of the 90 days)."""
    inputs = plan.inputs
    begin = max(inputs.start_date, inputs.next_period.starts_on)
    dues = [min(begin + timedelta(days=30), last), min(begin + timedelta(days=60), last), last]
    done = reported(inputs)
    templates = outcomes()
    skipped = [(t, by) for t in templates if (by := _done_by(t, done)) is not None]
    # Named by outcome and where it was reported, never quoted: a run of the engineer's own
    # words in what they read back is the anonymity guard's verbatim copy.
    already = "".join(
        f" Already done, so not suggested: {t.what} ({by.source})." for t, by in skipped
    )
    remaining = [t for t in templates if all(t is not s for s, _ in skipped)]
    result: list[SuggestedExpectation] = []
    for template, due in zip(remaining, dues, strict=False):
        objective = plan.objective_for(template.what) if plan.objective_style else None
        named = f"“{objective}”" if objective else "the team's objectives"
        fill = {"due": day(due), "objective": named}
        steps, left_out = _steps_left([s.format(**fill) for s in template.steps[plan.style]], done)
        note = "".join(f" Leaves out a step already done: “{s}”." for s in left_out)
        result.append(
            SuggestedExpectation(
                title=template.titles[plan.style].format(**fill),
                kind=ExpectationKind.ONBOARDING,
                rationale=(
                    f"New hire: the first expectations focus on onboarding ({template.what}) and "
                    f"last at most {ONBOARDING_DAYS} days from the {day(inputs.start_date)} start; "
                    "expectations for the rest of the period are set at the 90-day check-in."
                    + note
                    + (already if not result else "")
                ),
                source="onboarding",
                smart=Smart(
                    specific=f"It names one onboarding outcome, {template.what}, with the steps "
                    "to get there.",
                    measurable=template.measures[plan.style],
                    achievable="It is sized for the first 90 days, with the team's docs, runbooks "
                    "and an onboarding buddy to lean on.",
                    relevant=f"Onboarding to {template.what} comes before longer-term goals for a "
                    f"new {plan.level.name}.",
                    time_bound=f"Due {day(due)}, within {ONBOARDING_DAYS} days of the "
                    f"{day(inputs.start_date)} start date.",
                ),
                due_on=due,
                key_steps=steps,
            )
        )
    return result
