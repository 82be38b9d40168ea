"""Visibility rules by org chart, shared by every permission-scoped query.

Two tracks: what a principal may read about a person depends on their relation to that
person (self, management chain, assigned thought partner), never on the route asking.
"""

import uuid

from sqlalchemy import ColumnElement, ScalarSelect, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.errors import Forbidden
from synth.people.org import management_chain, subtree_ids
from synth.talent.models import TalentAssessment


def partner_subject_ids(person_id: uuid.UUID) -> ScalarSelect[uuid.UUID]:
    """Subjects whose talent assessment names `person_id` as thought partner (sub-select)."""
    return (
        select(TalentAssessment.subject_id)
        .where(TalentAssessment.thought_partner_id == person_id)
        .scalar_subquery()
    )


def person_scope(
    principal: Principal,
    column: InstrumentedAttribute[uuid.UUID],
    *,
    include_self: bool,
) -> ColumnElement[bool]:
    """Condition on `column` (a person id) for records about people the principal may see.

    Managers see their whole org (reports, and as skip-level their reports' reports); anyone
    assigned as thought partner sees that person's records; people see their own records when
    `include_self`; keys bound to no person (HR, service) see no individual records here.
    """
    if principal.role is Role.ADMIN:
        return true()
    me = principal.person_id
    if me is None:
        return false()
    clauses: list[ColumnElement[bool]] = [column.in_(partner_subject_ids(me))]
    if include_self:
        clauses.append(column == me)
    if principal.role is Role.MANAGER:
        clauses.append(column.in_(subtree_ids(me)))
    return or_(*clauses)


def manages(principal: Principal, column: InstrumentedAttribute[uuid.UUID]) -> ColumnElement[bool]:
    """Condition: the record's person is below the principal in the org chart (or admin)."""
    if principal.role is Role.ADMIN:
        return true()
    if principal.role is not Role.MANAGER or principal.person_id is None:
        return false()
    return column.in_(subtree_ids(principal.person_id))


def require_chain(
    db_session: Session, principal: Principal, person_id: uuid.UUID, why: str
) -> None:
    """Forbidden unless the principal is an admin or a manager above `person_id`.

    The one write rule for the management track (talent assessments, feedback requests,
    draft review), so every service asks it the same way.
    """
    if principal.is_admin:
        return
    if (
        principal.role is not Role.MANAGER
        or principal.person_id is None
        or principal.person_id not in management_chain(db_session, person_id)
    ):
        raise Forbidden(why)
