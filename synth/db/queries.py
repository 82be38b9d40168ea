"""Small query helpers shared by the permission-scoped repositories."""

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from synth.errors import NotFound

T = TypeVar("T")


def visible_one(db_session: Session, statement: Select[Any], *, message: str, code: str) -> Any:
    """The single row of a permission-scoped query, or NotFound (hiding whether it exists)."""
    found = db_session.scalar(statement)
    if found is None:
        raise NotFound(message, code=code)
    return found
