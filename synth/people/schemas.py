"""People and ladder schemas for the API, the importers and the demo."""

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from synth.people.models import Function, Track
from synth.schemas import InputModel, Key, OutputModel, ShortText

Email = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=320)]


class PersonCreate(InputModel):
    """A new person. `manager` is the manager's id or email."""

    email: Email = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: ShortText
    manager: ShortText | None = Field(default=None, description="Manager's person id or email")
    level: Key | None = Field(default=None, description="A level key from the ladder")
    title: str = Field(default="", max_length=200)
    function: Function = Function.ENGINEERING
    track: Track = Track.IC
    start_date: date


class PersonUpdate(InputModel):
    """Fields that may change: name, manager, level, title, function, track."""

    name: ShortText | None = None
    manager: ShortText | None = Field(default=None, description="id or email; null = none")
    level: Key | None = Field(default=None, description="A level key; null = no level")
    title: str | None = Field(default=None, max_length=200)
    function: Function | None = None
    track: Track | None = None


class PersonOut(OutputModel):
    id: uuid.UUID
    email: str
    name: str
    manager_id: uuid.UUID | None
    level: str | None
    title: str
    function: Function
    track: Track
    start_date: date


class OrgPosition(OutputModel):
    """A person's place in the org chart: manager and derived skip-level."""

    person: PersonOut
    manager_id: uuid.UUID | None
    skip_level_id: uuid.UUID | None
    direct_report_ids: list[uuid.UUID]


class CompetencySpec(InputModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    name: ShortText
    description: str = ""


class LevelSpec(InputModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    name: ShortText
    track: Track
    rank: int = Field(ge=1, le=20)
    scope: str = ""
    expectation_style: str = Field(pattern=r"^(activity|ownership|outcome|objective)$")
    summary: str = ""
    expectations: dict[str, list[str]]
    example_expectations: list[str] = Field(default_factory=list)


class LadderSpec(InputModel):
    """A whole leveling framework, as loaded from YAML."""

    name: ShortText
    version: int = 1
    competencies: list[CompetencySpec] = Field(min_length=1)
    levels: list[LevelSpec] = Field(min_length=1)


class LevelOut(OutputModel):
    key: str
    name: str
    track: Track
    rank: int
    scope: str
    expectation_style: str
    summary: str
    expectations: dict[str, Any]
    example_expectations: list[str]
