"""Similar-feedback search at scale: recall@10 of the HNSW index against exact search, with
p50/p99 query latency of both, at 100,000 stored MiniLM-like vectors (the bar: recall >= 0.95).

Vectors: real MiniLM embeddings of BANKING77 texts, each copied with noise into a cloud of
near-paraphrases (cosine ~0.8 to its source), so the neighbourhood structure is that of real
feedback rather than uniform noise. Exact search is a numpy scan over the same matrix.

    python -m evals.bench_search [--vectors N] [--queries Q]
"""

import argparse
import sys
import time
import uuid

import numpy as np
from sqlalchemy import true

from evals.bench_ingest import load_texts
from evals.benchdb import scratch_engine, two_people_and_a_period
from synth.cycles.feedback import content_hash
from synth.cycles.models import PeerFeedback, Relationship
from synth.db.engine import session_factory, transaction
from synth.themes.embedders import LOCAL_DIM, LOCAL_MODEL, LocalEmbedder, normalise
from synth.themes.models import SourceType
from synth.themes.store import nearest

NOISE = 0.045  # per-dimension sigma: cos(source, copy) ~ 0.8 at 384 dims


def synthetic_vectors(base: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    picks = rng.integers(0, len(base), size=count)
    return normalise(base[picks] + rng.normal(0, NOISE, size=(count, base.shape[1])))


def copy_rows(
    engine: object,
    vectors: np.ndarray,
    period_id: uuid.UUID,
    author: uuid.UUID,
    subject: uuid.UUID,
    feedback_id: uuid.UUID,
) -> list[uuid.UUID]:
    """Bulk-load statements and embeddings with COPY (the benchmark is about search)."""
    ids = [uuid.uuid4() for _ in range(len(vectors))]
    raw = engine.raw_connection()  # type: ignore[attr-defined]
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:
            with cur.copy(
                "COPY statements (id, source_type, feedback_id, period_id, subject_id, author_id,"
                " position, start_offset, end_offset, text) FROM STDIN"
            ) as copy:
                for i, sid in enumerate(ids):
                    copy.write_row(
                        (
                            sid,
                            SourceType.PEER_FEEDBACK.value,
                            feedback_id,
                            period_id,
                            subject,
                            author,
                            i,
                            0,
                            1,
                            f"s{i}",
                        )
                    )
            with cur.copy(
                "COPY statement_embeddings (statement_id, model, dim, embedding) FROM STDIN"
            ) as copy:
                for sid, vec in zip(ids, vectors, strict=True):
                    literal = "[" + ",".join(f"{x:.6f}" for x in vec) + "]"
                    copy.write_row((sid, LOCAL_MODEL, LOCAL_DIM, literal))
        conn.commit()
    finally:
        raw.close()
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vectors", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    print("embedding BANKING77 for the base vectors ...", flush=True)
    base = LocalEmbedder().embed(load_texts(3080))
    stored = synthetic_vectors(base, args.vectors, rng)
    queries = synthetic_vectors(base, args.queries, rng)
    with scratch_engine() as engine:
        factory = session_factory(engine)
        with transaction(factory) as db:
            author, subject, period = two_people_and_a_period(db)
            holder = PeerFeedback(
                period_id=period.id,
                subject_id=subject.id,
                author_id=author.id,
                relationship=Relationship.PEER,
                text="bulk",
                content_hash=content_hash("bulk"),
            )
            db.add(holder)
            db.flush()
            keys = (period.id, author.id, subject.id, holder.id)
        start = time.perf_counter()
        ids = copy_rows(engine, stored, *keys)
        load_s = time.perf_counter() - start
        # The migration's HNSW index is maintained during COPY: report the whole load time.
        index_of = {sid: i for i, sid in enumerate(ids)}
        hnsw_ms: list[float] = []
        exact_ms: list[float] = []
        recalls: list[float] = []
        for q in queries:
            t0 = time.perf_counter()
            truth = np.argsort(-(stored @ q), kind="stable")[:10]
            exact_ms.append((time.perf_counter() - t0) * 1000)
            with transaction(factory) as db:
                t0 = time.perf_counter()
                hits = nearest(
                    db, model=LOCAL_MODEL, dim=LOCAL_DIM, query=q, visible=true(), limit=10
                )
                hnsw_ms.append((time.perf_counter() - t0) * 1000)
            found = {index_of[s.id] for s, _ in hits}
            recalls.append(len(found & set(truth.tolist())) / 10)
    recall = float(np.mean(recalls))
    print(f"stored {args.vectors} vectors (COPY + HNSW maintenance) in {load_s:.1f} s")
    print(f"{'':22}{'recall@10':>10}{'p50 ms':>9}{'p99 ms':>9}")
    print(
        f"{'pgvector HNSW':22}{recall:>10.3f}{np.percentile(hnsw_ms, 50):>9.2f}"
        f"{np.percentile(hnsw_ms, 99):>9.2f}"
    )
    print(
        f"{'exact (numpy scan)':22}{1.0:>10.3f}{np.percentile(exact_ms, 50):>9.2f}"
        f"{np.percentile(exact_ms, 99):>9.2f}"
    )
    print(f"recall@10 {recall:.3f} (bar >= 0.95): {'PASS' if recall >= 0.95 else 'FAIL'}")
    return 0 if recall >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
