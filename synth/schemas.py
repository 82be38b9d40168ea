"""Schema building blocks shared by every capability: strict inputs, text limits, pages."""

import types
from datetime import date
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

MAX_TEXT_CHARS = 10_000
MAX_SHORT_CHARS = 200
MAX_BULK_ITEMS = 1_000
MAX_PAGE = 200

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


# JSON types a field of these types refuses although pydantic's lax mode would convert them:
# {"due_on": 0} is not a date and {"done": 0.0} not a yes (strings stay: CSV imports send them).
_NAMES = {date: "a date (YYYY-MM-DD)", bool: "true or false", int: "an integer"}
_REFUSED: dict[type, tuple[type, ...]] = {
    date: (bool, int, float),
    bool: (int, float),
    int: (bool, float),
}


def _scalar(annotation: Any) -> type | None:
    """`date`, `bool` or `int` when the field is one of them (or that or None)."""
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        annotation = kinds[0] if len(kinds) == 1 else None
    return annotation if annotation in _REFUSED else None


class InputModel(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped, and a number is
    not taken for a date or a yes/no."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for name, field in cls.model_fields.items():
            kind = _scalar(field.annotation)
            value = data.get(field.alias or name)
            if kind is None or value is None:
                continue
            refused = _REFUSED[kind]
            if isinstance(value, refused) and not (kind is bool and isinstance(value, bool)):
                raise ValueError(f"{name}: expected {_NAMES[kind]}, got {type(value).__name__}")
        return data

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

    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0)
