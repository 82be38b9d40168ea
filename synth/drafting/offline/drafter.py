"""The offline drafter: the default when no model is configured. No network, no key.

It produces the same typed drafts as the LLM drafter, deterministically, from themes,
representative quotes, the leveling framework and rules: a manager's feedback synthesis
(`synthesis`), 3-5 SMART expectation suggestions with key steps (`expectations`, worded
through `topics`) and the thought partner's evidence checklist (`checklist`). Every citation
is copied from a `Quote` the gatherer built, so it is verbatim by construction.
"""

from typing import TypeVar

from synth.drafting.base import Drafted, Usage
from synth.drafting.inputs import (
    ChecklistInputs,
    ExpectationInputs,
    KeyStepInputs,
    SynthesisInputs,
)
from synth.drafting.offline.checklist import draft_checklist
from synth.drafting.offline.expectations import draft_expectations
from synth.drafting.offline.key_steps import draft_key_steps
from synth.drafting.offline.synthesis import draft_synthesis
from synth.drafting.outputs import (
    EvidenceChecklist,
    ExpectationSuggestions,
    KeyStepSuggestions,
    Synthesis,
)

NAME = "offline"
# Bump when the rules or wording change: it is part of the draft cache key.
PROMPT_VERSION = "offline@v7"
# Key steps on demand have their own rules, versioned apart so drafts keep their cache keys.
KEY_STEPS_VERSION = "offline-key-steps@v1"

T = TypeVar("T")


class OfflineDrafter:
    """Rules, not a model: the same inputs always give the same drafts, at zero cost."""

    name = NAME

    def prompt_ref(self, kind: str) -> str:
        """The rule set a draft of `kind` is made with (one version for the three draft kinds)."""
        return KEY_STEPS_VERSION if kind == "key_steps" else PROMPT_VERSION

    def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
        """Raises NotEnoughFeedback with no feedback or feedback from a single reviewer."""
        return self._drafted(draft_synthesis(inputs))

    def expectations(self, inputs: ExpectationInputs) -> Drafted[ExpectationSuggestions]:
        return self._drafted(draft_expectations(inputs))

    def checklist(self, inputs: ChecklistInputs) -> Drafted[EvidenceChecklist]:
        return self._drafted(draft_checklist(inputs))

    def key_steps(self, inputs: KeyStepInputs) -> Drafted[KeyStepSuggestions]:
        output = draft_key_steps(inputs)
        return Drafted(output=output, model=NAME, prompt_version=KEY_STEPS_VERSION, usage=Usage())

    @staticmethod
    def _drafted(output: T) -> Drafted[T]:
        return Drafted(output=output, model=NAME, prompt_version=PROMPT_VERSION, usage=Usage())
