"""Usage: what drafting a case cost, in tokens, money and seconds."""

from dataclasses import dataclass
from typing import Any

from pydantic_evals.evaluators import Evaluator

from synth.evaluation.cases import Case
from synth.evaluation.evaluators.scoring import Context, Scores
from synth.evaluation.runner import CaseRun


@dataclass
class Usage(Evaluator[Case, CaseRun, Any]):
    """Tokens, cost and time per case."""

    def evaluate(self, ctx: Context) -> Scores:
        usage = [d.usage for d in ctx.output.drafts.values()]
        return {
            "input_tokens": float(sum(u.get("input_tokens", 0) for u in usage)),
            "output_tokens": float(sum(u.get("output_tokens", 0) for u in usage)),
            "cost_usd": float(sum(u.get("cost_usd", 0.0) for u in usage)),
            "seconds": ctx.output.seconds,
        }
