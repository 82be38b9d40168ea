"""Org-chart queries: reports, the management chain, skip-levels."""

import uuid

from sqlalchemy import Select, Uuid, column, func, select
from sqlalchemy.orm import Session

from synth.people.models import Person


def subtree_ids(manager_id: uuid.UUID) -> Select[uuid.UUID]:
    """Everyone below `manager_id` in the org chart (reports, their reports, ...), not them.

    Uses the `org_subtree` SQL function (migration 0003), a recursive walk of people.
    """
    below = func.org_subtree(manager_id).table_valued(column("id", Uuid))
    return select(below.c.id)


def management_chain(session: Session, person_id: uuid.UUID) -> list[uuid.UUID]:
    """The person's manager, skip-level and so on up to the top, nearest first."""
    chain: list[uuid.UUID] = []
    current = session.get(Person, person_id)
    while current is not None and current.manager_id is not None:
        if current.manager_id in chain:  # a cycle would be a bug; never loop forever
            break
        chain.append(current.manager_id)
        current = session.get(Person, current.manager_id)
    return chain


def skip_level_id(session: Session, person_id: uuid.UUID) -> uuid.UUID | None:
    """The manager's manager, derived from the org chart."""
    chain = management_chain(session, person_id)
    return chain[1] if len(chain) > 1 else None


def is_in_chain(session: Session, *, manager_id: uuid.UUID, person_id: uuid.UUID) -> bool:
    """True when `manager_id` is somewhere above `person_id`."""
    return manager_id in management_chain(session, person_id)
