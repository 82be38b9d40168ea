"""Tables: people (the org chart) and the leveling framework's levels and competencies."""

import enum
import uuid
from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from synth.db.base import Base, IdMixin
from synth.db.types import str_enum


class Track(enum.StrEnum):
    """Career track: individual contributor or management."""

    IC = "ic"
    MANAGEMENT = "management"


class Function(enum.StrEnum):
    """The discipline a person works in; non-engineering people give cross-functional feedback."""

    ENGINEERING = "engineering"
    PRODUCT = "product"
    DESIGN = "design"
    DATA = "data"
    HR = "hr"
    OTHER = "other"


class Person(IdMixin, Base):
    """Someone in the organisation. The manager link is the org chart; skip-level is derived."""

    __tablename__ = "people"
    __table_args__ = (CheckConstraint("manager_id IS NULL OR manager_id <> id", name="no_self"),)

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    manager_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    function: Mapped[Function] = mapped_column(str_enum(Function, "function"))
    track: Mapped[Track] = mapped_column(str_enum(Track, "track"))
    start_date: Mapped[date] = mapped_column(Date)


class Competency(Base):
    """A dimension of the leveling framework (e.g. delivery, collaboration)."""

    __tablename__ = "competencies"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)


class Level(Base):
    """One rung of the ladder with its role expectations per competency."""

    __tablename__ = "levels"
    __table_args__ = (UniqueConstraint("track", "rank"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    track: Mapped[Track] = mapped_column(str_enum(Track, "track"))
    rank: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(Text, default="")
    expectation_style: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text, default="")
    expectations: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    example_expectations: Mapped[list[str]] = mapped_column(JSONB, default=list)
    framework: Mapped[str] = mapped_column(String(200))
