"""Test drafters: one that builds minimal valid drafts and counts calls, one that fails."""

from synth.cycles.models import ExpectationKind
from synth.drafting.base import Drafted, DraftingFailed, NotEnoughFeedback, Usage
from synth.drafting.inputs import (
    ChecklistInputs,
    ExpectationInputs,
    KeyStepInputs,
    SynthesisInputs,
)
from synth.drafting.offline.text import cite
from synth.drafting.outputs import (
    Claim,
    Coverage,
    EvidenceChecklist,
    ExpectationSuggestions,
    KeyStepSuggestions,
    Smart,
    SuggestedExpectation,
    SuggestedKeyStep,
    Synthesis,
    ThemeSection,
)


class CountingDrafter:
    """Deterministic and tiny: a section per theme, counted so cache hits are visible."""

    name = "counting-test-model"

    def __init__(self) -> None:
        self.calls = 0

    def prompt_ref(self, kind: str) -> str:
        return f"{kind}@test"

    def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
        self.calls += 1
        if len({f.reviewer for f in inputs.feedback}) < 2:
            raise NotEnoughFeedback("fewer than two reviewers")
        sections = [
            ThemeSection(
                theme=t.label,
                summary=f"{t.reviewers} reviewers",
                claims=[Claim(text=f"About {t.label}.", citations=[cite(t.representatives[0])])],
                reviewers=t.reviewers,
            )
            for t in inputs.themes
        ]
        output = Synthesis(
            overview="A period in brief.",
            strengths=[
                s for s, t in zip(sections, inputs.themes, strict=True) if t.polarity == "strength"
            ],
            growth_areas=[
                s for s, t in zip(sections, inputs.themes, strict=True) if t.polarity != "strength"
            ],
            expectations=[],
            self_vs_peers=[],
            talking_points=["How did the period feel?"],
            coverage=Coverage(
                feedback_available=len(inputs.feedback),
                feedback_used=len(inputs.feedback),
                themes_available=len(inputs.themes),
                themes_cited=len(inputs.themes),
            ),
        )
        return Drafted(
            output=output,
            model=self.name,
            prompt_version="synthesis@test",
            usage=Usage(input_tokens=100, output_tokens=50, requests=1, cost_usd=0.001),
        )

    def expectations(self, inputs: ExpectationInputs) -> Drafted[ExpectationSuggestions]:
        self.calls += 1
        smart = Smart(specific="s", measurable="m", achievable="a", relevant="r", time_bound="t")
        items = [
            SuggestedExpectation(
                title=f"Expectation {i}",
                kind=ExpectationKind.GROWTH,
                rationale="r",
                source="s",
                smart=smart,
                key_steps=["one", "two", "three"],
            )
            for i in range(3)
        ]
        output = ExpectationSuggestions(
            level=inputs.level.key, style=inputs.level.style, expectations=items
        )
        return Drafted(output=output, model=self.name, prompt_version="expectations@test")

    def checklist(self, inputs: ChecklistInputs) -> Drafted[EvidenceChecklist]:
        self.calls += 1
        output = EvidenceChecklist(assessment_id=inputs.assessment.id, items=[], summary="ok")
        return Drafted(output=output, model=self.name, prompt_version="checklist@test")

    def key_steps(self, inputs: KeyStepInputs) -> Drafted[KeyStepSuggestions]:
        self.calls += 1
        steps = [SuggestedKeyStep(text=f"Step {i}", why="w") for i in range(3)]
        output = KeyStepSuggestions(style=inputs.level.style, steps=steps)
        return Drafted(output=output, model=self.name, prompt_version="key_steps@test")


class DownDrafter(CountingDrafter):
    """A provider that is down for every kind of draft."""

    name = "down-test-model"

    def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
        self.calls += 1
        raise DraftingFailed("provider unavailable after 3 retries (503)")
