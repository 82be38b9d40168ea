"""Citations: what the synthesis cites, against the gold key evidence and theme polarities.

Key-evidence recall, citation precision (a strength cites positive or mixed gold evidence, a
growth area negative or mixed) and misfiled evidence; with them the feedback called vague and
the expectation statuses, against gold.
"""

from dataclasses import dataclass
from typing import Any

from pydantic_evals.evaluators import Evaluator

from synth.drafting.models import DraftKind
from synth.drafting.outputs import Synthesis
from synth.evaluation.cases import Case
from synth.evaluation.evaluators.gold import Gold, cited, covers
from synth.evaluation.evaluators.scoring import Context, Scores, mean, sections
from synth.evaluation.runner import CaseRun
from synth.evidence import Citation


@dataclass
class Citations(Evaluator[Case, CaseRun, Any]):
    """Key-evidence recall, citation precision and misfiled evidence in the synthesis."""

    def evaluate(self, ctx: Context) -> Scores:
        synthesis = ctx.output.output(DraftKind.SYNTHESIS)
        if not isinstance(synthesis, Synthesis):
            return {}
        return citation_scores(ctx.inputs, ctx.output, synthesis)


FITS = {"strength": ("positive", "mixed"), "growth": ("negative", "mixed")}


def all_citations(synthesis: Synthesis) -> list[Citation]:
    found = [c for _, s in sections(synthesis) for claim in s.claims for c in claim.citations]
    found += [c for e in synthesis.expectations for c in e.citations]
    found += [c for p in synthesis.self_vs_peers for c in p.citations]
    return found


def citation_scores(case: Case, run: CaseRun, synthesis: Synthesis) -> Scores:
    gold = Gold.of(case, run)
    scores: Scores = {}
    spans = [cited(c) for c in all_citations(synthesis)]
    if gold.key_evidence:
        scores["key_evidence_recall"] = mean(
            [float(any(covers(s, k) or covers(k, s) for s in spans)) for k in gold.key_evidence]
        )
    feedback = set(run.feedback_ids.values())
    placed = [
        (where, cited(c))
        for where, section in sections(synthesis)
        for claim in section.claims
        for c in claim.citations
        if c.source_id in feedback  # self-assessment quotes are the engineer's own view
    ]
    if placed and case.gold.themes:
        themes = [(where, gold.theme_of(span)) for where, span in placed]
        scores["citation_precision"] = mean(
            [float(t is not None and gold.polarity[t] in FITS[w]) for w, t in themes]
        )
        polar = [(w, gold.polarity[t]) for w, t in themes if t is not None]
        wrong = [w for w, p in polar if p != "mixed" and p not in FITS[w]]
        if polar:
            scores["misfiled"] = len(wrong) / len(polar)
    predicted = {run.feedback_keys.get(i) for i in synthesis.vague_feedback_ids} - {None}
    truth = set(case.gold.vague)
    if predicted:
        scores["vague_precision"] = len(predicted & truth) / len(predicted)
    if truth:
        scores["vague_recall"] = len(predicted & truth) / len(truth)
    statuses = {e.expectation_id: e.status for e in synthesis.expectations}
    judged = [(statuses.get(run.expectation_ids[e.key]), e.gold_status) for e in case.expectations]
    if judged:
        scores["expectation_status_accuracy"] = mean([float(s == g) for s, g in judged])
    return scores
