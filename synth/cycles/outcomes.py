"""The manager's outcome of each expectation at the end of the period, beside the engineer's.

The engineer records their own outcome in their self-assessment; the manager records theirs
here, with a short reflection, while the period is in review. Re-posting replaces it (both
versions stay in the audit log).
"""

import uuid

from sqlalchemy.orm import Session

from synth.audit.service import record, snapshot
from synth.auth.principal import Principal
from synth.cycles import expectations, periods
from synth.cycles.models import Expectation, ExpectationStatus, PeriodStatus
from synth.cycles.schemas import OutcomeCreate
from synth.db.base import utcnow
from synth.errors import Conflict, Forbidden


def set_outcome(
    *,
    db_session: Session,
    principal: Principal,
    expectation_id: uuid.UUID,
    data: OutcomeCreate,
) -> Expectation:
    """Record (or replace) the manager's outcome and reflection of a locked expectation."""
    expectation = expectations.get(
        db_session=db_session, principal=principal, expectation_id=expectation_id
    )
    if not expectations.in_chain(db_session, principal, expectation.person_id):
        raise Forbidden(
            "only the engineer's management chain records the manager's outcome; the engineer "
            "records theirs in the self-assessment",
            code="outcome_forbidden",
        )
    period = periods.require_reference(db_session, expectation.period_id)
    periods.require_status(period, PeriodStatus.IN_REVIEW, doing="record an outcome")
    if expectation.status is not ExpectationStatus.LOCKED:
        raise Conflict(
            "only expectations locked for the period have an outcome; this one was never agreed",
            code="expectation_not_locked",
        )
    before = snapshot(expectation)
    expectation.manager_outcome = data.outcome
    expectation.manager_reflection = data.reflection
    expectation.outcome_by_id = principal.person_id
    expectation.outcome_at = utcnow()
    record(
        db_session,
        principal=principal,
        action="expectation.outcome_recorded",
        entity=expectation,
        before=before,
    )
    return expectation
