"""What a drafter produces: the same typed outputs for the LLM drafter and the offline one.

Field descriptions double as instructions to the model, so they say what a good value is.
Every claim carries citations: a feedback (or self-assessment) id and a verbatim quote with
its character offsets in that source, checked by the citation guard. `Citation`, `Claim` and
`SourceKind` are evidence the guards read too: defined in synth.evidence.
"""

import enum
import uuid
from datetime import date

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from synth.cycles.models import ExpectationKind
from synth.evidence import Citation as Citation
from synth.evidence import Claim as Claim
from synth.evidence import Output as Output
from synth.evidence import SourceKind as SourceKind


class ThemeSection(Output):
    """A theme of the feedback, as a strength or a growth area."""

    theme: str = Field(description="short name of the theme")
    summary: str = Field(description="one or two sentences on the pattern across reviewers")
    claims: list[Claim] = Field(min_length=1)
    reviewers: int = Field(ge=0, description="distinct reviewers behind the theme")


class EvidenceStatus(enum.StrEnum):
    MET = "met"
    PARTIALLY = "partially"
    MISSED = "missed"
    UNCLEAR = "unclear"


class ExpectationEvidence(Output):
    """What the feedback and self-assessment say about one expectation of the period."""

    expectation_id: uuid.UUID
    title: str
    status: EvidenceStatus
    note: str = Field(description="why this status, in one or two sentences")
    citations: list[Citation] = Field(default_factory=list)


class Alignment(enum.StrEnum):
    AGREE = "agree"
    DIVERGE = "diverge"


class SelfVsPeers(Output):
    """Where the engineer's self-assessment and their reviewers agree or diverge."""

    topic: str
    alignment: Alignment
    note: str
    citations: list[Citation] = Field(default_factory=list)


class Coverage(Output):
    """How much of the available feedback the draft rests on."""

    feedback_available: int
    feedback_used: int
    themes_available: int
    themes_cited: int


class FlaggedRemark(Output):
    """A feedback sentence the bias guard flags: shown to the manager with its flag, never
    cited as evidence and never shown to the engineer. Computed from the feedback after
    drafting (`synth.drafting.offline.flagged`), never written by a model."""

    citation: Citation = Field(description="the flagged sentence, verbatim, with its offsets")
    terms: list[str] = Field(min_length=1, description="the flagged words, as written")
    note: str = Field(description="one line: why it is flagged and what to do with it")


class Synthesis(Output):
    """The manager's feedback synthesis for one engineer and period."""

    overview: str = Field(description="three to five sentences a manager can open the 1:1 with")
    strengths: list[ThemeSection]
    growth_areas: list[ThemeSection]
    expectations: list[ExpectationEvidence]
    self_vs_peers: list[SelfVsPeers]
    talking_points: list[str] = Field(description="questions and topics for the 1:1")
    vague_feedback_ids: list[uuid.UUID] = Field(
        default_factory=list, description="feedback without concrete examples: ask for some"
    )
    unused_feedback_ids: list[uuid.UUID] = Field(default_factory=list)
    coverage: Coverage
    # Computed after drafting, so a model is never asked for it (kept out of its schema); the
    # default keeps drafts stored before the field existed readable.
    flagged: SkipJsonSchema[list[FlaggedRemark]] = Field(
        default_factory=list,
        description="remarks about who someone is rather than what they did: for the manager",
    )


class Smart(Output):
    """Why an expectation is SMART, one sentence each."""

    specific: str
    measurable: str
    achievable: str
    relevant: str
    time_bound: str


class SuggestedExpectation(Output):
    title: str = Field(description="the expectation, one sentence, observable")
    kind: ExpectationKind
    rationale: str = Field(description="which theme or level requirement it answers")
    source: str = Field(description="the theme label or the level competency it comes from")
    smart: Smart
    due_on: date | None = None
    key_steps: list[str] = Field(min_length=3, max_length=6, description="tactical steps, in order")


class ExpectationSuggestions(Output):
    """3-5 expectations for the next period, fitted to the engineer's level."""

    level: str | None
    style: str = Field(description="activity, ownership, outcome or objective")
    expectations: list[SuggestedExpectation] = Field(min_length=3, max_length=5)


class ChecklistItemKind(enum.StrEnum):
    RATING = "rating"
    STRENGTH = "strength"
    DEVELOPMENT_NEED = "development_need"


class EvidenceSufficiency(enum.StrEnum):
    SUFFICIENT = "sufficient"
    THIN = "thin"
    MISSING = "missing"


class ChecklistItem(Output):
    """One statement of the talent assessment and the evidence behind it."""

    kind: ChecklistItemKind
    statement: str = Field(description="the rating, strength or development need as written")
    supporting: list[Citation] = Field(default_factory=list)
    contradicting: list[Citation] = Field(default_factory=list)
    distinct_sources: int = Field(ge=0)
    specific_sources: int = Field(ge=0, description="sources with concrete examples")
    status: EvidenceSufficiency
    gather: list[str] = Field(
        default_factory=list, description="concrete data to collect: who to ask, what to read"
    )


class EvidenceChecklist(Output):
    """For the thought partner pressure-testing a talent assessment."""

    assessment_id: uuid.UUID
    items: list[ChecklistItem]
    summary: str


class SuggestedKeyStep(Output):
    text: str = Field(description="one tactical step, an imperative sentence, observable")
    why: str = Field(
        description="what in the expectation, the level or the engineer's own "
        "words the step answers, in one sentence"
    )


class KeyStepSuggestions(Output):
    """Key steps for one of the engineer's own expectations, asked for on demand."""

    style: str = Field(description="activity, ownership, outcome or objective")
    steps: list[SuggestedKeyStep] = Field(min_length=1, max_length=6)


OUTPUT_TYPES: dict[str, type[Output]] = {
    "synthesis": Synthesis,
    "expectations": ExpectationSuggestions,
    "checklist": EvidenceChecklist,
}
