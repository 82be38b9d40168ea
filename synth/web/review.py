"""The manager's review desk: drafts waiting for review, and one draft to edit, approve, reject,
override and release.

Every read goes through the drafting service's `readable_drafts` (404 for a draft the viewer
may not see) and every action through its transitions, so the desk refuses exactly what the
API refuses, with the same stable codes; what a draft looks like on the desk (fields, diffs,
sources with the quoted span marked, findings beside their field) is
`synth.drafting.presentation`.
"""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from synth.api.deps import EmbedderDep, SessionDep
from synth.auth.models import Role
from synth.drafting import presentation
from synth.drafting import service as drafts
from synth.drafting.gate.guarding import overridden
from synth.drafting.gate.review import GuardReport
from synth.drafting.models import Draft, DraftStatus
from synth.drafting.schemas import DraftReject
from synth.errors import InvalidInput
from synth.web.deps import FormDep, Viewer, ViewerDep
from synth.web.render import PREFIX, page, redirect

router = APIRouter(prefix=f"{PREFIX}/review", include_in_schema=False)

WAITING = (DraftStatus.READY_FOR_REVIEW, DraftStatus.APPROVED)
EDITABLE = (DraftStatus.READY_FOR_REVIEW, DraftStatus.APPROVED)
# Form fields of an override that name the findings it covers: "finding.0", "finding.1", …
FINDING_FIELD = "finding."


def _reviewer(viewer: Viewer) -> None:
    viewer.require(Role.MANAGER)


def _url(draft_id: uuid.UUID) -> str:
    return f"{PREFIX}/review/drafts/{draft_id}"


@router.get("", response_class=HTMLResponse)
def desk(request: Request, viewer: ViewerDep, db: SessionDep) -> HTMLResponse:
    """Drafts ready for review first, then approved ones not yet released."""
    _reviewer(viewer)
    rows = db.execute(
        presentation.with_names(
            drafts.readable_drafts(viewer.principal).where(Draft.status.in_(WAITING))
        )
    ).all()
    # Ready for review first; within a status, one engineer's drafts together.
    waiting = sorted(
        rows, key=lambda row: (WAITING.index(row[0].status), row[1], row[0].kind.value)
    )
    return page(request, "review/desk.html", viewer, rows=waiting)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(
    request: Request, draft_id: uuid.UUID, viewer: ViewerDep, db: SessionDep
) -> HTMLResponse:
    """One draft: its fields with their citations and findings, the edit form, the diff and
    the actions its state allows."""
    _reviewer(viewer)
    draft = drafts.get(db_session=db, principal=viewer.principal, draft_id=draft_id)
    subject, period = presentation.names(db, draft)
    content = draft.current
    fields = presentation.text_fields(draft.kind, content) if content is not None else []
    done = overridden(draft)
    placed = presentation.findings_at(draft.guard_report, overridden=done, fields=fields)
    report = GuardReport.model_validate(draft.guard_report) if draft.guard_report else None
    changes = (
        presentation.diff(draft.kind, draft.output, draft.edited)
        if draft.output is not None and draft.edited is not None
        else []
    )
    return page(
        request,
        "review/draft.html",
        viewer,
        draft=draft,
        subject=subject,
        period=period,
        content=content,
        fields=fields,
        placed=placed,
        cited=presentation.cited_sources(db_session=db, principal=viewer.principal, draft=draft),
        citation_at=dict(presentation.citations_of(draft)),
        overridable=[f for f in (report.open_blocking(done) if report else []) if f.overridable],
        changes=changes,
        editable=draft.status in EDITABLE and content is not None,
        overrides=(draft.guard_override or {}).get("overrides", []),
    )


@router.post("/drafts/{draft_id}/edit")
def edit(
    draft_id: uuid.UUID, viewer: ViewerDep, db: SessionDep, form: FormDep, embedder: EmbedderDep
) -> RedirectResponse:
    """Save the fields the manager changed; the guards run again on the edited text."""
    _reviewer(viewer)
    draft = drafts.get(db_session=db, principal=viewer.principal, draft_id=draft_id)
    content = draft.current
    if content is None:
        raise InvalidInput("this draft has no text to edit yet", code="nothing_to_edit")
    # Browsers send a textarea's line breaks as CRLF.
    posted = {path: text.replace("\r\n", "\n") for path, text in form.items()}
    current = {f.path: f.text for f in presentation.text_fields(draft.kind, content)}
    edits = {path: text for path, text in posted.items() if current.get(path) != text}
    if not edits:
        return redirect(_url(draft_id), "Nothing changed.")
    drafts.edit(
        db_session=db,
        principal=viewer.principal,
        draft_id=draft_id,
        content=presentation.apply_edits(draft.kind, content, edits),
        embedder=embedder,
    )
    return redirect(_url(draft_id), f"Saved {len(edits)} change(s); the guards ran again.")


# Actions without fields still take `form`: it is what checks their CSRF token.
@router.post("/drafts/{draft_id}/approve")
def approve(
    draft_id: uuid.UUID, viewer: ViewerDep, db: SessionDep, form: FormDep
) -> RedirectResponse:
    _reviewer(viewer)
    drafts.approve(db_session=db, principal=viewer.principal, draft_id=draft_id)
    return redirect(_url(draft_id), "Approved.")


def _reason(form: dict[str, str]) -> str:
    """The reason a rejection or override must give, checked as the API checks it."""
    try:
        return DraftReject(reason=form.get("reason", "")).reason
    except ValidationError as exc:
        raise InvalidInput("say why: a reason is required", code="reason_required") from exc


@router.post("/drafts/{draft_id}/reject")
def reject(
    draft_id: uuid.UUID, viewer: ViewerDep, db: SessionDep, form: FormDep
) -> RedirectResponse:
    _reviewer(viewer)
    reason = _reason(form)
    drafts.reject(db_session=db, principal=viewer.principal, draft_id=draft_id, reason=reason)
    return redirect(_url(draft_id), "Rejected.")


@router.post("/drafts/{draft_id}/override")
def override(
    draft_id: uuid.UUID, viewer: ViewerDep, db: SessionDep, form: FormDep
) -> RedirectResponse:
    """Release over the blocking findings ticked (all open overridable ones if none is)."""
    _reviewer(viewer)
    reason = _reason(form)
    named = [value for key, value in form.items() if key.startswith(FINDING_FIELD)]
    drafts.override(
        db_session=db,
        principal=viewer.principal,
        draft_id=draft_id,
        reason=reason,
        fingerprints=named or None,
    )
    return redirect(_url(draft_id), "Overridden, with your reason kept in the audit log.")


@router.post("/drafts/{draft_id}/release")
def release(
    draft_id: uuid.UUID, viewer: ViewerDep, db: SessionDep, form: FormDep, embedder: EmbedderDep
) -> RedirectResponse:
    _reviewer(viewer)
    drafts.release(db_session=db, principal=viewer.principal, draft_id=draft_id, embedder=embedder)
    return redirect(_url(draft_id), "Released: the engineer can read it now.")
