"""Turn a permission-scoped SELECT into one page."""

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from synth.schemas import Page, PageParams

T = TypeVar("T")


def paginate(
    db_session: Session,
    statement: Select[Any],
    params: PageParams,
    to_item: Callable[[Any], T],
) -> Page[T]:
    """Count and slice `statement` (which must already be ordered and permission-scoped)."""
    total = db_session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db_session.scalars(statement.limit(params.limit).offset(params.offset)).all()
    total = total or 0
    end = params.offset + len(rows)
    return Page[T](
        items=[to_item(r) for r in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
        next_offset=end if end < total else None,
    )
