"""The drafter interface every drafter implements, and what a drafting call returns."""

from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from synth.drafting.inputs import (
    ChecklistInputs,
    ExpectationInputs,
    KeyStepInputs,
    SynthesisInputs,
)
from synth.drafting.outputs import (
    EvidenceChecklist,
    ExpectationSuggestions,
    KeyStepSuggestions,
    Synthesis,
)
from synth.errors import SynthError

OutputT = TypeVar("OutputT")


@dataclass(frozen=True)
class Usage:
    """Tokens, requests and cost of one draft (all zero for the offline drafter)."""

    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class Drafted(Generic[OutputT]):
    """A drafter's output, what it cost and which model actually produced it."""

    output: OutputT
    model: str
    prompt_version: str
    usage: Usage = field(default_factory=Usage)


class Drafter(Protocol):
    """Produces the three draft kinds, and key steps on demand, from their inputs.

    Implementations must not write."""

    @property
    def name(self) -> str: ...

    def prompt_ref(self, kind: str) -> str:
        """The prompt version the next draft of `kind` will use (part of the cache key)."""
        ...

    def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]: ...

    def expectations(self, inputs: ExpectationInputs) -> Drafted[ExpectationSuggestions]: ...

    def checklist(self, inputs: ChecklistInputs) -> Drafted[EvidenceChecklist]: ...

    def key_steps(self, inputs: KeyStepInputs) -> Drafted[KeyStepSuggestions]:
        """Key steps for one expectation, from the engineer's own inputs (no feedback)."""
        ...


class NotEnoughFeedback(SynthError):
    """Too little feedback to draft from: a clear result, never an empty draft."""

    code = "not_enough_feedback"
    status = 422


class DraftingFailed(SynthError):
    """The model could not produce a valid draft (after retries and fallbacks)."""

    code = "drafting_failed"
    status = 502
