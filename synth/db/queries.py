"""Small query helpers shared by the permission-scoped repositories."""

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from synth.errors import Conflict, NotFound

T = TypeVar("T")


def visible_one(db_session: Session, statement: Select[Any], *, message: str, code: str) -> Any:
    """The single row of a permission-scoped query, or NotFound (hiding whether it exists)."""
    found = db_session.scalar(statement)
    if found is None:
        raise NotFound(message, code=code)
    return found


def insert_unique(db_session: Session, *entities: Any, message: str, code: str) -> None:
    """Insert in a savepoint; a unique-constraint clash becomes Conflict and nothing is kept.

    The check-then-insert in the services gives the friendly message; this catches the race
    where two requests pass the check at once.
    """
    try:
        with db_session.begin_nested():
            db_session.add_all(entities)
            db_session.flush()
    except IntegrityError as exc:
        raise Conflict(message, code=code) from exc
