"""Theme and search bodies."""

import uuid
from typing import Literal

from pydantic import Field, model_validator

from synth.schemas import InputModel, LongText, OutputModel
from synth.themes.models import SourceType
from synth.themes.polarity import Polarity


class StatementRef(OutputModel):
    """A statement and the exact span of its source it came from."""

    statement_id: uuid.UUID
    source_type: SourceType
    feedback_id: uuid.UUID | None
    self_assessment_id: uuid.UUID | None
    start: int
    end: int
    text: str


class Support(OutputModel):
    """Who backs a theme: distinct authors and their relationships (counts, never names)."""

    authors: int
    outside_chain: int = Field(
        description="Distinct authors outside the subject's management chain: only they count "
        "towards the anonymity threshold, since a manager's view never makes a peer identifiable"
    )
    relationships: dict[str, int]


class Theme(OutputModel):
    id: int
    label: str
    polarity: Polarity
    size: int
    support: Support
    meets_anonymity_threshold: bool = Field(
        description="Enough distinct authors outside the subject's management chain for the "
        "theme to be shown to the engineer"
    )
    representatives: list[StatementRef]
    statements: list[StatementRef]


class PersonThemes(OutputModel):
    """Themes in one person's peer feedback for one period (a management view)."""

    person_id: uuid.UUID
    period_id: uuid.UUID
    model: str
    themes: list[Theme]
    unthemed: list[StatementRef]
    pending_statements: int = Field(description="Statements not embedded yet (not included)")


class OrgTheme(OutputModel):
    """A theme across the organisation as HR sees it: a title, counts, polarity and excerpts;
    nothing about an individual, nor who said it."""

    id: int
    label: str
    polarity: Polarity
    size: int
    authors: int = Field(
        description="Distinct authors outside the management chain of the person they wrote about"
    )
    subjects: int
    representatives: list[str] = Field(
        description="Non-identifying excerpts (at most seven words, names and gendered pronouns "
        "masked), only from people with two or more statements in a theme about several people"
    )


class OrgThemes(OutputModel):
    """Org-wide themes for HR: only themes backed by at least `min_authors` reviewers outside
    the management chain."""

    period_id: uuid.UUID
    min_authors: int
    statements: int
    themes: list[OrgTheme]
    withheld_themes: int = Field(
        description="Themes with too few distinct authors outside the chain to show"
    )


class SearchRequest(InputModel):
    """Free text or a stored statement to find neighbours of (exactly one)."""

    text: LongText | None = None
    statement_id: uuid.UUID | None = None
    limit: int = Field(default=10, ge=1, le=50)
    source: Literal["any", "peer_feedback", "self_assessment"] = "any"

    @model_validator(mode="after")
    def _one_query(self) -> "SearchRequest":
        if (self.text is None) == (self.statement_id is None):
            raise ValueError("give exactly one of text or statement_id")
        return self


class SearchHit(OutputModel):
    statement: StatementRef
    subject_id: uuid.UUID
    period_id: uuid.UUID
    similarity: float


class IngestStatus(OutputModel):
    model: str
    statements: int
    pending: int
    last_error: str | None
