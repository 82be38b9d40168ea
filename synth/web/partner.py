"""The thought partner's page: the evidence checklists for the talent assessments they partner.

A checklist is read through the drafting service's `readable_drafts` narrowed to checklists of
assessments the viewer partners, so another thought partner (or a manager who partners none)
gets 404. Partners read; reviewing a checklist is the management chain's (the review desk).
"""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Select, select

from synth.api.deps import SessionDep
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.db.queries import visible_one
from synth.drafting import presentation
from synth.drafting import service as drafts
from synth.drafting.models import Draft, DraftKind
from synth.talent.models import TalentAssessment
from synth.web.deps import ViewerDep
from synth.web.render import PREFIX, page

router = APIRouter(prefix=f"{PREFIX}/partner", include_in_schema=False)


def partnered_checklists(principal: Principal) -> Select[Draft]:
    """Checklists of the assessments the principal partners (an admin: all)."""
    query = drafts.readable_drafts(principal).where(Draft.kind == DraftKind.CHECKLIST)
    if not principal.is_admin:
        partnered = select(TalentAssessment.id).where(
            TalentAssessment.thought_partner_id == principal.person_id
        )
        query = query.where(Draft.assessment_id.in_(partnered))
    return query


@router.get("", response_class=HTMLResponse)
def checklists(request: Request, viewer: ViewerDep, db: SessionDep) -> HTMLResponse:
    viewer.require(Role.THOUGHT_PARTNER, Role.MANAGER)
    rows = db.execute(presentation.with_names(partnered_checklists(viewer.principal))).all()
    return page(request, "partner/list.html", viewer, rows=rows)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def checklist(
    request: Request, draft_id: uuid.UUID, viewer: ViewerDep, db: SessionDep
) -> HTMLResponse:
    """One checklist: each statement's status, the evidence for and against it, what to gather."""
    viewer.require(Role.THOUGHT_PARTNER, Role.MANAGER)
    draft: Draft = visible_one(
        db,
        partnered_checklists(viewer.principal).where(Draft.id == draft_id),
        message=f"no checklist with id {draft_id}",
        code="draft_not_found",
    )
    subject, period = presentation.names(db, draft)
    content = draft.current
    return page(
        request,
        "partner/checklist.html",
        viewer,
        draft=draft,
        subject=subject,
        period=period,
        content=content,
        cited=presentation.cited_sources(db_session=db, principal=viewer.principal, draft=draft),
        citation_at=dict(presentation.citations_of(draft)),
    )
