"""Expectation suggestions: relevance, growth-area coverage, another team's objectives, SMART
completeness, level fit and key-step actionability.

Meaning decides relevance, coverage and level fit (a suggestion answers a growth area,
expectation or objective at a MiniLM cosine of `RELEVANT`; its closest ladder level is found
the same way); plain rules of form judge the SMART fields and the key steps.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from pydantic_evals.evaluators import Evaluator

from synth.drafting.models import DraftKind
from synth.drafting.outputs import ExpectationSuggestions
from synth.evaluation.cases import IC_LEVELS, MANAGER_LEVELS, Case
from synth.evaluation.evaluators.scoring import Context, Embed, Scores, mean, minilm, similarity
from synth.evaluation.runner import CaseRun
from synth.people.ladder import DEFAULT_LADDER, parse_ladder
from synth.people.models import Track

RELEVANT = 0.4  # MiniLM cosine at which a suggestion answers a growth area or objective


@dataclass
class Suggestions(Evaluator[Case, CaseRun, Any]):
    """Expectation suggestions: relevance, growth-area coverage, another team's objectives,
    SMART completeness, level fit and key-step actionability."""

    embed: Embed = field(default=minilm)

    def evaluate(self, ctx: Context) -> Scores:
        suggestions = ctx.output.output(DraftKind.EXPECTATIONS)
        if not isinstance(suggestions, ExpectationSuggestions):
            return {}
        return suggestion_scores(ctx.inputs, suggestions, self.embed)


def suggestion_scores(case: Case, drafted: ExpectationSuggestions, embed: Embed) -> Scores:
    items = drafted.expectations
    titles = [s.title for s in items]
    own = [*case.gold.growth_areas, *(e.title for e in case.expectations), *case.team.objectives]
    mine = similarity(embed, titles, own).max(axis=1) if own else np.zeros(len(titles))
    theirs = similarity(embed, titles, case.other_objectives)
    other = theirs.max(axis=1) if case.other_objectives else np.full(len(titles), -1.0)
    scores: Scores = {
        "suggestion_relevance": mean(
            [float(m >= RELEVANT and m >= o) for m, o in zip(mine, other, strict=True)]
        ),
        "smart_completeness": mean([smart_score(s, items) for s in items]),
        "key_step_actionability": key_step_score([s.key_steps for s in items]),
        "level_fit": level_fit(case, titles, embed),
    }
    if case.other_objectives:
        scores["other_team_objectives"] = mean(
            [float(o >= RELEVANT and o > m) for m, o in zip(mine, other, strict=True)]
        )
    if case.gold.growth_areas:
        answered = similarity(embed, case.gold.growth_areas, titles).max(axis=1)
        scores["growth_area_coverage"] = mean([float(a >= RELEVANT) for a in answered])
    return scores


NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|ten|half|twice|every|each|all|no)\b", re.I)
WHEN = re.compile(
    r"\b(19|20)\d\d\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"\b(q[1-4]|week|weeks|month|months|quarter|sprint|period|day|days)\b",
    re.I,
)


def smart_score(item: Any, siblings: Sequence[Any]) -> float:
    """Share of the five SMART fields that hold up: specific, measured (a number), achievable
    and relevant in words of their own (not the same sentence as a sibling's), dated."""
    smart = item.smart
    stock = Counter(s.smart.achievable.strip() for s in siblings)
    stock_relevant = Counter(s.smart.relevant.strip() for s in siblings)
    checks = [
        len(smart.specific.split()) >= 4,
        bool(NUMBER.search(smart.measurable)),
        len(smart.achievable.split()) >= 4
        and (len(siblings) < 2 or stock[smart.achievable.strip()] == 1),
        len(smart.relevant.split()) >= 4
        and (len(siblings) < 2 or stock_relevant[smart.relevant.strip()] == 1),
        bool(WHEN.search(smart.time_bound)) or item.due_on is not None,
    ]
    return sum(checks) / len(checks)


NOT_ACTIONS = frozenset(
    "the a an this that these those it its you your i we our they their he she his her is are "
    "be being been was were will would should could can may might must there here "
    "improvement progress growth better more less".split()
)


def actionable(step: str) -> bool:
    """One concrete action: starts with a verb-like word (not an article, pronoun, auxiliary or
    a vague noun), or a time phrase then one ("Once a month, go over ..."), 4-40 words."""
    words = re.findall(r"[\w'’-]+", step.lower())
    if not 4 <= len(words) <= 40:
        return False
    lead = step.split(",", 1)[1] if "," in step[:30] else step
    first = re.findall(r"[\w'’-]+", lead.lower())[:1]
    return bool(first) and first[0] not in NOT_ACTIONS and not first[0].endswith("ing")


def key_step_score(steps: Sequence[Sequence[str]]) -> float:
    """Share of key steps that are actionable and appear in one suggestion only (the same
    step under every suggestion is a template, not a plan)."""
    everywhere = Counter(s.strip().lower() for group in steps for s in set(group))
    flat = [s for group in steps for s in group]
    if not flat:
        return 0.0
    return mean(
        [
            float(actionable(s) and (len(steps) < 2 or everywhere[s.strip().lower()] == 1))
            for s in flat
        ]
    )


@cache
def _ladder() -> dict[str, tuple[Track, int, list[str]]]:
    spec = parse_ladder(DEFAULT_LADDER.read_text(), source=str(DEFAULT_LADDER))
    return {
        level.key: (
            level.track,
            level.rank,
            [line for lines in level.expectations.values() for line in lines]
            + list(level.example_expectations),
        )
        for level in spec.levels
    }


def level_fit(case: Case, titles: Sequence[str], embed: Embed) -> float:
    """Share of suggestions whose closest ladder level (mean of its three best-matching
    expectation lines) is within one rank of the engineer's, on the engineer's track."""
    ladder = {k: v for k, v in _ladder().items() if v[0] is case.subject.track}
    if case.subject.level not in ladder or not titles:
        return 0.0
    keys = [
        k for k in (IC_LEVELS if case.subject.track is Track.IC else MANAGER_LEVELS) if k in ladder
    ]
    lines = [(k, line) for k in keys for line in ladder[k][2]]
    sims = similarity(embed, list(titles), [line for _, line in lines])
    rank = ladder[case.subject.level][1]
    fits = []
    for row in sims:
        best = max(
            keys,
            key=lambda k: float(
                np.mean(sorted((s for (kk, _), s in zip(lines, row, strict=True) if kk == k))[-3:])
            ),
        )
        fits.append(float(abs(ladder[best][1] - rank) <= 1))
    return mean(fits)
