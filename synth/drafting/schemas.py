"""Draft request and response bodies: the manager's view and the engineer's view."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from synth.drafting.models import DraftKind, DraftStatus
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
