"""/v1/drafts: request drafts (202), review them, release them to the engineer."""

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from synth.api.deps import CreateDep, CurrentPrincipal, EmbedderDep, PageDep, SessionDep
from synth.api.openapi import errors
from synth.auth.principal import Principal
from synth.cycles.schemas import KeyStepOut
from synth.db.pagination import paginate
from synth.drafting import key_steps
from synth.drafting import service as drafts
from synth.drafting.models import Draft, DraftKind, DraftStatus, KeyStepSuggestion
from synth.drafting.schemas import (
    DraftAccepted,
    DraftEdit,
    DraftOut,
    DraftOverride,
    DraftReject,
    DraftRequest,
    EngineerDraftOut,
    KeyStepAdopt,
    KeyStepSuggestionOut,
)
from synth.schemas import Page

router = APIRouter(tags=["drafts"])
POLL_AFTER_S = 2
DraftView = DraftOut | EngineerDraftOut
REVIEW = errors(403, 409)  # the engineer's management chain (or an admin), from some states


def view(principal: Principal, draft: Draft) -> DraftView:
    """The engineer reads the released version only; reviewers read everything."""
    if drafts.is_engineer_view(principal, draft):
        return EngineerDraftOut.model_validate(draft)
    return DraftOut.model_validate(draft)


@router.post(
    "/drafts",
    status_code=202,
    response_model=DraftAccepted,
    responses={
        202: {
            "headers": {
                "Location": {
                    "description": "The draft to poll",
                    "required": True,
                    "schema": {"type": "string"},
                },
                "Retry-After": {
                    "description": "Seconds to wait before polling",
                    "required": True,
                    "schema": {"type": "integer"},
                },
            }
        },
        **errors(403),
    },
)
def request_draft(body: DraftRequest, create: CreateDep, request: Request) -> JSONResponse:
    """Ask for a draft (synthesis, expectations or checklist) while the period is in review.

    Answered at once with `202`: a worker generates it; poll `Location`. Concurrent requests
    for the same engineer, kind and period share one draft (`existing: true`).
    """

    def run(db: SessionDep, principal: CurrentPrincipal) -> DraftAccepted:
        draft, existing = drafts.request(
            db_session=db, principal=principal, data=body, drafter=request.app.state.drafter_name
        )
        return DraftAccepted(id=draft.id, status=draft.status, existing=existing)

    response = create(body, run, status_code=202)
    if response.status_code == 202:
        # Where to poll, and how soon: the draft is generated in the background.
        accepted = json.loads(bytes(response.body))
        response.headers["Location"] = f"/v1/drafts/{accepted['id']}"
        response.headers["Retry-After"] = str(POLL_AFTER_S)
    return response


@router.get("/drafts", response_model=Page[DraftOut | EngineerDraftOut])
def list_drafts(
    db: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    subject_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
    kind: Annotated[DraftKind | None, Query()] = None,
    status: Annotated[DraftStatus | None, Query()] = None,
) -> Page[Any]:
    """List the drafts the caller may see (an engineer: their own released ones)."""
    statement = drafts.readable_drafts(principal)
    for column, value in (
        (Draft.subject_id, subject_id),
        (Draft.period_id, period_id),
        (Draft.kind, kind),
        (Draft.status, status),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return paginate(db, statement, page, lambda d: view(principal, d))


@router.get("/drafts/{draft_id}", response_model=DraftOut | EngineerDraftOut)
def get_draft(draft_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal) -> DraftView:
    """Read one draft.

    Reviewers get everything, with `attribution`: who wrote each piece of feedback cited.
    The engineer gets only the released, engineer-facing version.
    """
    draft = drafts.get(db_session=db, principal=principal, draft_id=draft_id)
    shown = view(principal, draft)
    if isinstance(shown, DraftOut):
        shown.attribution = drafts.attribution(db_session=db, principal=principal, draft=draft)
    return shown


@router.patch("/drafts/{draft_id}", response_model=DraftOut, responses=REVIEW)
def edit_draft(
    draft_id: uuid.UUID,
    body: DraftEdit,
    db: SessionDep,
    principal: CurrentPrincipal,
    embedder: EmbedderDep,
) -> DraftOut:
    """Edit a draft's text; the guards run again on it (see `guard_report`).

    The model's text is kept beside the edit; editing an approved draft sends it back to
    review.
    """
    draft = drafts.edit(
        db_session=db,
        principal=principal,
        draft_id=draft_id,
        content=body.content,
        embedder=embedder,
    )
    return DraftOut.model_validate(draft)


@router.post("/drafts/{draft_id}/approve", response_model=DraftOut, responses=REVIEW)
def approve_draft(draft_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal) -> DraftOut:
    """Approve a draft that is ready for review."""
    return DraftOut.model_validate(
        drafts.approve(db_session=db, principal=principal, draft_id=draft_id)
    )


@router.post("/drafts/{draft_id}/reject", response_model=DraftOut, responses=REVIEW)
def reject_draft(
    draft_id: uuid.UUID, body: DraftReject, db: SessionDep, principal: CurrentPrincipal
) -> DraftOut:
    """Reject a draft, with a reason."""
    return DraftOut.model_validate(
        drafts.reject(db_session=db, principal=principal, draft_id=draft_id, reason=body.reason)
    )


@router.post("/drafts/{draft_id}/release", response_model=DraftOut, responses=REVIEW)
def release_draft(
    draft_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal, embedder: EmbedderDep
) -> DraftOut:
    """Release an approved draft to the engineer.

    `409 guard_blocked`, listing the findings, while a blocking finding is open.
    """
    return DraftOut.model_validate(
        drafts.release(db_session=db, principal=principal, draft_id=draft_id, embedder=embedder)
    )


@router.post("/drafts/{draft_id}/override", response_model=DraftOut, responses=REVIEW)
def override_findings(
    draft_id: uuid.UUID, body: DraftOverride, db: SessionDep, principal: CurrentPrincipal
) -> DraftOut:
    """Override blocking findings with a reason (never two-track findings); audited."""
    return DraftOut.model_validate(
        drafts.override(
            db_session=db,
            principal=principal,
            draft_id=draft_id,
            reason=body.reason,
            fingerprints=body.findings,
        )
    )


@router.post("/drafts/{draft_id}/retry", response_model=DraftOut, responses=REVIEW)
def retry_draft(draft_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal) -> DraftOut:
    """Queue a failed draft again, with a fresh count of attempts."""
    return DraftOut.model_validate(
        drafts.retry(db_session=db, principal=principal, draft_id=draft_id)
    )


# --- key steps on demand: the requester's own, until a step is adopted ------------------------


class KeyStepAsk(BaseModel):
    """No options: the expectation in the path says everything (kept for the idempotency
    fingerprint, which hashes a body)."""


@router.post(
    "/expectations/{expectation_id}/key-step-suggestions",
    status_code=201,
    response_model=KeyStepSuggestionOut,
    responses=errors(403, 404, 409),
    summary="Ask for suggested key steps for one expectation",
)
def request_key_steps(expectation_id: uuid.UUID, create: CreateDep, request: Request) -> object:
    """Draft key steps for one of the engineer's own expectations (the engineer, or their
    management chain), from the expectation, the level and the engineer's self-assessment,
    never feedback. Only the caller reads the suggestion; steps a guard blocks are withheld.
    Asking again with the same inputs gives the same suggestion."""
    return create(
        KeyStepAsk(),
        lambda db, principal: KeyStepSuggestionOut.of(
            key_steps.request(
                db_session=db,
                principal=principal,
                expectation_id=expectation_id,
                drafter=request.app.state.drafter_name,
            )
        ),
    )


@router.get(
    "/key-step-suggestions",
    response_model=Page[KeyStepSuggestionOut],
    summary="List the key step suggestions the caller asked for",
)
def list_key_step_suggestions(
    db: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    expectation_id: uuid.UUID | None = None,
) -> Page[KeyStepSuggestionOut]:
    """The caller's own suggestions, newest first (nobody else's, whoever they manage)."""
    statement = key_steps.readable_suggestions(principal)
    if expectation_id is not None:
        statement = statement.where(KeyStepSuggestion.expectation_id == expectation_id)
    return paginate(db, statement, page, KeyStepSuggestionOut.of)


@router.get(
    "/key-step-suggestions/{suggestion_id}",
    response_model=KeyStepSuggestionOut,
    responses=errors(404),
    summary="Read one key step suggestion",
)
def get_key_step_suggestion(
    suggestion_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal
) -> KeyStepSuggestionOut:
    """Read a suggestion the caller asked for."""
    return KeyStepSuggestionOut.of(
        key_steps.get(db_session=db, principal=principal, suggestion_id=suggestion_id)
    )


@router.post(
    "/key-step-suggestions/{suggestion_id}/adopt",
    status_code=201,
    response_model=KeyStepOut,
    responses=errors(403, 404, 409, 422),
    summary="Adopt one suggested key step",
)
def adopt_key_step(suggestion_id: uuid.UUID, body: KeyStepAdopt, create: CreateDep) -> object:
    """Append one suggested step to the expectation's key steps (once per step; not on a
    locked expectation)."""
    return create(
        body,
        lambda db, principal: KeyStepOut.model_validate(
            key_steps.adopt(
                db_session=db, principal=principal, suggestion_id=suggestion_id, step=body.step
            )
        ),
    )
