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
    event,
    orm,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from synth.db.base import Base, IdMixin
from synth.db.types import str_enum
from synth.evidence import Relationship as Relationship  # the guards read it, at the bottom
from synth.guards import flags as feedback_flags
from synth.guards.findings import Finding


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
    # HR started the period with engineers short of 3 agreed expectations:
    # {"reason", "by", "at", "short": [{"person_id", "name", "agreed"}]}.
    start_override: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Expectation(IdMixin, Base):
    """One of an engineer's 3-5 expectations for a period; fixed once locked."""

    __tablename__ = "expectations"
    __table_args__ = (
        UniqueConstraint("period_id", "person_id", "position"),
        CheckConstraint("position BETWEEN 1 AND 5", name="position_range"),
        UniqueConstraint("source_draft_id", "source_index"),
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
    # Jointly crafted: agreed once the engineer and their management chain have both signed
    # off; an edit of the text clears both, so what was agreed is what locks.
    engineer_agreed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    engineer_agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    manager_agreed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    manager_agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The suggestion it was adopted from (an expectations draft and the suggestion's index).
    source_draft_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("drafts.id"))
    source_index: Mapped[int | None] = mapped_column(Integer)
    # The locked expectation of an earlier period this one carries on (closing seeds it).
    carried_from_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("expectations.id"), unique=True
    )
    # The manager's end-of-period outcome, beside the engineer's self-assessed one.
    manager_outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, "outcome"))
    manager_reflection: Mapped[str | None] = mapped_column(Text)
    outcome_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    outcome_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

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


class Flagged:
    """Text checked by the feedback guards when it is written (`synth.guards.flags`)."""

    flags: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB, nullable=True)
    flags_version: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)

    def flag_texts(self) -> list[str | None]:
        """The parts of the submission the guards read."""
        raise NotImplementedError

    @property
    def current_flags(self) -> list[Finding]:
        return feedback_flags.current(self.flags, self.flags_version, self.flag_texts())

    def refresh_flags(self) -> None:
        self.flags, self.flags_version = feedback_flags.stored(self.flag_texts())


@event.listens_for(Flagged, "before_insert", propagate=True)
@event.listens_for(Flagged, "before_update", propagate=True)
def _flag_on_write(_mapper: Any, _connection: Any, target: Flagged) -> None:
    """Every write path (API, import, demo, a service call) stores the current flags."""
    target.refresh_flags()


class ExpectationComment(Flagged, IdMixin, Base):
    """The skip-level's (or a peer manager's) note on a report's expectation before it locks:
    management-track discussion, never shown to the engineer."""

    __tablename__ = "expectation_comments"

    expectation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("expectations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)

    def flag_texts(self) -> list[str | None]:
        return [self.text]


class SelfAssessment(Flagged, IdMixin, Base):
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

    def flag_texts(self) -> list[str | None]:
        return [self.text]


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
    decline_reason: Mapped[str | None] = mapped_column(Text)
    declined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # What the reviewer is asked to give examples against: the subject's expectations for
    # the period, read live (not copied) so the request shows what was finally agreed.
    # (orm.relationship: the `relationship` column above shadows the name in this class body)
    expectations: Mapped[list[Expectation]] = orm.relationship(
        primaryjoin=lambda: (
            (foreign(Expectation.period_id) == FeedbackRequest.period_id)
            & (foreign(Expectation.person_id) == FeedbackRequest.subject_id)
        ),
        order_by=lambda: Expectation.position,
        viewonly=True,
        lazy="selectin",
    )


class PeerFeedback(Flagged, IdMixin, Base):
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
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    def flag_texts(self) -> list[str | None]:
        answers = [str(a.get("comment", "")) for a in self.expectation_answers or []]
        return [self.text, self.role_fit, self.growth_potential, *answers]


class FeedbackChange(enum.StrEnum):
    EDITED = "edited"
    WITHDRAWN = "withdrawn"


class FeedbackVersion(IdMixin, Base):
    """A superseded version of a piece of feedback, kept when its author rewords or withdraws
    it. `feedback_id` is no foreign key on purpose: the history outlives a withdrawn item, which
    is deleted so that no read path (lists, themes, drafts, search) can still see it."""

    __tablename__ = "feedback_versions"
    __table_args__ = (UniqueConstraint("feedback_id", "version"),)

    feedback_id: Mapped[uuid.UUID] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[FeedbackChange] = mapped_column(str_enum(FeedbackChange, "feedback_change"))
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_periods.id"), index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    relationship: Mapped[Relationship] = mapped_column(str_enum(Relationship, "relationship"))
    text: Mapped[str] = mapped_column(Text)
    role_fit: Mapped[str | None] = mapped_column(Text)
    growth_potential: Mapped[str | None] = mapped_column(Text)
    expectation_answers: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    flags: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB, nullable=True)
    flags_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
