"""/v1/people/{id}/themes, /v1/periods/{id}/themes, /v1/search, /v1/ingest: themes and search."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from synth.api.deps import CurrentPrincipal, EmbedderDep, SessionDep
from synth.api.openapi import errors
from synth.themes import service as themes
from synth.themes.schemas import IngestStatus, OrgThemes, PersonThemes, SearchHit, SearchRequest

router = APIRouter(tags=["themes"])


@router.get("/people/{person_id}/themes", response_model=PersonThemes, responses=errors(403))
def person_themes(
    person_id: uuid.UUID,
    period_id: Annotated[uuid.UUID, Query()],
    db: SessionDep,
    principal: CurrentPrincipal,
    embedder: EmbedderDep,
) -> PersonThemes:
    """Themes in the peer feedback about one person in one period (management view)."""
    return themes.person_themes(
        db_session=db,
        principal=principal,
        person_id=person_id,
        period_id=period_id,
        embedder=embedder,
    )


@router.get("/periods/{period_id}/themes", response_model=OrgThemes, responses=errors(403))
def org_themes(
    period_id: uuid.UUID,
    db: SessionDep,
    principal: CurrentPrincipal,
    embedder: EmbedderDep,
    min_authors: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> OrgThemes:
    """Org-wide themes of a period, anonymised, for admin and hr."""
    return themes.org_themes(
        db_session=db,
        principal=principal,
        period_id=period_id,
        embedder=embedder,
        min_authors=min_authors,
    )


@router.post("/search", response_model=list[SearchHit], responses=errors(404))
def search(
    body: SearchRequest, db: SessionDep, principal: CurrentPrincipal, embedder: EmbedderDep
) -> list[SearchHit]:
    """Statements closest in meaning to a text or a stored statement, among those the caller
    may read."""
    return themes.similar(db_session=db, principal=principal, request=body, embedder=embedder)


@router.get("/ingest", response_model=IngestStatus, responses=errors(403))
def ingest_status(
    db: SessionDep, principal: CurrentPrincipal, embedder: EmbedderDep
) -> IngestStatus:
    """Embedding progress under the current model, and the last failure (admin, hr, service)."""
    return themes.ingest_status(db_session=db, principal=principal, embedder=embedder)
