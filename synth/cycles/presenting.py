"""An expectation as one reader may see it.

The management chain (and admins) read the manager's outcome, reflection and the number of
skip-level comments. The engineer reads their manager's outcome and reflection once the
period is closed (the end-of-period conversation comes first), never the comments. Anyone
else who may read the expectation (a thought partner) reads neither.
"""

from sqlalchemy.orm import Session

from synth.auth.principal import Principal
from synth.cycles import comments, expectations
from synth.cycles.models import Expectation, PeriodStatus, ReviewPeriod
from synth.cycles.schemas import ExpectationOut

MANAGEMENT_ONLY = ("manager_outcome", "manager_reflection")


def expectation_out(
    db_session: Session, principal: Principal, expectation: Expectation
) -> ExpectationOut:
    """The expectation with the management-track fields the principal may read."""
    shown = ExpectationOut.model_validate(expectation)
    if expectations.in_chain(db_session, principal, expectation.person_id):
        return shown.model_copy(update={"comments": comments.count(db_session, expectation.id)})
    period = db_session.get(ReviewPeriod, expectation.period_id)
    closed = period is not None and period.status is PeriodStatus.CLOSED
    if principal.person_id == expectation.person_id and closed:
        return shown
    return shown.model_copy(update=dict.fromkeys(MANAGEMENT_ONLY))
