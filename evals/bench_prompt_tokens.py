"""Prompt budget: input tokens of a synthesis prompt at 10, 50 and 200 pieces of feedback
about one engineer. The bar: from 10 to 200 items the prompt grows at most 2x, while every
theme backed by 2+ reviewers is still in the prompt and cited by the draft.

Feedback: the first N of 200 items about one senior engineer from 60 reviewers
(evals/data/one_engineer_feedback.jsonl, shuffled with a fixed seed: ten recurring themes and
some one-off remarks, as a busy engineer's half-year looks). The prompt is what the LLM
drafter sends (system prompt + the untrusted-data message), counted with litellm's offline
tokenizer for gpt-4o-mini.

    python -m evals.bench_prompt_tokens
"""

import json
import os
import random
import sys
from pathlib import Path

from sqlalchemy import insert

from evals.benchdb import engineer, scratch_engine, two_people_and_a_period
from synth.cycles.feedback import content_hash
from synth.cycles.models import PeerFeedback, Relationship
from synth.db.engine import session_factory, transaction
from synth.drafting import gather
from synth.drafting.gate import coverage
from synth.drafting.llm import prompts
from synth.drafting.llm.drafter import render_data
from synth.drafting.offline import OfflineDrafter
from synth.people.models import Person
from synth.themes.embedders import LocalEmbedder
from synth.themes.ingest import ingest

FEEDBACK = Path(__file__).resolve().parent / "data" / "one_engineer_feedback.jsonl"
SIZES = (10, 50, 200)


def items() -> list[dict[str, str]]:
    """The 200 items in a fixed shuffled order (the file is grouped by reviewer)."""
    with FEEDBACK.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    random.Random(77).shuffle(rows)
    return rows


def main() -> int:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    pool = items()
    handles = sorted({i["reviewer"] for i in pool}, key=lambda h: int(h[1:]))
    embedder = LocalEmbedder()
    drafter = OfflineDrafter()
    system = prompts.load("synthesis").text
    rows = []
    shares: list[tuple[int, int]] = []
    with scratch_engine() as engine:
        factory = session_factory(engine)
        with transaction(factory) as db:
            _, _, period = two_people_and_a_period(db)
            reviewers = [engineer(f"r{i}@bench.test", f"Reviewer {i}") for i in range(len(handles))]
            by_handle = dict(zip(handles, reviewers, strict=True))
            subjects = {n: engineer(f"s{n}@bench.test", f"Subject {n}", "senior") for n in SIZES}
            db.add_all([*reviewers, *subjects.values()])
            db.flush()
            for n, subject in subjects.items():
                db.execute(
                    insert(PeerFeedback),
                    [
                        {
                            "period_id": period.id,
                            "subject_id": subject.id,
                            "author_id": by_handle[pool[i]["reviewer"]].id,
                            "relationship": Relationship(pool[i]["relationship"]),
                            "text": pool[i]["text"],
                            "content_hash": content_hash(f"{n}:{i}"),
                            "expectation_answers": [],
                        }
                        for i in range(n)
                    ],
                )
            period_id = period.id
            subject_ids = {n: s.id for n, s in subjects.items()}
        ingest(factory, embedder)
        for n in SIZES:
            with transaction(factory) as db:
                person = db.get(Person, subject_ids[n])
                period_row = db.get(type(period), period_id)
                assert person is not None and period_row is not None
                inputs = gather.synthesis_inputs(db, person, period_row, embedder)
            messages = [
                {"role": "system", "content": system},
                {"role": "user", "content": render_data(inputs)},
            ]
            tokens = litellm.token_counter(model="gpt-4o-mini", messages=messages)
            draft = coverage.complete(drafter.synthesis(inputs).output, inputs)
            cited = coverage.cited_sources(draft)
            backed = [t for t in inputs.themes if t.reviewers >= 2]
            covered = [t for t in backed if set(t.source_ids) & cited]
            themed = sum(t.statement_count for t in inputs.themes)
            rows.append((n, len(inputs.themes), len(backed), len(covered), int(tokens)))
            shares.append((themed, len(inputs.feedback)))
    base = rows[0][4]
    header = f"{'feedback':>9}{'themes':>8}{'2+ reviewers':>14}{'cited':>7}{'tokens':>9}"
    print(header + f"{'x 10':>7}{'themed statements':>19}")
    for (n, n_themes, n_backed, n_covered, n_tokens), (themed, _) in zip(rows, shares, strict=True):
        print(
            f"{n:>9}{n_themes:>8}{n_backed:>14}{n_covered:>7}{n_tokens:>9}"
            f"{n_tokens / base:>7.2f}{themed:>19}"
        )
    growth = rows[-1][4] / base
    all_cited = all(row[2] == row[3] for row in rows)
    ok = growth <= 2.0 and all_cited
    print(
        f"growth 10 -> 200: {growth:.2f}x (bar <= 2x); every 2+-reviewer theme cited: "
        f"{all_cited}: {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
