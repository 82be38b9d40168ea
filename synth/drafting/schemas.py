"""Draft request and response bodies: the manager's view and the engineer's view."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from synth.drafting.models import DraftKind, DraftStatus, KeyStepSuggestion
from synth.schemas import InputModel, LongText, OutputModel, ShortText


class DraftRequest(InputModel):
    kind: DraftKind
    subject_id: uuid.UUID
    period_id: uuid.UUID
    assessment_id: uuid.UUID | None = Field(default=None, description="required for checklists")
    model: ShortText | None = Field(
        default=None, description='litellm model for this draft, or "offline"; default: SYNTH_MODEL'
    )
    objectives: list[ShortText] = Field(
        default_factory=list, max_length=10, description="team and company objectives to tie to"
    )


class DraftEdit(InputModel):
    content: dict[str, Any] = Field(description="the whole edited draft, same shape as output")


class DraftReject(InputModel):
    reason: LongText


class DraftOverride(InputModel):
    """Release over open blocking findings: say why (kept in the audit log)."""

    reason: LongText = Field(description="why releasing as it stands is right")
    findings: list[ShortText] | None = Field(
        default=None,
        max_length=200,
        description="fingerprints from guard_report to override; default: every open one",
    )


class DraftOut(OutputModel):
    """Everything about a draft: for the subject's management chain and admins."""

    id: uuid.UUID
    kind: DraftKind
    status: DraftStatus
    subject_id: uuid.UUID
    period_id: uuid.UUID
    assessment_id: uuid.UUID | None
    drafter: str
    model: str | None
    prompt_version: str | None
    inputs_hash: str | None
    output: dict[str, Any] | None
    edited: dict[str, Any] | None
    released: dict[str, Any] | None
    usage: dict[str, Any]
    error_code: str | None
    error: str | None
    reject_reason: str | None
    reused_from_id: uuid.UUID | None
    guard_report: dict[str, Any] | None = Field(
        description="what the guards found on the current content (synth.drafting.gate.review)"
    )
    guard_override: dict[str, Any] | None = Field(
        description="the manager's overrides: reason, who, when, which findings"
    )
    attribution: dict[str, dict[str, str]] | None = Field(
        default=None,
        description="feedback id -> author, relationship and the handle the draft uses for "
        "them (single-draft reads by the management chain or the thought partner only)",
    )
    attempts: int
    created_at: datetime
    updated_at: datetime


class EngineerDraftOut(OutputModel):
    """What the engineer sees: the released, engineer-facing version only."""

    id: uuid.UUID
    kind: DraftKind
    period_id: uuid.UUID
    released: dict[str, Any]
    updated_at: datetime


class DraftAccepted(OutputModel):
    id: uuid.UUID
    status: DraftStatus
    existing: bool = Field(description="an identical request was already in flight")


class SuggestedKeyStepOut(OutputModel):
    index: int = Field(description="what to adopt it by")
    text: str
    why: str
    adopted_key_step_id: uuid.UUID | None = Field(
        default=None, description="the key step it became, once adopted"
    )


class KeyStepSuggestionOut(OutputModel):
    """Key steps suggested for one expectation, as the person who asked reads them: only the
    steps no blocking guard finding names."""

    id: uuid.UUID
    expectation_id: uuid.UUID
    created_at: datetime
    drafter: str
    model: str
    prompt_version: str
    steps: list[SuggestedKeyStepOut]
    withheld: int = Field(description="steps a guard kept out of sight")

    @classmethod
    def of(cls, suggestion: KeyStepSuggestion) -> "KeyStepSuggestionOut":
        """From a stored `KeyStepSuggestion`."""
        adopted = suggestion.adopted or {}
        return cls(
            id=suggestion.id,
            expectation_id=suggestion.expectation_id,
            created_at=suggestion.created_at,
            drafter=suggestion.drafter,
            model=suggestion.model,
            prompt_version=suggestion.prompt_version,
            steps=[
                SuggestedKeyStepOut(
                    index=i,
                    text=s["text"],
                    why=s["why"],
                    adopted_key_step_id=adopted.get(str(i)),
                )
                for i, s in enumerate(suggestion.steps)
                if s["shown"]
            ],
            withheld=sum(1 for s in suggestion.steps if not s["shown"]),
        )


class KeyStepAdopt(InputModel):
    step: int = Field(ge=0, le=1000, description="the suggested step's `index`")
