"""Themes for a person and period, org-wide themes for HR, and similar-feedback search.

Every read goes through the feedback and self-assessment scopes, so a theme or a search hit
never shows a statement its caller could not read as feedback.
"""

import re
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

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
from synth.evidence import PersonName
from synth.guards.anonymity import Reviewer
from synth.guards.anonymity.quotes import example_cut
from synth.guards.bias import bias_terms
from synth.guards.two_track import mentions_talent_track
from synth.people.models import Person
from synth.people.names import mask_names, name_variants, proper_names
from synth.people.org import management_chain
from synth.text import neutral_pronouns
from synth.themes.cluster import cluster_embeddings, default_min_theme_size
from synth.themes.embedders import Embedder
from synth.themes.ingest import pending_count
from synth.themes.labels import phrase_titles, representatives
from synth.themes.models import IngestFailure, SourceType, Statement
from synth.themes.polarity import CLEAR, Polarity
from synth.themes.private import embed_private, vector_key
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
from synth.themes.stance import combined_polarity, lean_polarity, rehome_dissent, split_by_stance
from synth.themes.store import nearest, vectors_for

MIN_THEME_STATEMENTS = 2
SHARED_TITLE_AUTHORS = 2  # an HR title is a phrase at least this many authors wrote
STATEMENTS_PER_THEME_STEP = 40
ORG_EXCERPTS = 3


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


def name_terms(db_session: Session) -> frozenset[str]:
    """Every name variant of everyone in the org: never a label word, masked in HR views."""
    terms: set[str] = set()
    for name, email in db_session.execute(select(Person.name, Person.email)):
        terms |= name_variants(name, email)
    return frozenset(terms)


class _Found(NamedTuple):
    ready: list[Statement]
    """The embedded statements, in order."""
    matrix: np.ndarray
    labels: list[int]
    """Theme label per statement (-1 none)."""
    stance: list[float]
    """Polarity per statement (cues and meaning), as the drafter reads it."""


def org_theme_size(statements: int) -> int:
    """Statements an organisation-wide theme needs: as many as the distinct reviewers HR's view
    asks for (a smaller theme could never be shown), growing slowly with the organisation.
    Not `min_theme_size`, which grows with one person's feedback: across 400 statements about
    thirty people it asked for 11 and left HR two themes, "Mentor" among them."""
    return max(get_settings().anonymity_threshold, default_min_theme_size(statements))


def _clustered(
    db_session: Session,
    statements: Sequence[Statement],
    embedder: Embedder,
    sizing: Callable[[int], int] = min_theme_size,
) -> _Found:
    """The embedded statements clustered, themes praised and criticised alike split; a theme
    needs `sizing(statements)` statements."""
    vectors = vectors_for(db_session, vector_key(embedder), [s.id for s in statements])
    ready = [s for s in statements if s.id in vectors]
    if not ready:
        return _Found([], np.zeros((0, embedder.dim), dtype=np.float32), [], [])
    matrix = np.stack([vectors[s.id] for s in ready])
    smallest = sizing(len(ready))
    result = cluster_embeddings(matrix, min_theme_size=smallest)
    stance = [combined_polarity(s.text, matrix[i], embedder.name) for i, s in enumerate(ready)]
    labels = split_by_stance([int(x) for x in result.labels], stance, smallest)
    labels = rehome_dissent(labels, stance, matrix, smallest)
    return _Found(ready, matrix, labels, stance)


class _Clustering(NamedTuple):
    statements: Sequence[Statement]
    ready: list[Statement]
    matrix: np.ndarray
    labels: list[int]
    relationships: dict[uuid.UUID, Relationship]
    themes: list[Theme]


def _peer_themes(
    db_session: Session,
    embedder: Embedder,
    *conditions: ColumnElement[bool],
    exclude: frozenset[str],
    shared: bool = False,
) -> _Clustering:
    """Peer-feedback statements matching `conditions`, clustered and named as themes;
    `shared`: across people (HR's view), sized and titled for it."""
    statements = db_session.scalars(
        select(Statement)
        .where(Statement.source_type == SourceType.PEER_FEEDBACK, *conditions)
        .order_by(Statement.created_at, Statement.feedback_id, Statement.position)
    ).all()
    sizing = org_theme_size if shared else min_theme_size
    ready, matrix, labels, stance = _clustered(db_session, statements, embedder, sizing)
    relationships = dict(
        db_session.execute(
            select(PeerFeedback.id, PeerFeedback.relationship).where(
                PeerFeedback.id.in_({s.feedback_id for s in ready})
            )
        ).all()
    )
    # Computed once per subject: an org-wide theme spans many people, each with their chain.
    chains = {
        subject: frozenset(management_chain(db_session, subject))
        for subject in {s.subject_id for s in ready}
    }
    themes = _build_themes(
        ready,
        matrix,
        labels,
        stance,
        relationships,
        chains,
        exclude=exclude,
        embedder=embedder,
        shared=shared,
    )
    return _Clustering(statements, ready, matrix, labels, relationships, themes)


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
    found = _peer_themes(
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
        themes=found.themes,
        unthemed=[ref(s) for s, label in zip(found.ready, found.labels, strict=True) if label < 0],
        pending_statements=len(found.statements) - len(found.ready),
    )


def _build_themes(
    ready: list[Statement],
    matrix: np.ndarray,
    labels: list[int],
    stance: Sequence[float],
    relationships: Mapping[uuid.UUID, Relationship],
    chains: Mapping[uuid.UUID, frozenset[uuid.UUID]],
    *,
    exclude: frozenset[str],
    embedder: Embedder | None,
    shared: bool = False,
) -> list[Theme]:
    """`shared`: titles are phrases that several authors wrote (HR's view), never one lifted
    from one person's statement."""
    threshold = get_settings().anonymity_threshold
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        if label >= 0:
            groups.setdefault(label, []).append(index)
    ids = sorted(groups)
    # Pay or promotion talk belongs to the talent track: it never names a theme that reaches
    # an engineer or HR ("writing · underpaid"), though the manager still sees the statement.
    # Nor does a remark about who someone is rather than what they did ("bossy"): it stays in
    # the theme for the manager, flagged, but never names it. A strength is not named from
    # its criticism, nor a growth area from its praise.
    polarity = {t: lean_polarity(stance[i] for i in groups[t]) for t in ids}
    titled, shown_by = [], []
    for t in ids:
        usable = [
            i
            for i in groups[t]
            if not (mentions_talent_track(ready[i].text) or bias_terms(ready[i].text))
        ]
        want = {Polarity.STRENGTH: 1, Polarity.GROWTH_AREA: -1}.get(polarity[t], 0)
        # Only what clearly leans the other way is set aside ("generous with help" never
        # names a growth area); neutral statements still count.
        aligned = [i for i in usable if stance[i] * want >= -CLEAR]
        # Named by what clearly says its message when anything does: a growth area by the
        # criticism ("stays stuck too long before asking"), not by the context around it
        # ("the offline banner was his").
        clear = [i for i in aligned if stance[i] * want > CLEAR]
        titled.append(clear or aligned or usable)
        shown_by.append(aligned or usable)
    names = phrase_titles(
        [[ready[i].text for i in members] for members in titled],
        [matrix[members] for members in titled],
        embedder.embed if embedder is not None and embedder.local else None,
        model=embedder.name if embedder is not None else "",
        exclude=exclude,
        owners=[[ready[i].author_id for i in members] for members in titled] if shared else None,
        shared_by=SHARED_TITLE_AUTHORS,
    )
    # A theme whose every statement is pay or promotion talk or a flagged remark has nothing
    # to be named from: it is named for what it is, for the manager who sees it.
    names = [
        name if shown else _unnamed_theme([ready[i].text for i in groups[t]])
        for t, name, shown in zip(ids, names, titled, strict=True)
    ]
    themes: list[Theme] = []
    for theme_id, name, shown in zip(ids, names, shown_by, strict=True):
        members = groups[theme_id]
        first_by_author: dict[uuid.UUID, int] = {}
        for i in members:
            first_by_author.setdefault(ready[i].author_id, i)
        authors = set(first_by_author)
        # A manager or skip-level backing a theme about their report is their own view: only
        # reviewers outside each statement's subject's chain make the others unidentifiable.
        outside = {
            ready[i].author_id
            for i in members
            if ready[i].author_id not in chains[ready[i].subject_id]
        }
        kinds = Counter(
            _relationship(relationships, ready[i].feedback_id) for i in first_by_author.values()
        )
        # Shown by what leans its way: a growth area's examples are not its praise.
        shown = shown or members  # every statement pay talk or a flagged remark: still shown
        reps = [shown[r] for r in representatives(matrix[shown], count=3)]
        themes.append(
            Theme(
                id=theme_id,
                label=name,
                polarity=polarity[theme_id],
                size=len(members),
                support=Support(
                    authors=len(authors),
                    outside_chain=len(outside),
                    relationships=dict(sorted(kinds.items())),
                ),
                meets_anonymity_threshold=len(outside) >= threshold,
                representatives=[ref(ready[r]) for r in reps],
                statements=[ref(ready[i]) for i in members],
            )
        )
    return themes


def _unnamed_theme(texts: Sequence[str]) -> str:
    if all(mentions_talent_track(text) for text in texts):
        return "Remarks for the talent track"
    return "Remarks flagged by the bias guard"


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
    """Themes across all peer feedback of a period, for HR: a title, counts, polarity and
    non-identifying excerpts; nothing about an individual and nothing about who said it."""
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
    # HR sees no statement about an individual: an org theme is named by a phrase several of
    # its authors wrote, never one lifted from one person's feedback ("carried the sync client").
    found = _peer_themes(
        db_session, embedder, Statement.period_id == period_id, exclude=exclude, shared=True
    )
    shown = [t for t in found.themes if t.support.outside_chain >= wanted]
    # Names of people outside the org too, as the texts use them ("pairs with Kofi").
    masked = exclude | proper_names(s.text for s in found.ready)
    reviewers = _reviewers(db_session, found)
    index = {s.id: i for i, s in enumerate(found.ready)}
    return OrgThemes(
        period_id=period_id,
        min_authors=wanted,
        statements=len(found.ready),
        themes=[
            OrgTheme(
                id=t.id,
                label=t.label,
                polarity=t.polarity,
                size=t.size,
                authors=t.support.outside_chain,
                subjects=len({found.ready[index[s.statement_id]].subject_id for s in t.statements}),
                representatives=_excerpts(
                    found,
                    [index[s.statement_id] for s in t.statements],
                    reviewers=reviewers,
                    masked=masked,
                ),
            )
            for t in shown
        ],
        withheld_themes=len(found.themes) - len(shown),
    )


def _reviewers(db_session: Session, found: _Clustering) -> dict[uuid.UUID, Reviewer]:
    """Each author of the clustered statements as the anonymity guard's cutter sees them."""
    relationship: dict[uuid.UUID, str] = {}
    for s in found.ready:
        relationship.setdefault(s.author_id, _relationship(found.relationships, s.feedback_id))
    people = db_session.scalars(select(Person).where(Person.id.in_(relationship))).all()
    return {
        p.id: Reviewer(
            person=PersonName(id=p.id, name=p.name, email=p.email),
            title=p.title,
            function=p.function.value,
            relationship=relationship[p.id],
        )
        for p in people
    }


def _excerpts(
    found: _Clustering,
    members: list[int],
    *,
    reviewers: Mapping[uuid.UUID, Reviewer],
    masked: frozenset[str],
) -> list[str]:
    """Up to `ORG_EXCERPTS` cuts of the theme's most typical statements, never one that is
    the only statement about its subject in the theme, none from a theme about one person."""
    ready = found.ready
    per_subject = Counter(ready[i].subject_id for i in members)
    if len(per_subject) < 2:
        return []
    authors = [reviewers[a] for a in dict.fromkeys(ready[i].author_id for i in members)]
    excerpts: list[str] = []
    for r in representatives(found.matrix[members], count=len(members)):
        statement = ready[members[r]]
        if per_subject[statement.subject_id] < 2 or mentions_talent_track(statement.text):
            continue
        cut = example_cut(statement.text, reviewers=authors)
        if cut is None or _words(cut) == _words(statement.text):  # a whole statement
            continue
        excerpt = neutral_pronouns(mask_names(cut, masked))
        if excerpt not in excerpts:
            excerpts.append(excerpt)
        if len(excerpts) == ORG_EXCERPTS:
            break
    return excerpts


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


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
        vector = vectors_for(db_session, vector_key(embedder), [own.id]).get(own.id)
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
        model=vector_key(embedder),
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
        .where(IngestFailure.model == vector_key(embedder))
        .order_by(IngestFailure.created_at.desc())
    )
    pending = pending_count(db_session, vector_key(embedder))
    return IngestStatus(
        model=embedder.name,
        statements=total,
        pending=pending,
        last_error=failure.error if failure and pending else None,
    )
