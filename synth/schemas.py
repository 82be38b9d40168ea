"""Schema building blocks shared by every capability: strict inputs, text limits, pages."""

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

MAX_TEXT_CHARS = 10_000
MAX_SHORT_CHARS = 200
MAX_BULK_ITEMS = 1_000

LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SHORT_CHARS)
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
OptionalText = Annotated[
    str | None, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT_CHARS)
]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class InputModel(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        # PostgreSQL text cannot hold NUL; refuse it as bad input instead of failing later.
        if _has_nul(data):
            raise ValueError("text may not contain NUL (\\u0000) characters")
        return data


class OutputModel(BaseModel):
    """Response bodies, built from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: `next_offset` is null on the last page."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None = None


class PageParams(BaseModel):
    """Offset pagination with a bounded page size."""

    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)
