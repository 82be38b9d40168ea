"""What a drafter is given: compact, typed, free of names, and hashable for the draft cache.

Reviewers appear only as pseudonymous handles ("R1", "R2") with their relationship; the
engineer as "the engineer". The prompt carries themes with a few representative statements
rather than every comment, so its size grows with the number of themes, not of comments.
`FeedbackItem` and `Quote` are evidence the guards read too: defined in synth.evidence.
"""

import hashlib
import json
import uuid
from datetime import date

from pydantic import Field

from synth.cycles.models import ExpectationKind, Outcome
from synth.drafting.outputs import ChecklistItemKind
from synth.evidence import CHAIN, PersonName
from synth.evidence import FeedbackItem as FeedbackItem
from synth.evidence import Input as Input
from synth.evidence import Quote as Quote
from synth.themes.polarity import Polarity


class Span(Input):
    """Where one statement of a theme sits in its feedback."""

    source_id: uuid.UUID
    start: int
    end: int
    polarity: float = Field(
        default=0.0,
        description="-1 (growth area) to +1 (strength): each statement is placed on its own",
    )


class ThemeInput(Input):
    label: str
    polarity: Polarity
    reviewers: int
    relationships: dict[str, int]
    representatives: list[Quote]
    statement_count: int
    source_ids: list[uuid.UUID] = Field(description="every feedback item the theme draws on")
    spans: list[Span] = Field(
        default_factory=list,
        description="each statement of the theme: one feedback item can feed several themes",
    )

    @property
    def outside_chain(self) -> int:
        """Distinct reviewers outside the engineer's management chain: what the anonymity
        threshold counts (`relationships` counts each reviewer once)."""
        return max(0, self.reviewers - sum(self.relationships.get(r.value, 0) for r in CHAIN))

    def holds(self, source_id: uuid.UUID, start: int, end: int) -> bool:
        """True when the span [start, end) of a source overlaps one of the theme's statements."""
        return any(s.source_id == source_id and s.start < end and start < s.end for s in self.spans)


class ExpectationInput(Input):
    id: uuid.UUID
    position: int
    title: str
    kind: ExpectationKind
    due_on: date | None = None
    key_steps_done: int
    key_steps_total: int
    self_outcome: Outcome | None = None
    self_quote: Quote | None = None
    peer_comments: list[Quote] = Field(default_factory=list)
    done_steps: list[str] = Field(
        default_factory=list, description="the key steps marked done, as written"
    )


class LevelInput(Input):
    key: str | None
    name: str
    track: str
    style: str = Field(description="activity, ownership, outcome or objective")
    scope: str
    expectations: dict[str, list[str]] = Field(default_factory=dict)
    next_level: str | None = None
    next_level_expectations: dict[str, list[str]] = Field(default_factory=dict)


class PeriodInput(Input):
    name: str
    starts_on: date
    ends_on: date


class Named(Input):
    """Inputs of one draft. `people` are those its texts may name: never sent, stored or
    hashed (excluded from every dump); a non-local drafter replaces their names with
    placeholders before calling its model."""

    people: tuple[PersonName, ...] = Field(default=(), exclude=True)


class SynthesisInputs(Named):
    subject_id: uuid.UUID
    period: PeriodInput
    level: LevelInput
    themes: list[ThemeInput]
    feedback: list[FeedbackItem] = Field(
        description="all feedback, used for coverage and vague-feedback checks, not all quoted"
    )
    self_overall: Quote | None
    expectations: list[ExpectationInput]
    anonymity_threshold: int


class ExpectationInputs(Named):
    subject_id: uuid.UUID
    next_period: PeriodInput
    level: LevelInput
    start_date: date
    new_hire: bool = Field(description="started within the last 90 days: onboarding goals")
    performing_well: bool = Field(description="strengths dominate: stability is a valid choice")
    themes: list[ThemeInput]
    current_expectations: list[ExpectationInput]
    self_assessment: Quote | None = Field(
        default=None,
        description="the overall self-assessment: what the engineer reports done already",
    )
    objectives: list[str] = Field(default_factory=list, description="team and company objectives")
    anonymity_threshold: int = Field(
        default=3,
        description="reviewers outside the management chain a theme needs to reach the engineer",
    )


class AssessmentInput(Input):
    id: uuid.UUID
    level_alignment: str
    confidence: str
    strengths: list[str]
    development_needs: list[str]
    recommended_level: str | None


class AssessmentItemInput(Input):
    """One rating, strength or development need, with the evidence found for and against it.

    The builder finds the evidence by meaning (embeddings) and polarity; the drafter judges
    whether it suffices and what to gather.
    """

    kind: ChecklistItemKind
    statement: str
    supporting: list[Quote] = Field(default_factory=list)
    contradicting: list[Quote] = Field(default_factory=list)


class ChecklistInputs(Named):
    subject_id: uuid.UUID
    period: PeriodInput
    level: LevelInput
    assessment: AssessmentInput
    items: list[AssessmentItemInput]
    themes: list[ThemeInput]
    feedback: list[FeedbackItem]
    expectations: list[ExpectationInput]
    colleagues: list[str] = Field(
        default_factory=list, description="roles of people who worked closely with the engineer"
    )


class OwnExpectationInput(Input):
    """The one expectation key steps are asked for, in its owner's and manager's words."""

    id: uuid.UUID
    title: str
    description: str = ""
    kind: ExpectationKind
    due_on: date | None = None
    key_steps: list[str] = Field(default_factory=list, description="the steps it has already")
    done_steps: list[str] = Field(default_factory=list, description="those marked done")


class KeyStepInputs(Named):
    """Inputs of key steps asked for on demand: the engineer's own words only. Never anyone
    else's feedback: the engineer reads the suggestion at once, without a manager's review."""

    subject_id: uuid.UUID
    period: PeriodInput
    level: LevelInput
    expectation: OwnExpectationInput
    self_on_expectation: Quote | None = Field(
        default=None, description="the engineer's own self-assessment of this expectation"
    )
    self_overall: Quote | None = Field(
        default=None, description="the engineer's overall self-assessment of the period"
    )


DraftInputs = SynthesisInputs | ExpectationInputs | ChecklistInputs
INPUT_TYPES: dict[str, type[Named]] = {
    "synthesis": SynthesisInputs,
    "expectations": ExpectationInputs,
    "checklist": ChecklistInputs,
}


def inputs_hash(inputs: Named, *, prompt_version: str, model: str) -> str:
    """Cache key: identical inputs, prompt version and model give the same draft."""
    payload = json.dumps(
        [type(inputs).__name__, inputs.model_dump(mode="json"), prompt_version, model],
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
