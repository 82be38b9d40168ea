"""What a guard reports about a draft: one finding per problem, with where it is."""

import uuid
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, computed_field


class Finding(BaseModel):
    """One problem a guard found. `code` is stable: the UI, overrides and tests key on it."""

    # "ignore": a stored finding carries its computed fingerprint, read back as derived.
    model_config = ConfigDict(extra="ignore", frozen=True)

    guard: str = Field(description="the guard that found it: citations, two_track, injection")
    code: str = Field(description="stable machine-readable code, e.g. quote_mismatch")
    blocking: bool = Field(description="stops release until edited or overridden with a reason")
    message: str
    path: str | None = Field(
        default=None, description='where in the draft, e.g. "strengths[0].claims[1].citations[0]"'
    )
    source_id: uuid.UUID | None = Field(default=None, description="the feedback concerned")
    overridable: bool = Field(
        default=True,
        description="a manager may release over it with a reason; if not, only an edit clears it",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fingerprint(self) -> str:
        """Identifies the finding across re-runs, so an override names exactly what it covers."""
        return f"{self.guard}:{self.code}:{self.path or ''}:{self.source_id or ''}"


class Source(Protocol):
    """A piece of untrusted text with its id: feedback, or a quoted self-assessment span."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class SourceText:
    """A `Source` built from parts: an id and the text."""

    id: uuid.UUID
    text: str
