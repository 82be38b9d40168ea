"""Ingest: split feedback and self-assessments into statements, then embed them in batches.

Runs after the write has committed (a worker, the API's background loop, or
`synth themes embed`), so a submission never waits for or fails because of the model.
Each batch is its own transaction and claims rows with SKIP LOCKED, so any number of
workers can share the work; a failing embedder leaves the statements pending for the next
run and records why (any exception, not only the embedder's own). A batch that fails is
split in halves until the statement that makes it fail is alone: that one is left pending
(and reported) while everything else is embedded, so one bad statement cannot stall the
queue.
"""

import logging
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, delete, exists, func, insert, select, true
from sqlalchemy.orm import Session, sessionmaker

from synth.cycles.models import PeerFeedback, SelfAssessment
from synth.db.engine import transaction
from synth.themes.embedders import Embedder, EmbeddingFailed
from synth.themes.models import IngestFailure, SourceType, Statement, StatementEmbedding
from synth.themes.private import embed_private, stale_keys, vector_key
from synth.themes.statements import split_statements
from synth.themes.store import ensure_index

log = logging.getLogger("synth.ingest")
Progress = Callable[[int, int], None]


@dataclass
class IngestReport:
    """What one ingest run did."""

    new_statements: int = 0
    embedded: int = 0
    pending: int = 0
    dropped: int = 0  # vectors of an older text encoding, deleted
    error: str | None = None
    skipped: list[uuid.UUID] = field(default_factory=list)  # statements that fail on their own


def split_pending(db_session: Session, *, limit: int = 1_000) -> int:
    """Create statements for feedback and self-assessments that have none; returns how many."""
    feedback = db_session.scalars(
        select(PeerFeedback)
        .where(~exists().where(Statement.feedback_id == PeerFeedback.id))
        .order_by(PeerFeedback.created_at, PeerFeedback.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    assessments = db_session.scalars(
        select(SelfAssessment)
        .where(~exists().where(Statement.self_assessment_id == SelfAssessment.id))
        .order_by(SelfAssessment.created_at, SelfAssessment.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sources: list[tuple[SourceType, PeerFeedback | SelfAssessment]] = [
        *((SourceType.PEER_FEEDBACK, fb) for fb in feedback),
        *((SourceType.SELF_ASSESSMENT, sa) for sa in assessments),
    ]
    made = 0
    for kind, source in sources:
        is_feedback = isinstance(source, PeerFeedback)
        subject = source.subject_id if isinstance(source, PeerFeedback) else source.person_id
        author = source.author_id if isinstance(source, PeerFeedback) else source.person_id
        for position, span in enumerate(split_statements(source.text)):
            db_session.add(
                Statement(
                    source_type=kind,
                    feedback_id=source.id if is_feedback else None,
                    self_assessment_id=None if is_feedback else source.id,
                    period_id=source.period_id,
                    subject_id=subject,
                    author_id=author,
                    position=position,
                    start_offset=span.start,
                    end_offset=span.end,
                    text=span.text,
                )
            )
            made += 1
    db_session.flush()
    return made


def _unembedded(model: str) -> object:
    return ~exists().where(
        StatementEmbedding.statement_id == Statement.id, StatementEmbedding.model == model
    )


def drop_stale(db_session: Session, embedder: Embedder) -> int:
    """Delete this model's vectors of an older text encoding; returns how many. They are never
    read (every query filters on today's key), so they only cost space."""
    stored = db_session.scalars(select(StatementEmbedding.model).distinct()).all()
    stale = stale_keys(embedder, stored)
    if not stale:
        return 0
    result = db_session.execute(
        delete(StatementEmbedding).where(StatementEmbedding.model.in_(stale))
    )
    deleted = int(cast("CursorResult[Any]", result).rowcount)
    log.info("dropped %d vectors of an older encoding (%s)", deleted, ", ".join(stale))
    return deleted


def pending_count(db_session: Session, model: str) -> int:
    """Statements not yet embedded under `model`."""
    return (
        db_session.scalar(
            select(func.count()).select_from(Statement).where(_unembedded(model))  # type: ignore[arg-type]
        )
        or 0
    )


def embed_batch(
    db_session: Session,
    embedder: Embedder,
    *,
    batch_size: int,
    skip: Collection[uuid.UUID] = (),
    only: uuid.UUID | None = None,
) -> int:
    """Claim up to `batch_size` unembedded statements (none of `skip`; just `only` when
    given), embed and store them; returns how many."""
    claimed = db_session.execute(
        select(Statement.id, Statement.text)
        .where(_unembedded(vector_key(embedder)))  # type: ignore[arg-type]
        .where(Statement.id.not_in(list(skip)) if skip else true())
        .where(Statement.id == only if only is not None else true())
        .order_by(Statement.created_at, Statement.id)
        .limit(batch_size)
        .with_for_update(of=Statement, skip_locked=True)
    ).all()
    if not claimed:
        return 0
    vectors = embed_private(db_session, embedder, [row.text for row in claimed])
    db_session.execute(
        insert(StatementEmbedding),
        [
            {
                "statement_id": row.id,
                "model": vector_key(embedder),
                "dim": embedder.dim,
                "embedding": vec,
            }
            for row, vec in zip(claimed, vectors, strict=True)
        ],
    )
    return len(claimed)


def ingest(
    factory: sessionmaker[Session],
    embedder: Embedder,
    *,
    batch_size: int = 256,
    progress: Progress | None = None,
) -> IngestReport:
    """Split and embed everything pending under `embedder`; safe to run in many processes."""
    report = IngestReport()
    while True:
        with transaction(factory) as db:
            made = split_pending(db)
        report.new_statements += made
        if not made:
            break
    with transaction(factory) as db:
        report.dropped = drop_stale(db, embedder)
        ensure_index(db, vector_key(embedder), embedder.dim)
        total = pending_count(db, vector_key(embedder))
    if progress:
        progress(0, total)
    while True:
        try:
            with transaction(factory) as db:
                done = embed_batch(db, embedder, batch_size=batch_size, skip=report.skipped)
        except Exception as exc:  # whatever it is, it is recorded and nothing is lost
            message = (
                exc.message if isinstance(exc, EmbeddingFailed) else f"{type(exc).__name__}: {exc}"
            )
            skipped = len(report.skipped)
            if _isolate(factory, embedder, batch_size, report):  # the embedder still works
                if len(report.skipped) > skipped:
                    log.warning("a statement that fails to embed is left pending: %s", message)
                    _record(factory, embedder, report, message)
                continue
            report.error = message
            log.warning("embedding failed; statements stay pending: %s", message)
            _record(factory, embedder, report, message)
            return report
        if not done:
            break
        report.embedded += done
        if progress:
            progress(report.embedded, total)
    with transaction(factory) as db:
        report.pending = pending_count(db, vector_key(embedder))
    return report


def _record(
    factory: sessionmaker[Session], embedder: Embedder, report: IngestReport, message: str
) -> None:
    with transaction(factory) as db:
        remaining = pending_count(db, vector_key(embedder))
        db.add(
            IngestFailure(model=vector_key(embedder), statements=remaining, error=message[:2000])
        )
    report.pending = remaining


def _isolate(
    factory: sessionmaker[Session], embedder: Embedder, batch_size: int, report: IngestReport
) -> bool:
    """After a batch failed: embed the next two statements one at a time. The first failing
    alone while the second goes through is a bad statement: it is set aside
    (`report.skipped`). Both failing means the embedder itself is failing, and nothing is set
    aside. True when anything moved."""
    with transaction(factory) as db:
        ids = db.scalars(
            select(Statement.id)
            .where(_unembedded(vector_key(embedder)))  # type: ignore[arg-type]
            .where(Statement.id.not_in(list(report.skipped)) if report.skipped else true())
            .order_by(Statement.created_at, Statement.id)
            .limit(2)
        ).all()
    outcomes = [_embed_one(factory, embedder, i) for i in ids]
    report.embedded += sum(outcomes)
    if len(outcomes) == 2 and not outcomes[0] and outcomes[1]:
        report.skipped.append(ids[0])
    return any(outcomes)


def _embed_one(factory: sessionmaker[Session], embedder: Embedder, statement_id: uuid.UUID) -> bool:
    try:
        with transaction(factory) as db:
            return embed_batch(db, embedder, batch_size=1, only=statement_id) == 1
    except Exception:
        return False
