"""Drafts: what a drafter wrote, what the manager made of it, and where it is in approval.

A draft is also its own job: `queued` rows are claimed by workers with SKIP LOCKED and a
lease, so generation survives restarts and scales over processes.
"""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from synth.db.base import Base, IdMixin, utcnow
from synth.db.types import str_enum


class DraftKind(enum.StrEnum):
    SYNTHESIS = "synthesis"
    EXPECTATIONS = "expectations"
    CHECKLIST = "checklist"


class DraftStatus(enum.StrEnum):
    QUEUED = "queued"
    GENERATING = "generating"
    READY_FOR_REVIEW = "ready_for_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    RELEASED = "released"
    FAILED = "failed"


ACTIVE = (DraftStatus.QUEUED, DraftStatus.GENERATING)


class Draft(IdMixin, Base):
    """One drafted synthesis, expectation suggestion set or evidence checklist."""

    __tablename__ = "drafts"
    __table_args__ = (
        # One draft in flight per kind, person and period: concurrent requests share it.
        Index(
            "uq_drafts_in_flight",
            "kind",
            "subject_id",
            "period_id",
            unique=True,
            postgresql_where=text("status IN ('queued', 'generating')"),
        ),
        Index("ix_drafts_queue", "status", "created_at"),
    )

    kind: Mapped[DraftKind] = mapped_column(str_enum(DraftKind, "draft_kind"))
    status: Mapped[DraftStatus] = mapped_column(
        str_enum(DraftStatus, "draft_status"), default=DraftStatus.QUEUED
    )
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_periods.id"), index=True)
    assessment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("talent_assessments.id"))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    drafter: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    model: Mapped[str | None] = mapped_column(String(200))
    prompt_version: Mapped[str | None] = mapped_column(String(100))
    inputs_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    output: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    edited: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    released: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    usage: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    # What the guards found on the current content (synth.drafting.gate.review.GuardReport), and
    # the manager's override of blocking findings: {"reason", "by", "at", "fingerprints"}.
    guard_report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    guard_override: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    reused_from_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("drafts.id"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    leased_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    @property
    def current(self) -> dict[str, Any] | None:
        """What the draft says now: the manager's edit if there is one, else the model's text
        (what the guards check, the desk shows and a release projects)."""
        return self.edited if self.edited is not None else self.output


class KeyStepSuggestion(IdMixin, Base):
    """Key steps drafted on demand for one expectation: the requester's alone until adopted.

    Not a `Draft`: there is no manager review and no release projection. The engineer reads
    their own suggestion at once, so it is drafted from their own inputs only (never
    feedback), and steps a blocking guard finding names are never shown. Adopting a step
    copies its text into the expectation's key steps; `adopted` maps the step's index to the
    key step it became, so a step is adopted once.
    """

    __tablename__ = "key_step_suggestions"

    expectation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("expectations.id", ondelete="CASCADE"), index=True
    )
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), index=True)
    drafter: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(100))
    inputs_hash: Mapped[str] = mapped_column(String(64), index=True)
    # [{"text", "why", "shown", "findings": [Finding...]}], in order.
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    adopted: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    usage: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
