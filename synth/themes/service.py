"""Themes for a person and period, org-wide themes for HR, and similar-feedback search.

Every read goes through the feedback and self-assessment scopes, so a theme or a search hit
never shows a statement its caller could not read as feedback.
"""

import re
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.auth.scope import person_scope
from synth.config import get_settings
from synth.cycles import periods
from synth.cycles.feedback import readable_feedback
from synth.cycles.models import PeerFeedback, Relationship, SelfAssessment
from synth.cycles.self_assessments import readable_self_assessments
from synth.errors import Forbidden, InvalidInput, NotFound
from synth.people.models import Person
from synth.themes.cluster import cluster_embeddings
from synth.themes.embedders import Embedder
from synth.themes.ingest import pending_count
from synth.themes.labels import keyphrase_labels, representatives
from synth.themes.models import IngestFailure, SourceType, Statement
from synth.themes.polarity import statement_polarity, theme_polarity
from synth.themes.private import embed_private
from synth.themes.schemas import (
    IngestStatus,
    OrgTheme,
    OrgThemes,
    PersonThemes,
    SearchHit,
    SearchRequest,
    StatementRef,
    Support,
    Theme,
)
from synth.themes.store import nearest, vectors_for

MIN_THEME_STATEMENTS = 2
STATEMENTS_PER_THEME_STEP = 40


def min_theme_size(statements: int) -> int:
    """Two statements make a theme in a typical period; for someone with hundreds of
    statements a theme needs proportionally more, or a manager gets dozens of tiny ones."""
    return max(MIN_THEME_STATEMENTS, round(statements / STATEMENTS_PER_THEME_STEP))


def readable_statements(principal: Principal) -> ColumnElement[bool]:
    """Statements of feedback and self-assessments the principal may read."""
    feedback_ids = readable_feedback(principal).with_only_columns(PeerFeedback.id).order_by(None)
    assessment_ids = (
        readable_self_assessments(principal).with_only_columns(SelfAssessment.id).order_by(None)
    )
    return or_(
        Statement.feedback_id.in_(feedback_ids),
        Statement.self_assessment_id.in_(assessment_ids),
    )


def ref(statement: Statement) -> StatementRef:
    return StatementRef(
        statement_id=statement.id,
        source_type=statement.source_type,
        feedback_id=statement.feedback_id,
        self_assessment_id=statement.self_assessment_id,
        start=statement.start_offset,
        end=statement.end_offset,
        text=statement.text,
    )


def name_terms(db_session: Session) -> set[str]:
    """Every name part of every person: never a label word, masked in HR views."""
    terms: set[str] = set()
    for name, email in db_session.execute(select(Person.name, Person.email)):
        terms.update(p.lower() for p in re.findall(r"\w+", name) if len(p) > 1)
        terms.update(p.lower() for p in re.findall(r"[a-z]+", email.split("@")[0]) if len(p) > 1)
    return terms


def _clustered(
    db_session: Session, statements: Sequence[Statement], embedder: Embedder
) -> tuple[list[Statement], np.ndarray, list[int]]:
    """The embedded statements (in order), their vectors, and their theme labels (-1 none)."""
    vectors = vectors_for(db_session, embedder.name, [s.id for s in statements])
    ready = [s for s in statements if s.id in vectors]
    if not ready:
        return [], np.zeros((0, embedder.dim), dtype=np.float32), []
    matrix = np.stack([vectors[s.id] for s in ready])
    result = cluster_embeddings(matrix, min_theme_size=min_theme_size(len(ready)))
    return ready, matrix, [int(x) for x in result.labels]


def _peer_themes(
    db_session: Session,
    embedder: Embedder,
    *conditions: ColumnElement[bool],
    exclude: set[str],
) -> tuple[Sequence[Statement], list[Statement], list[int], list[Theme]]:
    """Peer-feedback statements matching `conditions`, clustered and named as themes."""
    statements = db_session.scalars(
        select(Statement)
        .where(Statement.source_type == SourceType.PEER_FEEDBACK, *conditions)
        .order_by(Statement.created_at, Statement.feedback_id, Statement.position)
    ).all()
    ready, matrix, labels = _clustered(db_session, statements, embedder)
    relationships = dict(
        db_session.execute(
            select(PeerFeedback.id, PeerFeedback.relationship).where(
                PeerFeedback.id.in_({s.feedback_id for s in ready})
            )
        ).all()
    )
    return (
        statements,
        ready,
        labels,
        _build_themes(ready, matrix, labels, relationships, exclude=exclude),
    )


def person_themes(
    *,
    db_session: Session,
    principal: Principal,
    person_id: uuid.UUID,
    period_id: uuid.UUID,
    embedder: Embedder,
) -> PersonThemes:
    """Themes in the peer feedback about one person in one period (management view)."""
    periods.get(db_session=db_session, principal=principal, period_id=period_id)
    if db_session.get(Person, person_id) is None:
        raise NotFound(f"no person with id {person_id}", code="person_not_found")
    allowed = db_session.scalar(
        select(Person.id).where(
            Person.id == person_id, person_scope(principal, Person.id, include_self=False)
        )
    )
    if allowed is None:
        raise Forbidden(
            "themes of a person's feedback are for their management chain and thought partner"
        )
    statements, ready, labels, themes = _peer_themes(
        db_session,
        embedder,
        Statement.subject_id == person_id,
        Statement.period_id == period_id,
        exclude=name_terms(db_session),
    )
    return PersonThemes(
        person_id=person_id,
        period_id=period_id,
        model=embedder.name,
        themes=themes,
        unthemed=[ref(s) for s, label in zip(ready, labels, strict=True) if label < 0],
        pending_statements=len(statements) - len(ready),
    )


def _build_themes(
    ready: list[Statement],
    matrix: np.ndarray,
    labels: list[int],
    relationships: Mapping[uuid.UUID, Relationship],
    *,
    exclude: set[str],
) -> list[Theme]:
    threshold = get_settings().anonymity_threshold
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        if label >= 0:
            groups.setdefault(label, []).append(index)
    ids = sorted(groups)
    names = keyphrase_labels([[ready[i].text for i in groups[t]] for t in ids], exclude=exclude)
    themes: list[Theme] = []
    for theme_id, name in zip(ids, names, strict=True):
        members = groups[theme_id]
        first_by_author: dict[uuid.UUID, int] = {}
        for i in members:
            first_by_author.setdefault(ready[i].author_id, i)
        authors = set(first_by_author)
        kinds = Counter(
            _relationship(relationships, ready[i].feedback_id) for i in first_by_author.values()
        )
        reps = representatives(matrix[members], count=3)
        themes.append(
            Theme(
                id=theme_id,
                label=name,
                polarity=theme_polarity(statement_polarity(ready[i].text) for i in members),
                size=len(members),
                support=Support(authors=len(authors), relationships=dict(sorted(kinds.items()))),
                meets_anonymity_threshold=len(authors) >= threshold,
                representatives=[ref(ready[members[r]]) for r in reps],
                statements=[ref(ready[i]) for i in members],
            )
        )
    return themes


def _relationship(known: Mapping[uuid.UUID, Relationship], feedback_id: uuid.UUID | None) -> str:
    found = known.get(feedback_id) if feedback_id else None
    return found.value if found else "unknown"


def org_themes(
    *,
    db_session: Session,
    principal: Principal,
    period_id: uuid.UUID,
    embedder: Embedder,
    min_authors: int | None = None,
) -> OrgThemes:
    """Themes across all peer feedback of a period, for HR: aggregates only, names masked."""
    principal.require(Role.HR)
    floor = get_settings().anonymity_threshold
    wanted = floor if min_authors is None else min_authors
    if wanted < floor:
        raise InvalidInput(
            f"min_authors may not go below the anonymity threshold ({floor})",
            code="below_anonymity_threshold",
        )
    periods.get(db_session=db_session, principal=principal, period_id=period_id)
    exclude = name_terms(db_session)
    _, ready, _, themes = _peer_themes(
        db_session, embedder, Statement.period_id == period_id, exclude=exclude
    )
    shown = [t for t in themes if t.support.authors >= wanted]
    by_id = {s.id: s for s in ready}
    return OrgThemes(
        period_id=period_id,
        min_authors=wanted,
        statements=len(ready),
        themes=[
            OrgTheme(
                id=t.id,
                label=t.label,
                polarity=t.polarity,
                size=t.size,
                authors=t.support.authors,
                subjects=len({by_id[s.statement_id].subject_id for s in t.statements}),
                relationships=t.support.relationships,
                representatives=[mask_names(r.text, exclude) for r in t.representatives],
            )
            for t in shown
        ],
        withheld_themes=len(themes) - len(shown),
    )


def mask_names(text: str, names: set[str]) -> str:
    """Replace any word that is part of a person's name with [name]."""
    return re.sub(r"\w+", lambda m: "[name]" if m.group(0).lower() in names else m.group(0), text)


def similar(
    *, db_session: Session, principal: Principal, request: SearchRequest, embedder: Embedder
) -> list[SearchHit]:
    """The statements closest in meaning to a text or a stored statement, among visible ones."""
    visible = readable_statements(principal)
    exclude: uuid.UUID | None = None
    if request.statement_id is not None:
        own = db_session.scalar(
            select(Statement).where(Statement.id == request.statement_id, visible)
        )
        if own is None:
            raise NotFound(
                f"no statement with id {request.statement_id}", code="statement_not_found"
            )
        vector = vectors_for(db_session, embedder.name, [own.id]).get(own.id)
        if vector is None:
            raise InvalidInput("that statement is not embedded yet", code="statement_pending")
        exclude = own.id
    else:
        assert request.text is not None
        vector = embed_private(db_session, embedder, [request.text])[0]
    condition = visible
    if request.source != "any":
        condition = condition & (Statement.source_type == SourceType(request.source))
    if exclude is not None:
        condition = condition & (Statement.id != exclude)
    hits = nearest(
        db_session,
        model=embedder.name,
        dim=embedder.dim,
        query=vector,
        visible=condition,
        limit=request.limit,
    )
    return [
        SearchHit(
            statement=ref(s), subject_id=s.subject_id, period_id=s.period_id, similarity=score
        )
        for s, score in hits
    ]


def ingest_status(*, db_session: Session, principal: Principal, embedder: Embedder) -> IngestStatus:
    """How much is embedded under the current model, and the last failure if any."""
    principal.require(Role.HR, Role.SERVICE)
    total = db_session.scalar(select(func.count()).select_from(Statement)) or 0
    failure = db_session.scalar(
        select(IngestFailure)
        .where(IngestFailure.model == embedder.name)
        .order_by(IngestFailure.created_at.desc())
    )
    pending = pending_count(db_session, embedder.name)
    return IngestStatus(
        model=embedder.name,
        statements=total,
        pending=pending,
        last_error=failure.error if failure and pending else None,
    )
