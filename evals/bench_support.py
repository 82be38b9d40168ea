"""Claim support by meaning: does MiniLM similarity tell supported claims from unsupported ones?

`synth.drafting.gate.review` warns on a claim whose best cited quote has a cosine similarity below
`SUPPORT_THRESHOLD` to the claim (packaged all-MiniLM-L6-v2, unit vectors). This measures that
score, computed the same way (the best quote a claim cites), on two kinds of data:

- demo drafts: the demo runs into a throwaway data dir and every synthesis claim is scored
  against its own quotes (supported), against the quotes of a seeded random claim from another
  engineer's draft (demo easy) and from another theme section of the same engineer's draft
  (demo hard). The offline drafter writes claims around the quotes themselves, so its
  positives are easier than an LLM's paraphrases;
- hand pairs (evals/data/support_pairs.jsonl): claims written like an LLM-drafted synthesis
  against peer-feedback quotes, labelled paraphrase (supported), unrelated, same_topic_wrong
  (same area, a different claim) and contradiction. Written before any score was looked at.

Per set: mean similarity of supported and unsupported pairs, ROC AUC, and at a threshold the
share of supported pairs passing (recall) and of unsupported pairs passing (false accepts).
The recommended threshold maximises balanced accuracy on the hand pairs without
contradictions (similarity cannot see negation, so they are reported, not fitted).

    python -m evals.bench_support
"""

import json
import os
import random
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt
from rich.console import Console
from sklearn.metrics import roc_auc_score
from sqlalchemy import select
from sqlalchemy.orm import Session

from synth.config import get_settings
from synth.db.engine import database_url, make_engine
from synth.db.server import stop_embedded
from synth.drafting.gate.review import SUPPORT_THRESHOLD
from synth.drafting.models import Draft, DraftKind
from synth.drafting.outputs import Synthesis
from synth.people.models import Person
from synth.themes.embedders import LocalEmbedder

DATA = Path(__file__).resolve().parent / "data" / "support_pairs.jsonl"
KINDS = ("paraphrase", "unrelated", "same_topic_wrong", "contradiction")
NEGATIVE_SEED = 20240917
FOLD_SEED = 11
FOLDS = 5
SWEEP = (0.05, 0.075, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.50)

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Pair:
    """A claim, the quotes it cites, and whether they support it."""

    claim: str
    quotes: tuple[str, ...]
    supported: bool
    kind: str


@dataclass(frozen=True)
class DemoClaim:
    engineer: str
    section: int  # position of its theme section in the draft (strengths, then growth areas)
    text: str
    quotes: tuple[str, ...]


# --- data ----------------------------------------------------------------------------------


def load_pairs(path: Path = DATA) -> list[Pair]:
    """The hand-written pairs, one citation each."""
    pairs = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                pairs.append(Pair(row["claim"], (row["quote"],), row["supported"], row["kind"]))
    assert all(p.kind in KINDS for p in pairs), "unknown kind"
    assert all(p.supported is (p.kind == "paraphrase") for p in pairs), "kind and label disagree"
    return pairs


def demo_claims() -> list[DemoClaim]:
    """Every claim of every synthesis draft the demo writes, in a stable order."""
    from synth.demo.runner import DEMO_DATABASE, run_demo

    with tempfile.TemporaryDirectory(prefix="synth-bench-") as tmp:
        # The demo drops and recreates its database: never let it reach a configured server.
        os.environ.pop("SYNTH_DATABASE_URL", None)
        os.environ["SYNTH_DATA_DIR"] = tmp
        get_settings.cache_clear()
        try:
            run_demo(out=Path(tmp) / "out", console=Console(quiet=True))
            engine = make_engine(database_url(DEMO_DATABASE))
            try:
                with Session(engine) as db:
                    rows = db.execute(
                        select(Person.email, Draft.output)
                        .join(Person, Person.id == Draft.subject_id)
                        .where(Draft.kind == DraftKind.SYNTHESIS, Draft.output.is_not(None))
                        .order_by(Person.email, Draft.created_at)
                    ).all()
            finally:
                engine.dispose()
        finally:
            stop_embedded()
    found = []
    for email, output in rows:
        synthesis = Synthesis.model_validate(output)
        for section, theme in enumerate(synthesis.strengths + synthesis.growth_areas):
            for claim in theme.claims:
                quotes = tuple(c.quote for c in claim.citations)
                found.append(DemoClaim(email, section, claim.text, quotes))
    return found


def demo_pairs(claims: Sequence[DemoClaim]) -> tuple[list[Pair], list[Pair], list[Pair]]:
    """(supported, other engineer's quotes, same engineer's other-section quotes)."""
    rng = random.Random(NEGATIVE_SEED)
    own = [Pair(c.text, c.quotes, True, "own quotes") for c in claims]
    easy, hard = [], []
    for claim in claims:
        others = [o for o in claims if o.engineer != claim.engineer]
        easy.append(Pair(claim.text, rng.choice(others).quotes, False, "other engineer"))
        # A quote can sit in two sections of one draft; such a pairing is not a negative.
        siblings = [
            o
            for o in claims
            if o.engineer == claim.engineer
            and o.section != claim.section
            and not set(o.quotes) & set(claim.quotes)
        ]
        if siblings:
            hard.append(Pair(claim.text, rng.choice(siblings).quotes, False, "other section"))
    return own, easy, hard


# --- scoring -------------------------------------------------------------------------------


def support_scores(pairs: Sequence[Pair], embedder: LocalEmbedder) -> list[float]:
    """The guard's score: cosine between the claim and the best quote it cites."""
    texts = sorted({p.claim for p in pairs} | {q for p in pairs for q in p.quotes})
    vectors = dict(zip(texts, embedder.embed(texts), strict=True))
    scores = []
    for pair in pairs:
        quotes: Vector = np.stack([vectors[q] for q in pair.quotes])
        scores.append(float((quotes @ vectors[pair.claim]).max()))
    return scores


@dataclass(frozen=True)
class Scored:
    """The scores of one set, split by label."""

    name: str
    supported: list[float]
    unsupported: list[float]

    def recall(self, threshold: float) -> float:
        return sum(s >= threshold for s in self.supported) / len(self.supported)

    def false_accepts(self, threshold: float) -> float:
        return sum(s >= threshold for s in self.unsupported) / len(self.unsupported)

    def balanced_accuracy(self, threshold: float) -> float:
        return (self.recall(threshold) + 1 - self.false_accepts(threshold)) / 2

    def auc(self) -> float:
        labels = [1] * len(self.supported) + [0] * len(self.unsupported)
        return float(roc_auc_score(labels, self.supported + self.unsupported))


def best_threshold(supported: Sequence[float], unsupported: Sequence[float]) -> float:
    """The cut between two adjacent scores that maximises balanced accuracy; among equal
    cuts, the one in the widest gap (the most margin on both sides)."""
    scores = sorted(set(supported) | set(unsupported))
    cuts = [(a + b) / 2 for a, b in pairwise(scores)]
    gaps = [b - a for a, b in pairwise(scores)]
    scored = Scored("", list(supported), list(unsupported))
    best = max(
        range(len(cuts)), key=lambda i: (round(scored.balanced_accuracy(cuts[i]), 9), gaps[i])
    )
    return cuts[best]


def cross_validated(pairs: Sequence[Pair], scores: Sequence[float]) -> tuple[float, list[float]]:
    """Balanced accuracy of `best_threshold` on held-out folds (stratified, seeded), and the
    threshold each fold chose: how much of the fit is fitting this particular sample."""
    rng = random.Random(FOLD_SEED)
    folds: list[list[int]] = [[] for _ in range(FOLDS)]
    for label in (True, False):
        indices = [i for i, p in enumerate(pairs) if p.supported is label]
        rng.shuffle(indices)
        for n, i in enumerate(indices):
            folds[n % FOLDS].append(i)
    accuracies, chosen = [], []
    for fold in folds:
        held = set(fold)
        train = [i for i in range(len(pairs)) if i not in held]
        threshold = best_threshold(
            [scores[i] for i in train if pairs[i].supported],
            [scores[i] for i in train if not pairs[i].supported],
        )
        test = Scored(
            "",
            [scores[i] for i in fold if pairs[i].supported],
            [scores[i] for i in fold if not pairs[i].supported],
        )
        accuracies.append(test.balanced_accuracy(threshold))
        chosen.append(threshold)
    return sum(accuracies) / len(accuracies), chosen


# --- report --------------------------------------------------------------------------------

WIDTH = 38


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def print_separation(sets: Sequence[Scored], threshold: float) -> None:
    at = f"@{threshold:.2f}"
    print(
        f"{'set':<{WIDTH}}{'n+':>5}{'n-':>5}{'mean+':>8}{'mean-':>8}{'AUC':>7}"
        f"{'recall' + at:>13}{'false-acc' + at:>16}"
    )
    for s in sets:
        print(
            f"{s.name:<{WIDTH}}{len(s.supported):>5}{len(s.unsupported):>5}"
            f"{_mean(s.supported):>8.3f}{_mean(s.unsupported):>8.3f}{s.auc():>7.3f}"
            f"{s.recall(threshold):>13.3f}{s.false_accepts(threshold):>16.3f}"
        )


def print_at(sets: Sequence[Scored], thresholds: Sequence[float]) -> None:
    heads = "".join(f"{f'recall@{t:.3f}':>15}{f'false-acc@{t:.3f}':>18}" for t in thresholds)
    print(f"{'set':<{WIDTH}}{heads}")
    for s in sets:
        cells = "".join(f"{s.recall(t):>15.3f}{s.false_accepts(t):>18.3f}" for t in thresholds)
        print(f"{s.name:<{WIDTH}}{cells}")


def print_sweep(rows: Sequence[tuple[str, Sequence[float]]]) -> None:
    """Share of each row's pairs at or above each threshold."""
    print(f"{'share passing, threshold':<{WIDTH}}" + "".join(f"{t:>7.3f}" for t in SWEEP))
    for name, scores in rows:
        shares = (sum(s >= t for s in scores) / len(scores) for t in SWEEP)
        print(f"{name:<{WIDTH}}" + "".join(f"{share:>7.2f}" for share in shares))


def main() -> int:
    hand = load_pairs()
    claims = demo_claims()
    own, easy, hard = demo_pairs(claims)
    embedder = LocalEmbedder()
    own_scores = support_scores(own, embedder)
    easy_scores = support_scores(easy, embedder)
    hard_scores = support_scores(hard, embedder)
    hand_scored = list(zip(hand, support_scores(hand, embedder), strict=True))
    by_kind = {k: [s for p, s in hand_scored if p.kind == k] for k in KINDS}

    def hand_set(name: str, negatives: Sequence[str]) -> Scored:
        return Scored(name, by_kind["paraphrase"], [s for k in negatives for s in by_kind[k]])

    fitted_on = hand_set("hand, without contradictions", KINDS[1:3])
    sets = [
        Scored("demo easy (other engineer's quotes)", own_scores, easy_scores),
        Scored("demo hard (same engineer, other theme)", own_scores, hard_scores),
        hand_set("hand, all", KINDS[1:]),
        fitted_on,
        *(hand_set(f"hand: paraphrase vs {k}", (k,)) for k in KINDS[1:]),
    ]
    drafts = len({c.engineer for c in claims})
    print(
        f"demo: {len(claims)} claims in {drafts} synthesis drafts; hand pairs: {len(hand)} "
        f"({', '.join(f'{k} {len(v)}' for k, v in by_kind.items())})"
    )
    print(f"\n== separation, and the current SUPPORT_THRESHOLD ({SUPPORT_THRESHOLD})")
    print_separation(sets, SUPPORT_THRESHOLD)

    best = best_threshold(fitted_on.supported, fitted_on.unsupported)
    kept = [(p, s) for p, s in hand_scored if p.kind != "contradiction"]
    cv, chosen = cross_validated([p for p, _ in kept], [s for _, s in kept])
    print(
        f"\n== best threshold on hand pairs without contradictions: {best:.3f} "
        f"(balanced accuracy {fitted_on.balanced_accuracy(best):.3f}; "
        f"at {SUPPORT_THRESHOLD}: {fitted_on.balanced_accuracy(SUPPORT_THRESHOLD):.3f})"
    )
    print(
        f"{FOLDS}-fold cross-validated balanced accuracy of choosing it this way: {cv:.3f} "
        f"(fold thresholds {min(chosen):.3f}-{max(chosen):.3f})"
    )
    print_at(sets, [SUPPORT_THRESHOLD, best])

    print("\n== sweep")
    print_sweep(
        [
            ("supported: demo own quotes", own_scores),
            ("supported: hand paraphrase", by_kind["paraphrase"]),
            ("unsupported: demo other engineer", easy_scores),
            ("unsupported: demo same engineer", hard_scores),
            *((f"unsupported: hand {k}", by_kind[k]) for k in KINDS[1:]),
        ]
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
