"""Ingest: statements are split and embedded after the write, in batches, never lost."""

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from synth.cycles.models import SelfAssessment
from synth.themes.ingest import ingest, pending_count
from synth.themes.models import IngestFailure, SourceType, Statement, StatementEmbedding
from synth.themes.private import ENCODING, stale_keys, vector_key
from tests import factories as f
from tests.embedders import BrokenEmbedder, HashingEmbedder, minilm


def _seed(db: Session) -> f.Org:
    o = f.org(db)
    f.feedback(
        db,
        o.teammate,
        o.engineer,
        o.period,
        "Thorough code reviews on the ledger service. She caught two bugs before release.",
    )
    f.feedback(
        db,
        o.pm,
        o.engineer,
        o.period,
        "Release notes were always clear, but estimates slipped twice this half.",
    )
    db.add(
        SelfAssessment(period_id=o.period.id, person_id=o.engineer.id, text="I shipped retries.")
    )
    db.commit()
    return o


def test_ingest_splits_and_embeds_everything_pending(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    o = _seed(db)
    report = ingest(sessions, minilm())
    assert report.error is None and report.pending == 0
    statements = db.scalars(select(Statement).where(Statement.subject_id == o.engineer.id)).all()
    assert len(statements) == report.new_statements == 5
    assert {s.source_type for s in statements} == {
        SourceType.PEER_FEEDBACK,
        SourceType.SELF_ASSESSMENT,
    }
    rows = db.scalars(select(StatementEmbedding)).all()
    assert len(rows) == 5 and {(r.model, r.dim) for r in rows} == {
        (f"all-MiniLM-L6-v2@{ENCODING}", 384)
    }
    assert all(abs(float(np.linalg.norm(np.asarray(r.embedding))) - 1) < 1e-4 for r in rows)


def test_a_second_run_has_nothing_to_do(db: Session, sessions: sessionmaker[Session]) -> None:
    _seed(db)
    embedder = HashingEmbedder()
    ingest(sessions, embedder)
    calls = embedder.calls
    again = ingest(sessions, embedder)
    assert (again.new_statements, again.embedded, embedder.calls) == (0, 0, calls)


def test_a_failing_embedder_leaves_feedback_stored_and_queued(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    _seed(db)
    report = ingest(sessions, BrokenEmbedder())
    assert report.error == "provider unavailable (503)"
    assert report.pending == 5
    failure = db.scalars(select(IngestFailure)).one()
    assert failure.statements == 5 and "503" in failure.error
    recovered = ingest(sessions, HashingEmbedder(name="hashing-16"))
    assert recovered.embedded == 5 and recovered.pending == 0


def test_switching_models_re_embeds_without_mixing_spaces(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    _seed(db)
    ingest(sessions, HashingEmbedder(name="hash-a", dim=16))
    second = ingest(sessions, HashingEmbedder(name="hash-b", dim=8))
    assert second.embedded == 5
    dims = dict(
        db.execute(
            select(StatementEmbedding.model, func.max(StatementEmbedding.dim)).group_by(
                StatementEmbedding.model
            )
        ).all()
    )
    assert dims == {f"hash-a@{ENCODING}": 16, f"hash-b@{ENCODING}": 8}
    assert pending_count(db, f"hash-a@{ENCODING}") == pending_count(db, f"hash-b@{ENCODING}") == 0
    assert pending_count(db, f"hash-c@{ENCODING}") == 5


def test_vectors_of_an_older_encoding_are_re_embedded_once_and_dropped(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    """An install from before the neutral encoding stored vectors under the bare model name
    (made from raw text): they are never read, every statement embeds again, and they go."""
    _seed(db)
    embedder = HashingEmbedder(name="hash-a", dim=16)
    ingest(sessions, embedder)
    db.execute(update(StatementEmbedding).values(model="hash-a"))  # as stored before versions
    db.commit()
    assert pending_count(db, vector_key(embedder)) == 5
    report = ingest(sessions, embedder)
    assert (report.embedded, report.dropped, report.pending) == (5, 5, 0)
    keys = db.scalars(select(StatementEmbedding.model).distinct()).all()
    assert keys == [vector_key(embedder)]
    again = ingest(sessions, embedder)
    assert (again.embedded, again.dropped) == (0, 0)


def test_only_the_same_models_older_encodings_are_stale() -> None:
    embedder = HashingEmbedder(name="hash-a", dim=16)
    stored = ["hash-a", "hash-a@neutral-0", vector_key(embedder), "hash-ab", "hash-b@neutral-0"]
    assert stale_keys(embedder, stored) == ["hash-a", "hash-a@neutral-0"]


def test_statements_keep_links_and_offsets_to_their_feedback(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    o = _seed(db)
    ingest(sessions, HashingEmbedder())
    from synth.cycles.models import PeerFeedback

    for statement in db.scalars(select(Statement).where(Statement.feedback_id.is_not(None))):
        source = db.get(PeerFeedback, statement.feedback_id)
        assert source is not None and source.subject_id == o.engineer.id
        assert source.text[statement.start_offset : statement.end_offset] == statement.text
