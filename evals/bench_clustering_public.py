"""Theme clustering on public labelled sets of other shapes than BANKING77 (issue 12).

Large intent sets (CLINC150, HWU64, SNIPS: hundreds to thousands of short texts, 7 to 150
intents) and small per-document aspect sets (SemEval-2016 restaurant and laptop reviews,
grouped into documents of 20-40 labelled sentences with several aspects each: the shape of
one engineer's feedback). synth is never told the number of themes; BERTopic (defaults, fed
the same embeddings; and the same run reduced to the true k with `nr_topics`), KMeans and
Ward are told the true k. Unthemed rows / BERTopic outliers count as one cluster in V-measure,
NMI and ARI (as in `evals.bench_clustering`, whose helpers this reuses).

Targets, printed PASS/FAIL; exit 1 when one fails (unless --no-fail):
- every large set: synth's V-measure and ARI above BERTopic's (both BERTopic rows), and its
  theme count within 25% of the true intent count;
- every small set: synth's mean V-measure over documents at least KMeans-told-k's, its theme
  count within ±1 of the aspects present in at least 70% of documents, at most 10% of
  sentences unthemed.

A second table scores theme titles: each theme synth finds on a large set is titled by
`synth.themes.labels.phrase_titles` (as the service does, from member texts and vectors) and
by the older `keyphrase_labels`, and each title is compared (MiniLM cosine) with the readable
name of the theme's majority intent ("card_arrival" -> "card arrival").

Data: `<data dir>/<set>/<set>.csv.gz` (columns text,label; the small sets also doc), by
default `../shared/data/public/` beside `../shared/data/banking77/` (or $SYNTH_PUBLIC_DATA).
`--prepare MIRRORS` rebuilds them from git snapshots of the source repositories (see SOURCES).

    python -m evals.bench_clustering_public [--quick] [--set NAME ...] [--no-fail]
"""

import argparse
import csv
import gzip
import io
import json
import os
import re
import subprocess
import time
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans

from evals.bench_clustering import (
    SEED,
    Labels,
    Method,
    Score,
    Vectors,
    embeddings_for,
    print_checks,
    score,
    timed,
)
from synth.themes.cluster import cluster_embeddings
from synth.themes.embedders import LOCAL_MODEL, LocalEmbedder
from synth.themes.labels import keyphrase_labels, phrase_titles

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # bertopic may import litellm

DATA_DIR = Path(
    os.environ.get(
        "SYNTH_PUBLIC_DATA",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "public",
    )
)
LARGE, SMALL = "large", "small"
DOC_MIN, DOC_MAX = 20, 40  # labelled sentences per small-set document
QUICK_DOCS = 25  # documents per small set with --quick
BERTOPIC_DOCS = 20  # documents per small set BERTopic is tried on
EXAMPLES = 5  # titled themes printed per large set


@dataclass(frozen=True)
class PublicSet:
    """One labelled set as stored: its shape and the counts its README documents."""

    name: str
    shape: str
    rows: int
    labels: int
    docs: int = 0
    source: str = ""
    licence: str = ""

    def path(self, data_dir: Path) -> Path:
        return data_dir / self.name / f"{self.name}.csv.gz"


SETS = {
    s.name: s
    for s in (
        PublicSet(
            "clinc150",
            LARGE,
            4500,
            150,
            source="github.com/clinc/oos-eval data/data_full.json, test split, in-scope",
            licence="CC-BY-3.0",
        ),
        PublicSet(
            "hwu64",
            LARGE,
            1076,
            64,
            source="github.com/xliuhw/NLU-Evaluation-Data CrossValidation KFold_1 testset",
            licence="CC-BY-4.0",
        ),
        PublicSet(
            "snips",
            LARGE,
            2800,
            7,
            source="github.com/sonos/nlu-benchmark 2017-06-custom-intent-engines train+validate",
            licence="CC0-1.0",
        ),
        PublicSet(
            "semeval16-restaurants",
            SMALL,
            1248,
            12,
            docs=57,
            source="SemEval-2016 Task 5 SB1 English restaurants train (via hochochoc/web-mining)",
            licence="unclear (SemEval-2016 ABSA terms): do not redistribute",
        ),
        PublicSet(
            "semeval16-laptops",
            SMALL,
            1749,
            76,
            docs=78,
            source="SemEval-2016 Task 5 SB1 English laptops train+test "
            "(via ccaprile/absa_product_reviews)",
            licence="unclear (SemEval-2016 ABSA terms): do not redistribute",
        ),
    )
}


# --- data ------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """A set's rows: texts, label ids (order of first appearance), label names, documents."""

    texts: list[str]
    truth: Labels
    names: list[str]
    docs: list[Labels]
    """Row indices of each document (small sets), in order; empty for large sets."""


def load(path: Path) -> Loaded:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = list(dict.fromkeys(row["label"] for row in rows))
    index = {name: i for i, name in enumerate(names)}
    truth = np.array([index[row["label"]] for row in rows], dtype=np.int64)
    docs: list[Labels] = []
    if rows and "doc" in rows[0]:
        by_doc: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            by_doc.setdefault(row["doc"], []).append(i)
        docs = [np.array(members, dtype=np.int64) for members in by_doc.values()]
    return Loaded([row["text"] for row in rows], truth, names, docs)


def readable(name: str) -> str:
    """An intent or aspect name as words: "card_arrival" -> "card arrival",
    "AddToPlaylist" -> "add to playlist", "FOOD#STYLE_OPTIONS" -> "food style options"."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return " ".join(re.split(r"[_#\s]+", spaced)).strip().lower()


# --- methods ---------------------------------------------------------------------------------


def synth_method(texts: list[str], vectors: Vectors) -> Labels:
    return cluster_embeddings(vectors).labels


def kmeans_told(k: int) -> Method:
    def run(texts: list[str], vectors: Vectors) -> Labels:
        k_fit = min(k, len(vectors))
        found: Labels = (
            KMeans(n_clusters=k_fit, n_init=10, random_state=SEED)
            .fit_predict(vectors)
            .astype(np.int64)
        )
        return found

    return run


def ward_told(k: int) -> Method:
    def run(texts: list[str], vectors: Vectors) -> Labels:
        model = AgglomerativeClustering(n_clusters=min(k, len(vectors)), linkage="ward")
        found: Labels = model.fit_predict(vectors).astype(np.int64)
        return found

    return run


def bertopic_runs(texts: list[str], vectors: Vectors, k: int) -> tuple[Labels, Labels, float]:
    """BERTopic with its defaults (UMAP random_state fixed, as in evals.bench_clustering), and
    the same fitted model reduced to `k` topics (`nr_topics`): labels of both, fit seconds."""
    from bertopic import BERTopic
    from umap import UMAP

    umap_model = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=SEED
    )
    model = BERTopic(umap_model=umap_model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        topics, _ = model.fit_transform(texts, vectors)
        seconds = time.perf_counter() - started
        default = np.asarray(topics, dtype=np.int64)
        found = len(set(default.tolist()) - {-1})
        if found > k:
            model.reduce_topics(texts, nr_topics=k + (1 if -1 in default else 0))
            told = np.asarray(model.topics_, dtype=np.int64)
        else:  # nr_topics only merges: with <= k topics there is nothing to reduce
            told = default
    return default, told, seconds


# --- large sets ------------------------------------------------------------------------------


@dataclass
class LargeResult:
    name: str
    rows: int
    k: int
    scores: dict[str, Score]
    synth_labels: Labels


def large_set(spec: PublicSet, data: Loaded, vectors: Vectors, *, quick: bool) -> LargeResult:
    k = len(data.names)
    scores: dict[str, Score] = {}
    found, seconds = timed(synth_method, data.texts, vectors, 1)
    scores["synth"] = score(data.truth, found, seconds)
    synth_labels = found
    if not quick:
        default, told, seconds = bertopic_runs(data.texts, vectors, k)
        scores["BERTopic"] = score(data.truth, default, seconds)
        scores[f"BERTopic nr_topics={k}"] = score(data.truth, told, seconds)
    baselines = [(f"Ward k={k}", ward_told(k))]
    if not quick:  # KMeans with n_init=10 takes over a minute at k=150 on 2 cores
        baselines.insert(0, (f"KMeans k={k}", kmeans_told(k)))
    for label, method in baselines:
        found, seconds = timed(method, data.texts, vectors, 1)
        scores[label] = score(data.truth, found, seconds)
    return LargeResult(spec.name, len(data.texts), k, scores, synth_labels)


def print_large(results: list[LargeResult]) -> None:
    print("\n## Large intent sets (synth not told k; the others told the true k)\n")
    print("| set | n | k | method | V-measure | NMI | ARI | themes | unthemed | time (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for method, s in r.scores.items():
            print(
                f"| {r.name} | {r.rows} | {r.k} | {method} | {s.v:.4f} | {s.nmi:.4f} "
                f"| {s.ari:.4f} | {s.themes} | {s.unthemed:.1%} | {s.seconds:.2f} |"
            )


# --- small sets ------------------------------------------------------------------------------


@dataclass
class SmallResult:
    """One method over one small set's documents (means over the documents it did not fail
    on; unthemed pooled over their sentences)."""

    attempted: int
    failures: Counter[str]
    v: float
    nmi: float
    ari: float
    within_one: float
    themes: float
    aspects: float
    repeated: float
    """Aspects with at least two sentences in the document (min_theme_size is 2)."""
    unthemed: float
    seconds: float


def small_set(
    make: Callable[[int], Method],
    texts: list[str],
    truth: Labels,
    vectors: Vectors,
    docs: Sequence[Labels],
) -> SmallResult:
    """`make(k)` gives the method for a document with k true aspects (synth ignores k)."""
    failures: Counter[str] = Counter()
    scores: list[Score] = []
    within: list[bool] = []
    aspects: list[int] = []
    repeated: list[int] = []
    unthemed = rows = 0
    started = time.perf_counter()
    for members in docs:
        expected = truth[members]
        k = len(np.unique(expected))
        try:
            found = make(k)([texts[i] for i in members], vectors[members])
        except Exception as exc:  # a benchmark reports how a method fails, it does not stop
            failures[f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}"] += 1
            continue
        result = score(expected, found, 0.0)
        scores.append(result)
        within.append(abs(result.themes - k) <= 1)
        aspects.append(k)
        repeated.append(int(np.sum(np.bincount(expected) >= 2)))
        unthemed += int(np.sum(found < 0))
        rows += len(members)
    seconds = (time.perf_counter() - started) / max(1, len(docs))

    def mean(values: Sequence[float]) -> float:
        return float(np.mean(values)) if len(values) else float("nan")

    return SmallResult(
        attempted=len(docs),
        failures=failures,
        v=mean([s.v for s in scores]),
        nmi=mean([s.nmi for s in scores]),
        ari=mean([s.ari for s in scores]),
        within_one=mean([float(w) for w in within]),
        themes=mean([float(s.themes) for s in scores]),
        aspects=mean([float(a) for a in aspects]),
        repeated=mean([float(a) for a in repeated]),
        unthemed=unthemed / rows if rows else float("nan"),
        seconds=seconds,
    )


class _BERTopicDefault:
    """BERTopic with its defaults on one document (not told k)."""

    def __call__(self, k: int) -> Method:
        def run(texts: list[str], vectors: Vectors) -> Labels:
            return bertopic_runs(texts, vectors, k)[0]

        return run


def small_sets(
    spec: PublicSet, data: Loaded, vectors: Vectors, *, quick: bool
) -> dict[str, SmallResult]:
    docs = data.docs[:QUICK_DOCS] if quick else data.docs
    results = {
        "synth": small_set(lambda k: synth_method, data.texts, data.truth, vectors, docs),
        "KMeans told k": small_set(kmeans_told, data.texts, data.truth, vectors, docs),
        "Ward told k": small_set(ward_told, data.texts, data.truth, vectors, docs),
    }
    if not quick:
        results["BERTopic"] = small_set(
            _BERTopicDefault(), data.texts, data.truth, vectors, docs[:BERTOPIC_DOCS]
        )
    return results


def print_small(results: dict[str, dict[str, SmallResult]], data: dict[str, Loaded]) -> None:
    print(
        f"\n## Small per-document aspect sets ({DOC_MIN}-{DOC_MAX} sentences a document; "
        "true count = aspects present; synth not told it)\n"
    )
    print(
        "| set | method | docs | failed | V-measure | NMI | ARI | themes within ±1 | themes "
        "| aspects | aspects with 2+ | unthemed | time/doc (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, by_method in results.items():
        for method, s in by_method.items():
            print(
                f"| {name} | {method} | {s.attempted} | {sum(s.failures.values())} "
                f"| {s.v:.4f} | {s.nmi:.4f} | {s.ari:.4f} | {s.within_one:.1%} "
                f"| {s.themes:.1f} | {s.aspects:.1f} | {s.repeated:.1f} | {s.unthemed:.1%} "
                f"| {s.seconds:.3f} |"
            )
        for method, s in by_method.items():
            for reason, count in s.failures.most_common():
                print(f"- {name} / {method} failed {count}x: {reason}")
    for name, loaded in data.items():
        sizes = [len(d) for d in loaded.docs]
        alone = sum(int(np.sum(np.bincount(loaded.truth[d]) == 1)) for d in loaded.docs)
        print(
            f"\n{name}: {len(loaded.docs)} documents, {min(sizes)}-{max(sizes)} sentences "
            f"(mean {np.mean(sizes):.1f}), {len(loaded.names)} aspect categories overall; "
            f"{alone / sum(sizes):.1%} of sentences are their document's only one of their aspect"
        )


# --- titles ----------------------------------------------------------------------------------


@dataclass
class TitleResult:
    name: str
    themes: int
    phrase: float
    keyphrase: float
    phrase_top1: float
    keyphrase_top1: float
    examples: list[tuple[str, str, str, int]]
    """(majority intent, phrase title, keyphrase label, size) of the largest themes."""


def unit_rows(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: Vectors = (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return unit


def titles(
    result: LargeResult, data: Loaded, vectors: Vectors, embedder: LocalEmbedder
) -> TitleResult:
    """Title each theme synth found and compare it with its majority intent's name."""
    labels = result.synth_labels
    ids = sorted(set(labels[labels >= 0].tolist()))
    members = [np.flatnonzero(labels == t) for t in ids]
    texts = [[data.texts[i] for i in rows] for rows in members]
    phrase = phrase_titles(
        texts, [vectors[rows] for rows in members], embedder.embed, model=LOCAL_MODEL
    )
    keyphrase = keyphrase_labels(texts)
    majority = [int(np.bincount(data.truth[rows]).argmax()) for rows in members]
    names = unit_rows(embedder.embed([readable(n) for n in data.names]))
    sims = {}
    top1 = {}
    for kind, chosen in (("phrase", phrase), ("keyphrase", keyphrase)):
        against = unit_rows(embedder.embed(chosen)) @ names.T
        sims[kind] = float(np.mean(against[np.arange(len(ids)), majority]))
        top1[kind] = float(np.mean(against.argmax(axis=1) == np.array(majority)))
    largest = sorted(range(len(ids)), key=lambda t: (-len(members[t]), t))[:EXAMPLES]
    examples = [
        (readable(data.names[majority[t]]), phrase[t], keyphrase[t], len(members[t]))
        for t in largest
    ]
    return TitleResult(
        result.name,
        len(ids),
        sims["phrase"],
        sims["keyphrase"],
        top1["phrase"],
        top1["keyphrase"],
        examples,
    )


def print_titles(results: list[TitleResult]) -> None:
    print(
        "\n## Theme titles against intent names (synth's themes; MiniLM cosine between the "
        "title and its theme's majority intent, made readable)\n"
    )
    print(
        "| set | themes | phrase title cosine | keyphrase label cosine "
        "| phrase title nearest = intent | keyphrase nearest = intent |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.name} | {r.themes} | {r.phrase:.4f} | {r.keyphrase:.4f} "
            f"| {r.phrase_top1:.1%} | {r.keyphrase_top1:.1%} |"
        )
    for r in results:
        print(f"\n{r.name}, largest themes (intent: phrase title | keyphrase label, size):")
        for intent, phrase, keyphrase, size in r.examples:
            print(f"- {intent}: {phrase} | {keyphrase} ({size})")


# --- targets ---------------------------------------------------------------------------------


Check = tuple[str, bool | None, str]


def checks(large: list[LargeResult], small: dict[str, dict[str, SmallResult]]) -> list[Check]:
    found: list[Check] = []
    for r in large:
        synth = r.scores["synth"]
        for method in ("BERTopic", f"BERTopic nr_topics={r.k}"):
            other = r.scores.get(method)
            found.append(
                (
                    f"{r.name}: synth V and ARI above {method}'s",
                    None if other is None else synth.v > other.v and synth.ari > other.ari,
                    "skipped (--quick)"
                    if other is None
                    else f"V {synth.v:.4f} vs {other.v:.4f}, "
                    f"ARI {synth.ari:.4f} vs {other.ari:.4f}",
                )
            )
        found.append(
            (
                f"{r.name}: theme count within 25% of {r.k}",
                abs(synth.themes - r.k) <= 0.25 * r.k,
                f"{synth.themes} themes ({synth.themes / r.k - 1:+.0%})",
            )
        )
    for name, by_method in small.items():
        synth_small, kmeans = by_method["synth"], by_method["KMeans told k"]
        found += [
            (
                f"{name}: mean V at least KMeans told k",
                synth_small.v >= kmeans.v,
                f"{synth_small.v:.4f} vs {kmeans.v:.4f}",
            ),
            (
                f"{name}: themes within ±1 in >= 70% of documents",
                synth_small.within_one >= 0.70,
                f"{synth_small.within_one:.1%}",
            ),
            (
                f"{name}: at most 10% unthemed",
                synth_small.unthemed <= 0.10,
                f"{synth_small.unthemed:.1%}",
            ),
            (
                f"{name}: never fails",
                not synth_small.failures,
                f"{sum(synth_small.failures.values())} of {synth_small.attempted} failed",
            ),
        ]
    return found


# --- preparing the data from git snapshots of the sources ------------------------------------


SOURCES = {
    "clinc150": ("clinc+oos-eval", "https://github.com/clinc/oos-eval"),
    "hwu64": ("xliuhw+NLU-Evaluation-Data", "https://github.com/xliuhw/NLU-Evaluation-Data"),
    "snips": ("sonos+nlu-benchmark", "https://github.com/sonos/nlu-benchmark"),
    "semeval16-restaurants": ("hochochoc+web-mining", "https://github.com/hochochoc/web-mining"),
    "semeval16-laptops": (
        "ccaprile+absa_product_reviews",
        "https://github.com/ccaprile/absa_product_reviews",
    ),
}
HWU64_FOLD = "CrossValidation/autoGeneFromRealAnno/autoGene_2018_03_22-13_01_25_169/"
HWU64_FOLD += "CrossValidation/KFold_1/testset/annotated/"
SNIPS_DIR = "2017-06-custom-intent-engines/"


class _Snapshot:
    """Files of one bare git snapshot at HEAD."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir

    def _git(self, *args: str) -> bytes:
        return subprocess.run(
            ["git", f"--git-dir={self.git_dir}", *args], check=True, capture_output=True
        ).stdout

    def commit(self) -> str:
        return self._git("rev-parse", "HEAD").decode().strip()

    def files(self) -> list[str]:
        return sorted(self._git("ls-tree", "-r", "--name-only", "HEAD").decode().splitlines())

    def read(self, path: str) -> bytes:
        return self._git("show", f"HEAD:{path}")


def _rows_clinc(snap: _Snapshot) -> list[dict[str, str]]:
    data = json.loads(snap.read("data/data_full.json"))
    return [{"text": text, "label": intent} for text, intent in data["test"]]


def _rows_hwu(snap: _Snapshot) -> list[dict[str, str]]:
    rows = []
    for path in snap.files():
        if path.startswith(HWU64_FOLD) and path.endswith(".json"):
            for item in json.loads(snap.read(path))["test_data_annotation"]:
                rows.append({"text": item["text"].strip(), "label": item["intent"]})
    return rows


def _rows_snips(snap: _Snapshot) -> list[dict[str, str]]:
    rows = []
    pattern = re.compile(re.escape(SNIPS_DIR) + r"(\w+)/(train|validate)_\1\.json$")
    for path in snap.files():
        match = pattern.match(path)
        if match:
            intent = match.group(1)
            for item in json.loads(snap.read(path))[intent]:
                text = "".join(chunk["text"] for chunk in item["data"]).strip()
                rows.append({"text": " ".join(text.split()), "label": intent})
    return rows


def _rows_semeval(snap: _Snapshot, paths: Sequence[str], prefix: str) -> list[dict[str, str]]:
    """Sentences with exactly one aspect category, consecutive reviews grouped into documents
    of DOC_MIN-DOC_MAX such sentences (a last group short of DOC_MIN is dropped), documents
    with fewer than two aspects dropped."""
    reviews: list[list[tuple[str, str]]] = []
    for path in paths:
        for review in ET.fromstring(snap.read(path)).iter("Review"):
            kept = []
            for sentence in review.iter("sentence"):
                categories = {o.get("category", "") for o in sentence.iter("Opinion")}
                text = " ".join((sentence.findtext("text") or "").split())
                if len(categories) == 1 and text:
                    kept.append((text, categories.pop()))
            if kept:
                reviews.append(kept[:DOC_MAX])
    docs: list[list[tuple[str, str]]] = [[]]
    for kept in reviews:
        if len(docs[-1]) + len(kept) > DOC_MAX:
            docs.append([])
        docs[-1].extend(kept)
        if len(docs[-1]) >= DOC_MIN:
            docs.append([])
    docs = [d for d in docs if len(d) >= DOC_MIN and len({label for _, label in d}) >= 2]
    return [
        {"doc": f"{prefix}{n:03d}", "text": text, "label": label}
        for n, doc in enumerate(docs)
        for text, label in doc
    ]


def _write(rows: list[dict[str, str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
        zipped.write(buffer.getvalue().encode("utf-8"))


def prepare(mirrors: Path, out: Path) -> None:
    """Rebuild every set from git snapshots `<mirrors>/<owner>+<name>/repo`, with a README."""
    readers: dict[str, Callable[[_Snapshot], list[dict[str, str]]]] = {
        "clinc150": _rows_clinc,
        "hwu64": _rows_hwu,
        "snips": _rows_snips,
        "semeval16-restaurants": lambda s: _rows_semeval(
            s, ["ABSA16_Restaurants_Train_SB1_v2.xml"], "rest"
        ),
        "semeval16-laptops": lambda s: _rows_semeval(
            s, ["ABSA16_Laptops_Train_SB1_v2.xml", "test_2016.xml"], "lap"
        ),
    }
    for name, read in readers.items():
        mirror, url = SOURCES[name]
        snap = _Snapshot(mirrors / mirror / "repo")
        rows = read(snap)
        spec = SETS[name]
        _write(rows, spec.path(out))
        labels = len({row["label"] for row in rows})
        docs = len({row.get("doc") for row in rows}) if "doc" in rows[0] else 0
        (out / name / "README.md").write_text(
            f"# {name}\n\n"
            f"- source: {url} at commit {snap.commit()}; {spec.source}\n"
            f"- licence: {spec.licence}\n"
            f"- kept: {len(rows)} rows, {labels} labels"
            + (f", {docs} documents" if docs else "")
            + f" in `{name}.csv.gz` (columns {', '.join(rows[0])})\n"
            f"- built by `python -m evals.bench_clustering_public --prepare MIRRORS`\n",
            encoding="utf-8",
        )
        print(f"{name}: {len(rows)} rows, {labels} labels, {docs} documents")


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="no BERTopic, titles nor KMeans on large sets; 25 docs a small set",
    )
    parser.add_argument("--set", action="append", choices=sorted(SETS), dest="sets")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even if a target fails")
    parser.add_argument("--no-cache", action="store_true", help="recompute embeddings")
    parser.add_argument("--prepare", type=Path, metavar="MIRRORS", help="rebuild the data")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.data_dir)
        return 0

    chosen = [SETS[name] for name in (args.sets or SETS)]
    started = time.perf_counter()
    large: list[LargeResult] = []
    small: dict[str, dict[str, SmallResult]] = {}
    loaded: dict[str, Loaded] = {}
    vectors: dict[str, Vectors] = {}
    for spec in chosen:
        path = spec.path(args.data_dir)
        if not path.exists():
            print(f"{spec.name}: no data at {path} (see --prepare); skipped")
            continue
        data = loaded[spec.name] = load(path)
        vectors[spec.name] = embeddings_for(path, data.texts, cache=not args.no_cache)
        if spec.shape == LARGE:
            large.append(large_set(spec, data, vectors[spec.name], quick=args.quick))
        else:
            small[spec.name] = small_sets(spec, data, vectors[spec.name], quick=args.quick)
    if large:
        print_large(large)
    if small:
        print_small(small, {name: loaded[name] for name in small})
    if large and not args.quick:
        embedder = LocalEmbedder()
        print_titles([titles(r, loaded[r.name], vectors[r.name], embedder) for r in large])
    failed = print_checks(checks(large, small), "Targets")
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    return 1 if failed and not args.no_fail else 0


if __name__ == "__main__":
    raise SystemExit(main())
