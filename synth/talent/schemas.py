"""Talent assessment bodies: management-only, never part of engineer-facing output."""

import uuid
from datetime import datetime

from pydantic import Field

from synth.schemas import InputModel, Key, LongText, OutputModel
from synth.talent.models import Confidence, LevelAlignment


class AssessmentFields(InputModel):
    level_alignment: LevelAlignment
    confidence: Confidence
    strengths: list[LongText] = Field(default_factory=list, max_length=20)
    development_needs: list[LongText] = Field(default_factory=list, max_length=20)
    recommended_level: Key | None = Field(
        default=None, description="Level key recommended after this period; null = no change"
    )
    coaching_plan: str = Field(default="", max_length=10_000)
    thought_partner_id: uuid.UUID | None = None


class AssessmentCreate(AssessmentFields):
    period_id: uuid.UUID
    subject_id: uuid.UUID


class AssessmentUpdate(InputModel):
    level_alignment: LevelAlignment | None = None
    confidence: Confidence | None = None
    strengths: list[LongText] | None = Field(default=None, max_length=20)
    development_needs: list[LongText] | None = Field(default=None, max_length=20)
    recommended_level: Key | None = None
    coaching_plan: str | None = Field(default=None, max_length=10_000)
    thought_partner_id: uuid.UUID | None = None


class AssessmentOut(OutputModel):
    id: uuid.UUID
    period_id: uuid.UUID
    subject_id: uuid.UUID
    assessor_id: uuid.UUID
    thought_partner_id: uuid.UUID | None
    level_alignment: LevelAlignment
    confidence: Confidence
    strengths: list[str]
    development_needs: list[str]
    recommended_level: str | None
    coaching_plan: str
    created_at: datetime
