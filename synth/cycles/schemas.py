"""Request and response bodies of the feedback cycle."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator, model_validator

from synth.cycles.models import (
    ExpectationKind,
    ExpectationStatus,
    Outcome,
    PeriodKind,
    PeriodStatus,
    Relationship,
    RequestStatus,
)
from synth.guards.findings import Finding
from synth.people.models import Function
from synth.schemas import (
    MAX_BULK_ITEMS,
    InputModel,
    LongText,
    Name,
    OptionalText,
    OutputModel,
)

MAX_KEY_STEPS = 10


class PeriodCreate(InputModel):
    name: Name
    kind: PeriodKind
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _ordered(self) -> "PeriodCreate":
        if self.ends_on <= self.starts_on:
            raise ValueError("ends_on must be after starts_on")
        return self


class PeriodTransition(InputModel):
    status: PeriodStatus
    force: bool = Field(
        default=False,
        description="HR only, entering `active`: start although some engineers have fewer "
        "than 3 agreed expectations (needs a reason)",
    )
    reason: str | None = Field(default=None, max_length=2_000)


class PeriodOut(OutputModel):
    id: uuid.UUID
    name: str
    kind: PeriodKind
    starts_on: date
    ends_on: date
    status: PeriodStatus


class KeyStepIn(InputModel):
    text: LongText
    done: bool = False


class KeyStepOut(OutputModel):
    id: uuid.UUID
    position: int
    text: str
    done: bool
    done_at: datetime | None


class KeyStepUpdate(InputModel):
    done: bool


class ExpectationCreate(InputModel):
    period_id: uuid.UUID
    person_id: uuid.UUID
    title: LongText
    description: str = Field(default="", max_length=10_000)
    kind: ExpectationKind
    due_on: date | None = None
    key_steps: list[KeyStepIn] = Field(default_factory=list, max_length=MAX_KEY_STEPS)


class ExpectationUpdate(InputModel):
    title: LongText | None = None
    description: str | None = Field(default=None, max_length=10_000)
    kind: ExpectationKind | None = None
    due_on: date | None = None


class ExpectationOut(OutputModel):
    id: uuid.UUID
    period_id: uuid.UUID
    person_id: uuid.UUID
    position: int
    title: str
    description: str
    kind: ExpectationKind
    status: ExpectationStatus
    due_on: date | None
    key_steps: list[KeyStepOut]
    engineer_agreed_by_id: uuid.UUID | None = None
    engineer_agreed_at: datetime | None = None
    manager_agreed_by_id: uuid.UUID | None = None
    manager_agreed_at: datetime | None = None
    source_draft_id: uuid.UUID | None = None
    source_index: int | None = None
    carried_from_id: uuid.UUID | None = None
    manager_outcome: Outcome | None = Field(
        default=None,
        description="the manager's end-of-period outcome: the management chain sees it at "
        "once, the engineer once the period is closed",
    )
    manager_reflection: str | None = None
    comments: int | None = Field(
        default=None, description="skip-level comments (management chain only)"
    )


class SelfAssessmentCreate(InputModel):
    """The engineer's own assessment; omit expectation_id for the overall one."""

    period_id: uuid.UUID
    expectation_id: uuid.UUID | None = None
    outcome: Outcome | None = None
    text: LongText

    @model_validator(mode="after")
    def _outcome_for_expectations(self) -> "SelfAssessmentCreate":
        if self.expectation_id is not None and self.outcome is None:
            raise ValueError("outcome is required when assessing an expectation")
        return self


class SelfAssessmentOut(OutputModel):
    id: uuid.UUID
    period_id: uuid.UUID
    person_id: uuid.UUID
    expectation_id: uuid.UUID | None
    outcome: Outcome | None
    text: str
    created_at: datetime

    flags: list[Finding] = Field(
        validation_alias="current_flags",
        description="instruction-like content, biased wording or talent-track talk in the text",
    )


class FeedbackRequestCreate(InputModel):
    period_id: uuid.UUID
    subject_id: uuid.UUID
    reviewer_id: uuid.UUID
    relationship: Relationship
    message: str = Field(default="", max_length=2_000)


class RequestKeyStepOut(OutputModel):
    position: int
    text: str


class RequestExpectationOut(OutputModel):
    """An expectation as a reviewer reads it in a request: what to give examples against."""

    id: uuid.UUID
    position: int
    title: str
    description: str
    kind: ExpectationKind
    status: ExpectationStatus
    key_steps: list[RequestKeyStepOut]


class FeedbackRequestDecline(InputModel):
    reason: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=2_000)] = (
        Field(default=None, description="Why not (the requester reads it)")
    )


class ReviewerSuggestionOut(OutputModel):
    """A colleague worth asking for feedback, and why in plain words."""

    person_id: uuid.UUID
    name: str
    title: str
    function: Function
    level: str | None
    relationship: Relationship = Field(description="what the org chart says they are")
    reasons: list[str]
    reason: str


class FeedbackRequestOut(OutputModel):
    id: uuid.UUID
    period_id: uuid.UUID
    subject_id: uuid.UUID
    reviewer_id: uuid.UUID
    relationship: Relationship
    message: str
    status: RequestStatus
    created_at: datetime
    decline_reason: str | None
    declined_at: datetime | None
    expectations: list[RequestExpectationOut] = Field(
        description="the subject's expectations for the period, to give examples against"
    )


class ExpectationAnswer(InputModel):
    """A comment on one of the subject's expectations, by its 1-based position."""

    position: int = Field(ge=1, le=5)
    comment: LongText


class FeedbackFields(InputModel):
    """What a reviewer writes: free text, optional answers on expectations, fit and growth."""

    relationship: Relationship
    text: LongText
    role_fit: OptionalText = None
    growth_potential: OptionalText = None
    expectation_answers: list[ExpectationAnswer] = Field(default_factory=list, max_length=5)

    @field_validator("role_fit", "growth_potential")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class FeedbackCreate(FeedbackFields):
    """Feedback written by the caller (a person-bound key) about `subject_id`."""

    period_id: uuid.UUID
    subject_id: uuid.UUID


class FeedbackUpdate(InputModel):
    """The author's rewording: only the fields sent change; the relationship stays."""

    text: LongText | None = None
    role_fit: OptionalText = None
    growth_potential: OptionalText = None
    expectation_answers: list[ExpectationAnswer] | None = Field(default=None, max_length=5)

    @model_validator(mode="after")
    def _something(self) -> "FeedbackUpdate":
        if not self.model_fields_set:
            raise ValueError("send at least one of text, role_fit, growth_potential, answers")
        for name in ("text", "expectation_answers"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; send the new value")
        return self


class FeedbackImportRow(FeedbackFields):
    """One row of a bulk import: author and subject by id or email, period by id or name."""

    author: str = Field(min_length=1, max_length=320)
    subject: str = Field(min_length=1, max_length=320)
    period: str | None = Field(default=None, max_length=120)


class FeedbackBulk(InputModel):
    period: str | None = Field(default=None, description="Period id or name for rows without one")
    items: list[FeedbackImportRow] = Field(min_length=1, max_length=MAX_BULK_ITEMS)


class FeedbackOut(OutputModel):
    """Raw feedback with its author: readable only by the subject's management and the author."""

    id: uuid.UUID
    period_id: uuid.UUID
    subject_id: uuid.UUID
    author_id: uuid.UUID
    relationship: Relationship
    author_level: str | None
    text: str
    role_fit: str | None
    growth_potential: str | None
    expectation_answers: list[dict[str, Any]]
    created_at: datetime
    version: int = Field(description="1 as first written; one more each time it is reworded")

    flags: list[Finding] = Field(
        validation_alias="current_flags",
        description="instruction-like content, biased wording or talent-track talk in the text",
    )


class BulkResult(OutputModel):
    created: int
    ids: list[uuid.UUID]


class MissingOut(OutputModel):
    """One thing still missing for an engineer at this stage of the period."""

    code: str = Field(
        description="stable: too_few_agreed_expectations, no_expectations_yet, "
        "open_feedback_requests, missing_self_assessment, too_little_feedback, "
        "synthesis_not_drafted, synthesis_not_reviewed, synthesis_not_released, "
        "new_hire_first_meeting, new_hire_check_in"
    )
    message: str = Field(description="what is missing, in plain words")
    due_on: date | None = None


class EngineerStatusOut(OutputModel):
    person_id: uuid.UUID
    name: str
    manager_id: uuid.UUID | None
    new_hire: bool
    missing: list[MissingOut]


class TeamStatusOut(OutputModel):
    """HR's view of one team: counts only, no names and no content."""

    manager_id: uuid.UUID | None
    engineers: int
    missing: dict[str, int] = Field(description="engineers missing each item, by code")


class PeriodStatusOut(OutputModel):
    """Where a period stands: rows per engineer for a manager, counts per team for HR."""

    period_id: uuid.UUID
    status: PeriodStatus
    as_of: date
    engineers: list[EngineerStatusOut] | None = None
    teams: list[TeamStatusOut] | None = None


class ExpectationAdopt(InputModel):
    """Adopt the `index`-th (0-based) suggestion of an expectations draft as a proposal."""

    draft_id: uuid.UUID
    index: int = Field(ge=0, le=4)


class CommentCreate(InputModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]


class CommentOut(OutputModel):
    id: uuid.UUID
    expectation_id: uuid.UUID
    author_id: uuid.UUID
    text: str
    created_at: datetime

    flags: list[Finding] = Field(
        validation_alias="current_flags",
        description="instruction-like content, biased wording or talent-track talk in the text",
    )


class OutcomeCreate(InputModel):
    """The manager's outcome of one expectation at the end of the period."""

    outcome: Outcome
    reflection: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)
    ]
