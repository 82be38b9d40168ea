"""Themes: agreement with the gold themes, titles and polarity.

Each gold statement is placed in the drafted theme whose statements cover it most (at least
`COVERS` of it), and the grouping is scored against the gold one (V-measure, count error,
unthemed share). A theme matched to a gold theme has its title compared with the gold title
by meaning and its polarity with the gold polarity; every title is checked for being a
keyword list ("ledger · comments").
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic_evals.evaluators import Evaluator
from sklearn.metrics import v_measure_score

from synth.drafting.inputs import SynthesisInputs, ThemeInput
from synth.drafting.models import DraftKind
from synth.evaluation.cases import Case
from synth.evaluation.evaluators.gold import COVERS, Gold, Span, overlap
from synth.evaluation.evaluators.scoring import Context, Embed, Scores, mean, minilm, similarity
from synth.evaluation.runner import CaseRun
from synth.themes.polarity import Polarity


def _statement_theme(themes: Sequence[ThemeInput], gold: Span) -> int | None:
    best, where = 0, None
    for t, theme in enumerate(themes):
        for s in theme.spans:
            if s.source_id == gold[0]:
                shared = overlap((s.start, s.end), gold[1:])
                if shared > best:
                    best, where = shared, t
    return where if best >= COVERS * max(1, gold[2] - gold[1]) else None


@dataclass
class Themes(Evaluator[Case, CaseRun, Any]):
    """Theme agreement (V-measure over gold statements, count error, unthemed share), title
    similarity to the gold title, keyword-list titles, and polarity agreement."""

    embed: Embed = field(default=minilm)

    def evaluate(self, ctx: Context) -> Scores:
        inputs = ctx.output.inputs(DraftKind.SYNTHESIS)
        if not isinstance(inputs, SynthesisInputs):
            return {}
        return theme_scores(ctx.inputs, ctx.output, inputs.themes, self.embed)


AS_GOLD = {Polarity.STRENGTH: "positive", Polarity.GROWTH_AREA: "negative", Polarity.MIXED: "mixed"}
KEYWORD_TITLE = re.compile(r"^\s*[\w'’-]+(\s*(,|&|·|\band\b|/)\s*[\w'’-]+)+\s*$", re.IGNORECASE)


def is_keyword_list(title: str) -> bool:
    """ "Waited and timed", "ledger · comments", "Build, mobile": disjoint words, no phrase."""
    return KEYWORD_TITLE.match(title) is not None


def theme_scores(case: Case, run: CaseRun, themes: Sequence[ThemeInput], embed: Embed) -> Scores:
    gold = Gold.of(case, run)
    scores: Scores = {}
    titles = [t.label for t in themes]
    if titles:
        scores["keyword_titles"] = mean([float(is_keyword_list(t)) for t in titles])
    if not case.gold.themes:
        return scores
    truth: list[int] = []
    found: list[int] = []
    matched: dict[int, Counter[int]] = {}
    for i, span in gold.members:
        t = _statement_theme(themes, span)
        truth.append(i)
        found.append(t if t is not None else -1)  # the unthemed together, as one group
        if t is not None:
            matched.setdefault(i, Counter())[t] += 1
    if truth:
        scores["theme_v_measure"] = float(v_measure_score(truth, found))
        scores["unthemed"] = sum(1 for f in found if f < 0) / len(found)
    scores["theme_count_error"] = float(abs(len(themes) - len(case.gold.themes)))
    pairs = [(i, counts.most_common(1)[0][0]) for i, counts in matched.items()]
    if pairs:
        sims = similarity(
            embed, [case.gold.themes[i].title for i, _ in pairs], [titles[t] for _, t in pairs]
        )
        scores["title_similarity"] = float(np.mean(np.diag(sims)))
        polar = [
            (case.gold.themes[i].polarity, AS_GOLD[themes[t].polarity])
            for i, t in pairs
            if case.gold.themes[i].polarity != "mixed"
        ]
        if polar:
            scores["polarity_accuracy"] = mean([float(g == f) for g, f in polar])
    return scores
