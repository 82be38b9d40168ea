"""Tables of the feedback track: periods, expectations, key steps, self-assessments, feedback."""

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from synth.db.base import Base, IdMixin
from synth.db.types import str_enum


class PeriodKind(enum.StrEnum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"


class PeriodStatus(enum.StrEnum):
    """Phases of a review period, in order; a period only moves forward."""

    PLANNING = "planning"
    ACTIVE = "active"
    IN_REVIEW = "in_review"
    CLOSED = "closed"


class ExpectationKind(enum.StrEnum):
    GROWTH = "growth"
    STABILITY = "stability"
    ONBOARDING = "onboarding"
    REMEDIAL = "remedial"
    NEXT_LEVEL = "next_level"
    TEAM_OBJECTIVE = "team_objective"


class ExpectationStatus(enum.StrEnum):
    """Proposed while being drafted; locked (fixed for the period) once the period is active."""

    PROPOSED = "proposed"
    AGREED = "agreed"
    LOCKED = "locked"


class Outcome(enum.StrEnum):
    MET = "met"
    PARTIALLY_MET = "partially_met"
    MISSED = "missed"


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


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    DECLINED = "declined"


class ReviewPeriod(IdMixin, Base):
    """A quarter or half-year in which expectations are set, worked on and reviewed."""

    __tablename__ = "review_periods"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="ordered_dates"),)

    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[PeriodKind] = mapped_column(str_enum(PeriodKind, "period_kind"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[PeriodStatus] = mapped_column(
        str_enum(PeriodStatus, "period_status"), default=PeriodStatus.PLANNING
    )


class Expectation(IdMixin, Base):
    """One of an engineer's 3-5 expectations for a period; fixed once locked."""

    __tablename__ = "expectations"
    __table_args__ = (
        UniqueConstraint("period_id", "person_id", "position"),
        CheckConstraint("position BETWEEN 1 AND 5", name="position_range"),
    )

    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_periods.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[ExpectationKind] = mapped_column(str_enum(ExpectationKind, "expectation_kind"))
    status: Mapped[ExpectationStatus] = mapped_column(
        str_enum(ExpectationStatus, "expectation_status"), default=ExpectationStatus.PROPOSED
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))

    key_steps: Mapped[list["KeyStep"]] = relationship(
        order_by="KeyStep.position", cascade="all, delete-orphan", lazy="selectin"
    )


class KeyStep(IdMixin, Base):
    """A tactical step towards an expectation; the ordered list is the engineer's checklist."""

    __tablename__ = "key_steps"
    __table_args__ = (UniqueConstraint("expectation_id", "position"),)

    expectation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("expectations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SelfAssessment(IdMixin, Base):
    """The engineer's own view of the period: overall (no expectation) or per expectation."""

    __tablename__ = "self_assessments"
    __table_args__ = (
        UniqueConstraint("period_id", "person_id", "expectation_id"),
        Index(
            "uq_self_assessments_overall",
            "period_id",
            "person_id",
            unique=True,
            postgresql_where=text("expectation_id IS NULL"),
        ),
    )

    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_periods.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    expectation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("expectations.id"))
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, "outcome"))
    text: Mapped[str] = mapped_column(Text)


class FeedbackRequest(IdMixin, Base):
    """A manager asking a colleague for feedback about one of their reports."""

    __tablename__ = "feedback_requests"
    __table_args__ = (UniqueConstraint("period_id", "subject_id", "reviewer_id"),)

    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_periods.id"), index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    relationship: Mapped[Relationship] = mapped_column(str_enum(Relationship, "relationship"))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "request_status"), default=RequestStatus.OPEN
    )


class PeerFeedback(IdMixin, Base):
    """Feedback one colleague wrote about another. Confidential: the subject never sees it raw."""

    __tablename__ = "peer_feedback"
    __table_args__ = (
        UniqueConstraint("period_id", "subject_id", "author_id", "content_hash"),
        CheckConstraint("author_id <> subject_id", name="not_self"),
    )

    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_periods.id"), index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("feedback_requests.id"))
    relationship: Mapped[Relationship] = mapped_column(str_enum(Relationship, "relationship"))
    author_level: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    role_fit: Mapped[str | None] = mapped_column(Text)
    growth_potential: Mapped[str | None] = mapped_column(Text)
    expectation_answers: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
