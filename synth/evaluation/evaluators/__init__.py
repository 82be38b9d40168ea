"""Evaluators: one per quality a draft must have, scored against a case's gold annotations.

Each is a pydantic-evals `Evaluator` returning named scores for one case (a score a case has
nothing to measure for is left out, not zeroed). Deterministic first: span overlaps against
the gold quotes, the packaged MiniLM for meaning (titles, relevance, level fit), and plain
rules for form (keyword-list titles, SMART fields, key steps). `synth.evaluation.metrics` says
which way is better for each score and where the gate sits.

- `themes`: theme agreement with gold, titles, polarity.
- `citations`: key evidence, citation precision, misfiled evidence, vague feedback and
  expectation statuses in the synthesis.
- `suggestions`: expectation suggestions: relevance, coverage, SMART fields, level fit, key
  steps.
- `checklist`: the evidence sufficiency of talent-assessment statements.
- `safety`: leaks of must-not strings and reviewer names, and parity when the engineer's name
  and pronouns are swapped.
- `usage`: tokens, cost and time.

`gold` locates a case's gold quotes in what was stored; `scoring` holds what every evaluator
shares (scores, context, meaning by embedding).
"""

from typing import Any

from pydantic_evals.evaluators import Evaluator

from synth.evaluation.cases import Case
from synth.evaluation.evaluators.checklist import Checklist
from synth.evaluation.evaluators.citations import Citations
from synth.evaluation.evaluators.safety import Leaks, Parity
from synth.evaluation.evaluators.scoring import Embed, minilm
from synth.evaluation.evaluators.suggestions import Suggestions
from synth.evaluation.evaluators.themes import Themes
from synth.evaluation.evaluators.usage import Usage
from synth.evaluation.runner import CaseRun


def evaluators(embed: Embed = minilm) -> list[Evaluator[Case, CaseRun, Any]]:
    """Every evaluator, meaning measured with `embed` (the packaged MiniLM by default)."""
    return [
        Themes(embed),
        Citations(),
        Suggestions(embed),
        Checklist(),
        Leaks(),
        Parity(),
        Usage(),
    ]
