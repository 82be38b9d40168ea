"""Statements (clauses of feedback with offsets) and their embeddings, one row per model.

Vectors of any model share one table: each row names its model and dimension, and every
query filters on the model, so spaces never mix. Each model gets its own partial HNSW index
on `embedding::vector(dim)` (see `synth.themes.store.ensure_index`).
"""

import enum
import uuid
from datetime import datetime

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from synth.db.base import Base, IdMixin, utcnow
from synth.db.types import str_enum


class SourceType(enum.StrEnum):
    PEER_FEEDBACK = "peer_feedback"
    SELF_ASSESSMENT = "self_assessment"


class Statement(IdMixin, Base):
    """One sentence or clause of a piece of feedback or a self-assessment."""

    __tablename__ = "statements"
    __table_args__ = (
        CheckConstraint("(feedback_id IS NULL) <> (self_assessment_id IS NULL)", name="one_source"),
        CheckConstraint("start_offset >= 0 AND end_offset > start_offset", name="span"),
        UniqueConstraint("feedback_id", "position"),
        UniqueConstraint("self_assessment_id", "position"),
    )

    source_type: Mapped[SourceType] = mapped_column(str_enum(SourceType, "source_type"))
    feedback_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("peer_feedback.id", ondelete="CASCADE"), index=True
    )
    self_assessment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("self_assessments.id", ondelete="CASCADE"), index=True
    )
    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_periods.id"), index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    position: Mapped[int] = mapped_column(Integer)
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class StatementEmbedding(Base):
    """A statement's vector under one embedding model."""

    __tablename__ = "statement_embeddings"

    statement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    embedding: Mapped[list[float]] = mapped_column(Vector())
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )


class IngestFailure(IdMixin, Base):
    """The last failure to embed pending statements under a model, kept for operators."""

    __tablename__ = "ingest_failures"

    model: Mapped[str] = mapped_column(String(200), index=True)
    statements: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
