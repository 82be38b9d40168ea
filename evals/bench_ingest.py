"""Ingest throughput: statements/s through split + embed + store in pgvector, against raw
`model.encode` on the same statements in the same process (the bar: ratio >= 0.85).

    python -m evals.bench_ingest [--rows N]
"""

import argparse
import csv
import sys
import time
from pathlib import Path

from sqlalchemy import insert

from evals.benchdb import scratch_engine, two_people_and_a_period
from synth.cycles.feedback import content_hash
from synth.cycles.models import PeerFeedback, Relationship
from synth.db.engine import session_factory, transaction
from synth.themes.embedders import LocalEmbedder
from synth.themes.ingest import ingest
from synth.themes.statements import split_statements

BANKING77 = Path(__file__).resolve().parents[2] / "shared" / "data" / "banking77" / "test.csv"


def load_texts(limit: int) -> list[str]:
    with BANKING77.open(encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    return texts[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=3080)
    args = parser.parse_args()
    texts = load_texts(args.rows)
    statements = [s.text for t in texts for s in split_statements(t)]
    embedder = LocalEmbedder()
    embedder.embed(["warm up the model"])  # loading is not throughput

    def raw_encode() -> float:
        start = time.perf_counter()
        embedder.embed(statements)
        return time.perf_counter() - start

    with scratch_engine() as engine:
        factory = session_factory(engine)
        with transaction(factory) as db:
            author, subject, period = two_people_and_a_period(db)
            db.execute(
                insert(PeerFeedback),
                [
                    {
                        "period_id": period.id,
                        "subject_id": subject.id,
                        "author_id": author.id,
                        "relationship": Relationship.PEER,
                        "text": text,
                        "content_hash": content_hash(f"{i}:{text}"),
                        "expectation_answers": [],
                    }
                    for i, text in enumerate(texts)
                ],
            )
        before = raw_encode()
        start = time.perf_counter()
        report = ingest(factory, embedder)
        through = time.perf_counter() - start
        after = raw_encode()
    baseline = (before + after) / 2
    assert report.embedded == len(statements), report
    raw_rate, path_rate = len(statements) / baseline, len(statements) / through
    ratio = path_rate / raw_rate
    print(f"{'':24}{'statements':>12}{'seconds':>10}{'stmts/s':>10}")
    print(f"{'raw model.encode':24}{len(statements):>12}{baseline:>10.2f}{raw_rate:>10.0f}")
    print(f"{'split+embed+store':24}{report.embedded:>12}{through:>10.2f}{path_rate:>10.0f}")
    print(f"ratio {ratio:.3f} (bar >= 0.85): {'PASS' if ratio >= 0.85 else 'FAIL'}")
    return 0 if ratio >= 0.85 else 1


if __name__ == "__main__":
    sys.exit(main())
