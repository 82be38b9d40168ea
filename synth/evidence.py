"""The evidence drafts rest on and cite, shared by drafting and the guards.

Feedback (`FeedbackItem`: a reviewer's handle, their relationship to the engineer, the text),
quoted spans of feedback or self-assessments (`Quote`), the citations a draft makes of them
(`Citation`) and the claims those support (`Claim`); how a reviewer worked with the engineer
(`Relationship`, `CHAIN`) and the people a text may name (`PersonName`). A bottom module: it
imports nothing from synth, so the guards can check evidence without importing drafting.
"""

import enum
import uuid

from pydantic import BaseModel, ConfigDict, Field


class Relationship(enum.StrEnum):
    """How the author of feedback worked with its subject."""

    PEER = "peer"
    CROSS_FUNCTIONAL = "cross_functional"
    REPORT = "report"
    MANAGER = "manager"
    SKIP_LEVEL = "skip_level"


# The engineer's management chain, proven from the org chart when feedback is given. Their
# feedback never counts towards the anonymity threshold: beside them, one peer is identifiable.
CHAIN = frozenset({Relationship.MANAGER, Relationship.SKIP_LEVEL})


class PersonName(BaseModel):
    """Someone a text may name: what the guards and redaction need, and nothing more."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID
    name: str
    email: str


class Input(BaseModel):
    """What a drafter is given: strict, and frozen (hashable for the draft cache)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Output(BaseModel):
    """What a drafter produces: strict, so a model's extra fields are an error."""

    model_config = ConfigDict(extra="forbid")


class SourceKind(enum.StrEnum):
    PEER_FEEDBACK = "peer_feedback"
    SELF_ASSESSMENT = "self_assessment"


class Quote(Input):
    """A statement with its place in its source, ready to be cited verbatim."""

    source_id: uuid.UUID
    source_kind: SourceKind = SourceKind.PEER_FEEDBACK
    start: int
    end: int
    text: str
    reviewer: str | None = Field(default=None, description="pseudonymous handle, e.g. R3")


class FeedbackItem(Input):
    """One piece of feedback: who (by handle and relationship), and whether it is specific."""

    id: uuid.UUID
    reviewer: str
    relationship: Relationship
    specific: bool = Field(description="has concrete examples (a project, incident, number)")
    text: str

    @property
    def in_chain(self) -> bool:
        """Written by the engineer's manager or skip-level."""
        return self.relationship in CHAIN


class Citation(Output):
    """A verbatim span of one piece of feedback or self-assessment."""

    source_id: uuid.UUID = Field(description="id of the feedback or self-assessment quoted")
    source_kind: SourceKind = SourceKind.PEER_FEEDBACK
    quote: str = Field(description="exact words copied from the source, no paraphrase")
    start: int = Field(ge=0, description="character offset where the quote starts in the source")
    end: int = Field(gt=0, description="character offset just after the quote")


class Claim(Output):
    """One statement of the draft and the feedback that supports it."""

    text: str = Field(description="one sentence, specific and behavioural, no names")
    citations: list[Citation] = Field(min_length=1, description="quotes that support the claim")
