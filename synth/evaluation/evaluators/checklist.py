"""Checklist: the evidence sufficiency of each talent-assessment statement, against gold."""

from dataclasses import dataclass
from typing import Any

from pydantic_evals.evaluators import Evaluator

from synth.drafting.models import DraftKind
from synth.drafting.outputs import EvidenceChecklist
from synth.evaluation.cases import Case
from synth.evaluation.evaluators.scoring import Context, Scores, mean
from synth.evaluation.runner import CaseRun


@dataclass
class Checklist(Evaluator[Case, CaseRun, Any]):
    """Evidence sufficiency of each assessment statement against gold."""

    def evaluate(self, ctx: Context) -> Scores:
        checklist = ctx.output.output(DraftKind.CHECKLIST)
        assessment = ctx.inputs.talent_assessment
        if (
            not isinstance(checklist, EvidenceChecklist)
            or assessment is None
            or not assessment.gold
        ):
            return {}
        found = {item.statement.strip(): item.status for item in checklist.items}
        return {
            "checklist_accuracy": mean(
                [float(found.get(g.statement.strip()) == g.status) for g in assessment.gold]
            )
        }
