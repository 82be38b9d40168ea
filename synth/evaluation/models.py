"""Eval runs and their per-case results, kept so HR's dashboard can chart quality over time.

A run records what produced the drafts (drafter, model, prompt versions, git revision), the
mean of every metric and the gate's verdict; a case result keeps the case's scores and the
drafts themselves, so a drill-down can show what was scored. Cases are synthetic periods
written for the eval suite, never anyone's real feedback.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from synth.db.base import Base, IdMixin


class EvalRun(IdMixin, Base):
    __tablename__ = "eval_runs"

    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    drafter: Mapped[str] = mapped_column(String(200))
    models: Mapped[list[str]] = mapped_column(JSONB, default=list)
    prompt_versions: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    git_revision: Mapped[str | None] = mapped_column(String(64))
    cases_dir: Mapped[str] = mapped_column(Text)
    case_count: Mapped[int] = mapped_column(Integer)
    failed_cases: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    gate: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    baseline: Mapped[str | None] = mapped_column(Text)
    passed: Mapped[bool | None] = mapped_column(Boolean)


class EvalCaseResult(IdMixin, Base):
    __tablename__ = "eval_case_results"
    __table_args__ = (UniqueConstraint("run_id", "case_id"),)

    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("eval_runs.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[str] = mapped_column(String(120))
    tags: Mapped[list[str]] = mapped_column(JSONB, default=list)
    scores: Mapped[dict[str, float]] = mapped_column(JSONB, default=dict)
    drafts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
