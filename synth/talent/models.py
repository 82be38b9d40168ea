"""Talent assessments: the management-only track. Never shown to the person assessed."""

import enum
import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from synth.db.base import Base, IdMixin
from synth.db.types import str_enum


class LevelAlignment(enum.StrEnum):
    BELOW = "below"
    MEETING = "meeting"
    EXCEEDING = "exceeding"


class Confidence(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class TalentAssessment(IdMixin, Base):
    """A manager's level-based assessment of one person for one period."""

    __tablename__ = "talent_assessments"
    __table_args__ = (UniqueConstraint("period_id", "subject_id"),)

    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_periods.id"), index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    assessor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    thought_partner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id"), index=True
    )
    level_alignment: Mapped[LevelAlignment] = mapped_column(
        str_enum(LevelAlignment, "level_alignment")
    )
    confidence: Mapped[Confidence] = mapped_column(str_enum(Confidence, "confidence"))
    strengths: Mapped[list[str]] = mapped_column(JSONB, default=list)
    development_needs: Mapped[list[str]] = mapped_column(JSONB, default=list)
    recommended_level: Mapped[str | None] = mapped_column(String(64))
    coaching_plan: Mapped[str] = mapped_column(Text, default="")
