"""Skip-level comments on a report's expectations before they lock.

The skip-level (and anyone above), the manager's peers (other managers reporting to the same
skip-level) and the manager comment while the period is planned; the management chain and
those peers read the comments. They are management-track discussion that level-sets
expectations across teams, so the engineer does not read them (403: they can see the
expectation, not its comments); anyone else does not learn the expectation exists (404).
"""

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from synth.audit.service import record
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles import expectations, periods
from synth.cycles.models import (
    Expectation,
    ExpectationComment,
    ExpectationStatus,
    PeriodStatus,
)
from synth.cycles.schemas import CommentCreate
from synth.errors import Conflict, Forbidden, NotFound
from synth.people.models import Person
from synth.people.org import management_chain


def _discusses(db_session: Session, principal: Principal, expectation: Expectation) -> bool:
    """True for the engineer's management chain and their manager's peers (and admins)."""
    if principal.is_admin:
        return True
    me = principal.person_id
    if principal.role is not Role.MANAGER or me is None:
        return False
    chain = management_chain(db_session, expectation.person_id)
    if me in chain:
        return True
    if len(chain) < 2:  # no skip-level: the manager has no peers under one
        return False
    peer = db_session.get(Person, me)
    return peer is not None and peer.manager_id == chain[1]


def _expectation(
    db_session: Session, principal: Principal, expectation_id: uuid.UUID
) -> Expectation:
    """The expectation, if the principal may discuss it: 403 for others who may read it (the
    engineer, a thought partner), 404 for everyone else."""
    expectation = db_session.get(Expectation, expectation_id)
    if expectation is not None and _discusses(db_session, principal, expectation):
        return expectation
    readable = expectations.readable_expectations(principal).where(Expectation.id == expectation_id)
    if expectation is not None and db_session.scalar(readable) is not None:
        raise Forbidden(
            "comments on expectations are management-track discussion",
            code="comments_forbidden",
        )
    raise NotFound(f"no expectation with id {expectation_id}", code="expectation_not_found")


def count(db_session: Session, expectation_id: uuid.UUID) -> int:
    """How many comments an expectation has (shown to the management chain)."""
    return int(
        db_session.scalar(
            select(func.count())
            .select_from(ExpectationComment)
            .where(ExpectationComment.expectation_id == expectation_id)
        )
        or 0
    )


def readable_comments(
    db_session: Session, principal: Principal, expectation_id: uuid.UUID
) -> Select[ExpectationComment]:
    """An expectation's comments, oldest first, for those who discuss it."""
    expectation = _expectation(db_session, principal, expectation_id)
    return (
        select(ExpectationComment)
        .where(ExpectationComment.expectation_id == expectation.id)
        .order_by(ExpectationComment.created_at, ExpectationComment.id)
    )


def create(
    *,
    db_session: Session,
    principal: Principal,
    expectation_id: uuid.UUID,
    data: CommentCreate,
) -> ExpectationComment:
    """Comment on a proposed or agreed expectation while its period is planned."""
    expectation = _expectation(db_session, principal, expectation_id)
    if principal.person_id is None:
        raise Forbidden("comments are written by a person", code="comments_forbidden")
    if expectation.status is ExpectationStatus.LOCKED:
        raise Conflict(
            "this expectation is locked for the period; comments are for before it locks",
            code="expectation_locked",
        )
    period = periods.require_reference(db_session, expectation.period_id)
    periods.require_status(period, PeriodStatus.PLANNING, doing="comment on an expectation")
    comment = ExpectationComment(
        expectation_id=expectation.id, author_id=principal.person_id, text=data.text
    )
    db_session.add(comment)
    record(db_session, principal=principal, action="expectation_comment.created", entity=comment)
    return comment
