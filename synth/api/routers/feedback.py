"""/v1/feedback and /v1/feedback-requests: peer feedback, one at a time or in bulk."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from synth.api.deps import CreateDep, CurrentPrincipal, PageDep, SessionDep
from synth.api.openapi import errors
from synth.cycles import feedback, requests, rewording
from synth.cycles.models import FeedbackRequest, PeerFeedback, RequestStatus
from synth.cycles.schemas import (
    BulkResult,
    FeedbackBulk,
    FeedbackCreate,
    FeedbackOut,
    FeedbackRequestCreate,
    FeedbackRequestDecline,
    FeedbackRequestOut,
    FeedbackUpdate,
    ReviewerSuggestionOut,
)
from synth.db.pagination import paginate
from synth.schemas import Page

router = APIRouter(tags=["feedback"])


@router.get("/feedback", response_model=Page[FeedbackOut])
def list_feedback(
    db: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    subject_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
) -> Page[FeedbackOut]:
    """List the feedback the caller may see (never feedback about themselves)."""
    statement = feedback.readable_feedback(principal)
    if subject_id is not None:
        statement = statement.where(PeerFeedback.subject_id == subject_id)
    if period_id is not None:
        statement = statement.where(PeerFeedback.period_id == period_id)
    return paginate(db, statement, page, FeedbackOut.model_validate)


@router.post("/feedback", status_code=201, response_model=FeedbackOut, responses=errors(403))
def submit_feedback(body: FeedbackCreate, create: CreateDep) -> object:
    """Submit feedback about a colleague (a person-bound key); flags come back at once."""
    return create(
        body,
        lambda db, principal: FeedbackOut.model_validate(
            feedback.submit(db_session=db, principal=principal, data=body)
        ),
    )


@router.post(
    "/feedback/bulk",
    status_code=201,
    response_model=BulkResult,
    responses=errors(403),
)
def import_feedback(body: FeedbackBulk, create: CreateDep) -> object:
    """Import many pieces of feedback: all rows or none, with a per-row error report.

    Admin, hr and service keys; a rejected import is `422 import_rejected` with one entry per
    bad row in `details`.
    """

    def run(db: SessionDep, principal: CurrentPrincipal) -> BulkResult:
        stored = feedback.import_rows(
            db_session=db, principal=principal, rows=body.items, default_period=body.period
        )
        return BulkResult(created=len(stored), ids=[f.id for f in stored])

    return create(body, run)


@router.get("/feedback/{feedback_id}", response_model=FeedbackOut)
def get_feedback(
    feedback_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal
) -> FeedbackOut:
    """Read one piece of feedback."""
    return FeedbackOut.model_validate(
        feedback.get(db_session=db, principal=principal, feedback_id=feedback_id)
    )


@router.patch("/feedback/{feedback_id}", response_model=FeedbackOut, responses=errors(403, 409))
def edit_feedback(
    feedback_id: uuid.UUID, body: FeedbackUpdate, db: SessionDep, principal: CurrentPrincipal
) -> FeedbackOut:
    """Reword your feedback until a draft reads it; flags are checked again.

    `409 feedback_in_use` once a synthesis or checklist has been drafted for the subject and
    period; every earlier version is kept and audited.
    """
    return FeedbackOut.model_validate(
        rewording.edit(db_session=db, principal=principal, feedback_id=feedback_id, data=body)
    )


@router.delete(
    "/feedback/{feedback_id}",
    status_code=204,
    response_class=Response,
    responses=errors(403, 409),
)
def withdraw_feedback(
    feedback_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Withdraw your feedback until a draft reads it: it leaves every list, theme and draft."""
    rewording.withdraw(db_session=db, principal=principal, feedback_id=feedback_id)
    return Response(status_code=204)


@router.get("/feedback-requests", response_model=Page[FeedbackRequestOut])
def list_requests(
    db: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    subject_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
    status: RequestStatus | None = None,
    addressed_to_me: Annotated[
        bool, Query(description="Only requests the caller is asked to answer")
    ] = False,
) -> Page[FeedbackRequestOut]:
    """List feedback requests the caller made or was asked to answer.

    A reviewer's pending requests: `?addressed_to_me=true&status=open`.
    """
    statement = requests.readable_requests(principal)
    if subject_id is not None:
        statement = statement.where(FeedbackRequest.subject_id == subject_id)
    if period_id is not None:
        statement = statement.where(FeedbackRequest.period_id == period_id)
    if status is not None:
        statement = statement.where(FeedbackRequest.status == status)
    if addressed_to_me:
        statement = statement.where(FeedbackRequest.reviewer_id == principal.person_id)
    return paginate(db, statement, page, FeedbackRequestOut.model_validate)


@router.get(
    "/feedback-requests/suggestions",
    response_model=list[ReviewerSuggestionOut],
    responses=errors(403, 409),
)
def suggest_reviewers(
    person_id: uuid.UUID,
    period_id: uuid.UUID,
    db: SessionDep,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=requests.MAX_SUGGESTIONS)] = 5,
) -> list[ReviewerSuggestionOut]:
    """Suggest whom to ask about an engineer, spread over relationships and levels.

    The engineer's management chain; each suggestion says why in plain words.
    """
    found = requests.suggest_reviewers(
        db_session=db, principal=principal, person_id=person_id, period_id=period_id, limit=limit
    )
    return [
        ReviewerSuggestionOut(
            person_id=s.person.id,
            name=s.person.name,
            title=s.person.title,
            function=s.person.function,
            level=s.person.level,
            relationship=s.relationship,
            reasons=s.reasons,
            reason=s.reason,
        )
        for s in found
    ]


@router.get("/feedback-requests/{request_id}", response_model=FeedbackRequestOut)
def get_request(
    request_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal
) -> FeedbackRequestOut:
    """Read one feedback request, with the expectations it asks examples against."""
    return FeedbackRequestOut.model_validate(
        requests.get_request(db_session=db, principal=principal, request_id=request_id)
    )


@router.post(
    "/feedback-requests",
    status_code=201,
    response_model=FeedbackRequestOut,
    responses=errors(403),
)
def request_feedback(body: FeedbackRequestCreate, create: CreateDep) -> object:
    """Ask a colleague for feedback about someone (the subject's management chain).

    Without a message, the request asks for objective examples against the subject's
    expectations for the period, listing them.
    """
    return create(
        body,
        lambda db, principal: FeedbackRequestOut.model_validate(
            requests.request_feedback(db_session=db, principal=principal, data=body)
        ),
    )


@router.post(
    "/feedback-requests/{request_id}/decline",
    response_model=FeedbackRequestOut,
    responses=errors(403, 409),
)
def decline_request(
    request_id: uuid.UUID, body: FeedbackRequestDecline, create: CreateDep
) -> object:
    """Decline a feedback request addressed to you, with an optional reason."""
    return create(
        body,
        lambda db, principal: FeedbackRequestOut.model_validate(
            requests.decline(
                db_session=db, principal=principal, request_id=request_id, reason=body.reason
            )
        ),
        status_code=200,
    )
