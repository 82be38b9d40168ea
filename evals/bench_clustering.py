"""Theme clustering quality and speed on BANKING77 (3,080 texts, 77 intents): synth against
BERTopic (defaults: UMAP + HDBSCAN, fed the same embeddings) and KMeans told k=77.

The bar: synth's V-measure beats BERTopic's, at most 5% of texts unthemed, and clustering at
least 10x faster than BERTopic's UMAP + HDBSCAN in the same run. Then one engineer's period:
200 seeded draws of 20-40 texts from 3-8 intents (BERTopic attempted on the first 20), and a
50,000-row run for time and memory. Exits 1 when a requirement fails.

Embeddings come from the packaged all-MiniLM-L6-v2 (synth's LocalEmbedder) and are cached
per CSV content under the user cache dir. Unthemed rows / BERTopic outliers (-1) count as one
cluster in V-measure, NMI and ARI. Each method is warmed up once on 300 rows (imports, numba
compilation, thread pools), then timed as the median of 3 runs; BERTopic's time is that of its
UMAP + HDBSCAN steps (its fit_transform total, with topic representations, is printed below).

    python -m evals.bench_clustering [--quick] [--draws N] [--bertopic-draws N] [--data CSV]
"""

import argparse
import csv
import hashlib
import os
import time
import tracemalloc
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from platformdirs import user_cache_dir
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    normalized_mutual_info_score,
    v_measure_score,
)

from synth.themes.cluster import cluster_embeddings
from synth.themes.embedders import LOCAL_MODEL, LocalEmbedder

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # bertopic may import litellm

BANKING77 = Path(__file__).resolve().parents[2] / "shared" / "data" / "banking77" / "test.csv"
WARM_UP_ROWS = 300
SEED = 42

Labels = npt.NDArray[np.int64]
Vectors = npt.NDArray[np.float32]
Method = Callable[[list[str], Vectors], Labels]


@dataclass
class Score:
    """One method's result on one labelled set."""

    v: float
    nmi: float
    ari: float
    themes: int
    unthemed: float
    seconds: float


def score(truth: Labels, found: Labels, seconds: float) -> Score:
    return Score(
        v=float(v_measure_score(truth, found)),
        nmi=float(normalized_mutual_info_score(truth, found)),
        ari=float(adjusted_rand_score(truth, found)),
        themes=len(set(found[found >= 0].tolist())),
        unthemed=float(np.mean(found < 0)),
        seconds=seconds,
    )


# --- data ------------------------------------------------------------------------------------


def load_banking77(path: Path) -> tuple[list[str], Labels, list[str]]:
    """Texts, intent ids (in order of first appearance) and intent names."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = list(dict.fromkeys(row["category"] for row in rows))
    index = {name: i for i, name in enumerate(names)}
    labels = np.array([index[row["category"]] for row in rows], dtype=np.int64)
    return [row["text"] for row in rows], labels, names


def embeddings_for(path: Path, texts: list[str], *, cache: bool) -> Vectors:
    """MiniLM embeddings of `texts`, cached by the CSV's content hash."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    cached = Path(user_cache_dir("synth")) / "evals" / f"{path.stem}-{digest}-{LOCAL_MODEL}.npy"
    if cache and cached.exists():
        vectors: Vectors = np.load(cached)
        if vectors.shape[0] == len(texts):
            print(f"embeddings: cached {cached}")
            return vectors
    started = time.perf_counter()
    vectors = LocalEmbedder().embed(texts)
    seconds = time.perf_counter() - started
    print(f"embeddings: {len(texts)} texts with {LOCAL_MODEL} in {seconds:.1f} s")
    if cache:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.save(cached, vectors)
    return vectors


def small_draws(labels: Labels, count: int, seed: int) -> list[Labels]:
    """Row sets like one engineer's period: 3-8 intents, then 20-40 texts among them."""
    rng = np.random.default_rng(seed)
    intents = np.unique(labels)
    rows_of = {int(intent): np.flatnonzero(labels == intent) for intent in intents}
    draws = []
    for _ in range(count):
        chosen = rng.choice(intents, size=int(rng.integers(3, 9)), replace=False)
        pool = np.concatenate([rows_of[int(intent)] for intent in chosen])
        size = int(rng.integers(20, 41))
        draws.append(np.sort(rng.choice(pool, size=size, replace=False)).astype(np.int64))
    return draws


# --- methods ---------------------------------------------------------------------------------


def synth_method(texts: list[str], vectors: Vectors) -> Labels:
    return cluster_embeddings(vectors).labels


def kmeans_method(k: int) -> Method:
    def run(texts: list[str], vectors: Vectors) -> Labels:
        model = KMeans(n_clusters=k, n_init=10, random_state=SEED)
        found: Labels = model.fit_predict(vectors).astype(np.int64)
        return found

    return run


class BERTopicRun:
    """BERTopic with its defaults (UMAP random_state fixed), timing UMAP + HDBSCAN inside it."""

    def __init__(self) -> None:
        self.core: list[float] = []
        """UMAP + HDBSCAN seconds of each full-size run."""

    def __call__(self, texts: list[str], vectors: Vectors) -> Labels:
        from bertopic import BERTopic
        from umap import UMAP

        # BERTopic's own default UMAP, with only random_state added.
        umap_model = UMAP(
            n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=SEED
        )
        model = BERTopic(umap_model=umap_model)
        spent = [0.0]
        for name in ("_reduce_dimensionality", "_cluster_embeddings"):
            setattr(model, name, self._timed(getattr(model, name), spent))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            topics, _ = model.fit_transform(texts, vectors)
        if len(texts) > WARM_UP_ROWS:
            self.core.append(spent[0])
        return np.asarray(topics, dtype=np.int64)

    @staticmethod
    def _timed(step: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return step(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        return run


def timed(method: Method, texts: list[str], vectors: Vectors, runs: int) -> tuple[Labels, float]:
    """Labels of the first timed run and the median time of `runs`, after one warm-up."""
    method(texts[:WARM_UP_ROWS], vectors[:WARM_UP_ROWS])
    labels: list[Labels] = []
    seconds: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        labels.append(method(texts, vectors))
        seconds.append(time.perf_counter() - started)
    return labels[0], float(np.median(seconds))


# --- sections --------------------------------------------------------------------------------


def full_set(
    texts: list[str], truth: Labels, vectors: Vectors, *, quick: bool, runs: int
) -> tuple[dict[str, Score], bool]:
    """The main table; also whether a second synth run gave identical labels."""
    results: dict[str, Score] = {}
    found, seconds = timed(synth_method, texts, vectors, runs)
    results["synth"] = score(truth, found, seconds)
    deterministic = bool(np.array_equal(found, cluster_embeddings(vectors.copy()).labels))
    total = None
    if not quick:
        bertopic = BERTopicRun()
        found, total = timed(bertopic, texts, vectors, runs)
        results["BERTopic"] = score(truth, found, float(np.median(bertopic.core)))
    k = len(np.unique(truth))
    found, seconds = timed(kmeans_method(k), texts, vectors, runs)
    results[f"KMeans k={k}"] = score(truth, found, seconds)

    reference = results.get("BERTopic")
    print(f"\n## BANKING77 test: {len(texts)} texts, {k} intents\n")
    print(
        "| method | V-measure | NMI | ARI | themes | unthemed | time (s) | BERTopic's time / time |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, result in results.items():
        ratio = f"{reference.seconds / result.seconds:.1f}x" if reference else "-"
        print(
            f"| {name} | {result.v:.4f} | {result.nmi:.4f} | {result.ari:.4f} | {result.themes} "
            f"| {result.unthemed:.1%} | {result.seconds:.2f} | {ratio} |"
        )
    if total is not None:
        print(f"\nBERTopic time is UMAP + HDBSCAN; its whole fit_transform took {total:.2f} s.")
    return results, deterministic


@dataclass
class SmallSummary:
    """One method over the small draws (means over the draws it did not fail on)."""

    attempted: int
    failures: Counter[str]
    no_theme: int
    v: float
    within_one: float
    themes: float
    true_labels: float
    unthemed: float
    seconds: float


def small_sets(
    method: Method, texts: list[str], truth: Labels, vectors: Vectors, draws: list[Labels]
) -> SmallSummary:
    failures: Counter[str] = Counter()
    v, within, themes, true, unthemed = [], [], [], [], []
    started = time.perf_counter()
    for rows in draws:
        expected = truth[rows]
        try:
            found = method([texts[i] for i in rows], vectors[rows])
        except Exception as exc:  # a benchmark reports how a method fails, it does not stop
            failures[f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}"] += 1
            continue
        found_themes = len(set(found[found >= 0].tolist()))
        true_count = len(np.unique(expected))
        v.append(float(v_measure_score(expected, found)))
        within.append(abs(found_themes - true_count) <= 1)
        themes.append(found_themes)
        true.append(true_count)
        unthemed.append(float(np.mean(found < 0)))
    seconds = (time.perf_counter() - started) / max(1, len(draws))

    def mean(values: list[float] | list[bool] | list[int]) -> float:
        return float(np.mean(values)) if values else float("nan")

    return SmallSummary(
        attempted=len(draws),
        failures=failures,
        no_theme=themes.count(0),
        v=mean(v),
        within_one=mean(within),
        themes=mean(themes),
        true_labels=mean(true),
        unthemed=mean(unthemed),
        seconds=seconds,
    )


def print_small(rows: dict[str, SmallSummary]) -> None:
    print(
        "\n## Small sets (one engineer's period): 20-40 texts from 3-8 intents, "
        "true count = intents present\n"
    )
    print(
        "| method | draws | failed | no theme | V-measure | themes within ±1 | themes | intents "
        "| unthemed | time/draw (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, s in rows.items():
        failed = sum(s.failures.values())
        print(
            f"| {name} | {s.attempted} | {failed} | {s.no_theme} | {s.v:.4f} | {s.within_one:.1%} "
            f"| {s.themes:.1f} | {s.true_labels:.1f} | {s.unthemed:.1%} | {s.seconds:.3f} |"
        )
    for name, s in rows.items():
        for reason, count in s.failures.most_common():
            print(f"- {name} failed {count}x: {reason}")


def scale(vectors: Vectors, truth: Labels, rows: int) -> tuple[Score, float]:
    """`rows` near-paraphrases of BANKING77 texts (each a real embedding plus noise, cosine ~0.9
    to its source): time, peak memory allocated while clustering, and V against the intents."""
    rng = np.random.default_rng(SEED)
    source = rng.integers(0, len(vectors), size=rows)
    noise = rng.standard_normal((rows, vectors.shape[1])).astype(np.float32)
    cloud = vectors[source] + 0.45 * noise / np.sqrt(vectors.shape[1])
    cloud /= np.linalg.norm(cloud, axis=1, keepdims=True)
    tracemalloc.start()
    started = time.perf_counter()
    found = cluster_embeddings(cloud).labels
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    result = score(truth[source], found, seconds)
    print(f"\n## Scale: {rows:,} rows (BANKING77 near-paraphrases)\n")
    print(
        f"synth: {seconds:.1f} s, peak {peak:.0f} MiB allocated while clustering, "
        f"{result.themes} themes, {result.unthemed:.1%} unthemed, V-measure {result.v:.4f}"
    )
    return result, peak


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip BERTopic")
    parser.add_argument("--data", type=Path, default=BANKING77)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--bertopic-draws", type=int, default=20)
    parser.add_argument("--scale-rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per method (median)")
    parser.add_argument("--no-cache", action="store_true", help="recompute embeddings")
    args = parser.parse_args()

    texts, truth, _ = load_banking77(args.data)
    vectors = embeddings_for(args.data, texts, cache=not args.no_cache)
    full, deterministic = full_set(texts, truth, vectors, quick=args.quick, runs=args.runs)

    draws = small_draws(truth, args.draws, seed=0)
    small = {
        "synth": small_sets(synth_method, texts, truth, vectors, draws),
        "KMeans told the true k": small_sets_told_k(texts, truth, vectors, draws),
    }
    if not args.quick:
        some = draws[: args.bertopic_draws]
        small["BERTopic"] = small_sets(BERTopicRun(), texts, truth, vectors, some)
    print_small(small)

    big, peak = scale(vectors, truth, args.scale_rows)
    return report(full, deterministic, small, big, peak, args.scale_rows)


def small_sets_told_k(
    texts: list[str], truth: Labels, vectors: Vectors, draws: list[Labels]
) -> SmallSummary:
    """KMeans given each draw's true intent count: a reference, not a competitor."""
    runs = [
        small_sets(kmeans_method(len(np.unique(truth[rows]))), texts, truth, vectors, [rows])
        for rows in draws
    ]
    return SmallSummary(
        attempted=len(draws),
        failures=sum((run.failures for run in runs), Counter()),
        no_theme=sum(run.no_theme for run in runs),
        v=float(np.mean([run.v for run in runs])),
        within_one=float(np.mean([run.within_one for run in runs])),
        themes=float(np.mean([run.themes for run in runs])),
        true_labels=float(np.mean([run.true_labels for run in runs])),
        unthemed=0.0,
        seconds=float(np.mean([run.seconds for run in runs])),
    )


def report(
    full: dict[str, Score],
    deterministic: bool,
    small: dict[str, SmallSummary],
    big: Score,
    peak: float,
    rows: int,
) -> int:
    """One PASS/FAIL/SKIP line per requirement; 1 when any failed."""
    synth = full["synth"]
    bertopic = full.get("BERTopic")
    checks: list[tuple[str, bool | None, str]] = [
        (
            "V-measure above BERTopic's",
            None if bertopic is None else synth.v > bertopic.v,
            "skipped (--quick)" if bertopic is None else f"{synth.v:.4f} vs {bertopic.v:.4f}",
        ),
        ("at most 5% unthemed", synth.unthemed <= 0.05, f"{synth.unthemed:.1%}"),
        (
            "clustering >= 10x faster than BERTopic's UMAP+HDBSCAN",
            None if bertopic is None else bertopic.seconds >= 10 * synth.seconds,
            "skipped (--quick)"
            if bertopic is None
            else f"{bertopic.seconds / synth.seconds:.1f}x "
            f"({synth.seconds:.2f} s vs {bertopic.seconds:.2f} s)",
        ),
        (
            "deterministic (two runs identical)",
            deterministic,
            "labels equal" if deterministic else "labels differ",
        ),
        (
            "small sets: never fails",
            not small["synth"].failures,
            f"{sum(small['synth'].failures.values())} of {small['synth'].attempted} failed",
        ),
        (
            f"{rows:,} rows in < 60 s and < 4 GiB",
            big.seconds < 60 and peak < 4096,
            f"{big.seconds:.1f} s, {peak:.0f} MiB",
        ),
    ]
    return 1 if print_checks(checks, "Requirements") else 0


def print_checks(checks: list[tuple[str, bool | None, str]], heading: str) -> bool:
    """Print one PASS/FAIL/SKIP line per check under `heading`; whether any failed."""
    print(f"\n## {heading}\n")
    failed = False
    for name, passed, detail in checks:
        verdict = "SKIP" if passed is None else ("PASS" if passed else "FAIL")
        failed |= passed is False
        print(f"{verdict}  {name}: {detail}")
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
