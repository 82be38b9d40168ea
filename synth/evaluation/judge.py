"""An LLM judge for the synthesis, on top of the deterministic evaluators: optional.

`synth eval --judge MODEL` grades each case's synthesis against the rubric in
`synth/prompts/judge/` with any litellm model (its key from the environment, as for
drafting). It only runs when asked, so CI and offline runs never need a key. Eval cases are
synthetic periods written for the suite, so sending them to a hosted judge exposes nobody.
"""

from dataclasses import dataclass
from typing import Any

from pydantic_ai.models import Model
from pydantic_evals.evaluators import EvaluationReason, Evaluator, EvaluatorContext
from pydantic_evals.evaluators.llm_as_a_judge import judge_input_output

from synth.drafting.llm import prompts
from synth.drafting.models import DraftKind
from synth.drafting.outputs import Synthesis
from synth.evaluation.cases import Case
from synth.evaluation.runner import CaseRun


def feedback_text(case: Case) -> str:
    """What the reviewers and the engineer wrote, as the judge reads it."""
    lines = [f"- ({f.relationship.value}) {f.text.strip()}" for f in case.feedback]
    own = case.self_assessment
    if own is not None:
        lines.append(f"- (self-assessment) {own.overall.strip()}")
    return "Feedback about the engineer:\n" + "\n".join(lines)


def synthesis_text(synthesis: Synthesis) -> str:
    """The synthesis as the manager reads it: overview, sections with their quotes, points."""
    parts = [synthesis.overview, "", "Strengths:"]
    for title, sections in (
        ("Strengths", synthesis.strengths),
        ("Growth areas", synthesis.growth_areas),
    ):
        if title != "Strengths":
            parts += ["", f"{title}:"]
        for section in sections:
            parts.append(f"## {section.theme}: {section.summary}")
            parts += [f'  - {c.text} "{q.quote}"' for c in section.claims for q in c.citations]
    parts += ["", "Talking points:", *(f"- {p}" for p in synthesis.talking_points)]
    return "\n".join(parts)


@dataclass
class Judge(Evaluator[Case, CaseRun, Any]):
    """The rubric's score (0-1) for the synthesis, with the judge's reason."""

    model: Model

    async def evaluate(self, ctx: EvaluatorContext[Case, CaseRun, Any]) -> dict[str, Any]:
        synthesis = ctx.output.output(DraftKind.SYNTHESIS)
        if not isinstance(synthesis, Synthesis):
            return {}
        grading = await judge_input_output(
            inputs=feedback_text(ctx.inputs),
            output=synthesis_text(synthesis),
            rubric=prompts.load("judge").text,
            model=self.model,
        )
        score = min(1.0, max(0.0, float(grading.score)))
        return {"judge_synthesis": EvaluationReason(value=score, reason=grading.reason)}


def judge(model_name: str) -> Judge:
    """A judge on `model_name` through synth's litellm adapter (retries, cost ledger)."""
    from synth.drafting.llm.litellm_model import litellm_model

    model, _ = litellm_model(model_name)
    return Judge(model)
