"""Ingest: split feedback and self-assessments into statements, then embed them in batches.

Runs after the write has committed (a worker, the API's background loop, or
`synth themes embed`), so a submission never waits for or fails because of the model.
Each batch is its own transaction and claims rows with SKIP LOCKED, so any number of
workers can share the work; a failing embedder leaves the statements pending for the next
run and records why.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from synth.cycles.models import PeerFeedback, SelfAssessment
from synth.db.engine import transaction
from synth.themes.embedders import Embedder, EmbeddingFailed
from synth.themes.models import IngestFailure, SourceType, Statement, StatementEmbedding
from synth.themes.private import embed_private
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
    error: str | None = None


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


def pending_count(db_session: Session, model: str) -> int:
    """Statements not yet embedded under `model`."""
    return (
        db_session.scalar(
            select(func.count()).select_from(Statement).where(_unembedded(model))  # type: ignore[arg-type]
        )
        or 0
    )


def embed_batch(db_session: Session, embedder: Embedder, *, batch_size: int) -> int:
    """Claim up to `batch_size` unembedded statements, embed and store them; returns how many."""
    claimed = db_session.execute(
        select(Statement.id, Statement.text)
        .where(_unembedded(embedder.name))  # type: ignore[arg-type]
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
            {"statement_id": row.id, "model": embedder.name, "dim": embedder.dim, "embedding": vec}
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
        ensure_index(db, embedder.name, embedder.dim)
        total = pending_count(db, embedder.name)
    if progress:
        progress(0, total)
    while True:
        try:
            with transaction(factory) as db:
                done = embed_batch(db, embedder, batch_size=batch_size)
        except EmbeddingFailed as exc:
            report.error = exc.message
            log.warning("embedding failed; statements stay pending: %s", exc.message)
            with transaction(factory) as db:
                remaining = pending_count(db, embedder.name)
                db.add(IngestFailure(model=embedder.name, statements=remaining, error=exc.message))
            report.pending = remaining
            return report
        if not done:
            break
        report.embedded += done
        if progress:
            progress(report.embedded, total)
    with transaction(factory) as db:
        report.pending = pending_count(db, embedder.name)
    return report
