"""Naming themes: short keyphrase labels (class-based TF-IDF) and representatives.

Rules and counts, not a model, so labels are deterministic and cheap. Names of people are
never label words: the caller's `exclude` (every name variant of everyone in the org), reviewer
handles, and words a theme's own texts use as names (`proper_names`: capitalised mid-sentence
in most of their occurrences and no common English word, or a given name), which covers
people outside the org. The price is that product names written capitalised ("Kubernetes")
never label a theme either.
"""

import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from synth.people.names import is_handle, proper_names
from synth.text import STOPWORDS, fold
from synth.themes.phrases import NUMBERS, POSSESSIVE, TITLE_WORD, candidates, classes

_WORD = re.compile(r"[a-zà-öø-ÿ][a-zà-öø-ÿ0-9'’-]*[a-zà-öø-ÿ0-9]|[a-z]", re.IGNORECASE)


def _terms(text: str, exclude: frozenset[str]) -> list[str]:
    words = [POSSESSIVE.sub("", w.lower().replace("’", "'")) for w in _WORD.findall(text)]
    terms: list[str] = []
    for i, word in enumerate(words):
        if not _usable(word, exclude):
            continue
        terms.append(word)
        if i + 1 < len(words) and _usable(words[i + 1], exclude):
            terms.append(f"{word} {words[i + 1]}")
    return terms


# Words that say how someone felt about the work, not what it was: "Love" titles nothing.
_TONE = frozenset(
    "love loved like liked great good nice best better excellent amazing awesome fantastic "
    "super want wanted wish hope think feel felt really lot lots well much bit happy glad "
    "enjoy enjoyed appreciate appreciated thanks thank".split()
)


def _usable(word: str, exclude: frozenset[str]) -> bool:
    return not (
        len(word) < 3
        or word in STOPWORDS
        or word in _TONE
        or word in exclude
        or fold(word) in exclude
        or is_handle(word)
        or classes(word) == {"ADV"}  # "quickly" says how, not what
        or word in NUMBERS
    )


def keyphrase_labels(
    themes: Sequence[Sequence[str]], *, exclude: Iterable[str] = (), per_theme: int = 2
) -> list[str]:
    """A short label per theme: its most distinctive words and bigrams (class-based TF-IDF),
    never a word of `exclude` (lowercased) nor one the theme's texts use as a name."""
    excluded = frozenset(w.lower() for w in exclude)
    counts = []
    for texts in themes:
        names = excluded | proper_names(texts)
        counts.append(Counter(t for text in texts for t in set(_terms(text, names))))
    df = Counter(term for c in counts for term in c)
    n = len(themes)
    labels: list[str] = []
    for texts, c in zip(themes, counts, strict=True):
        size = max(len(texts), 1)

        def score(term: str, c: Counter[str] = c, size: int = size) -> tuple[float, str]:
            weight = 1.3 if " " in term else 1.0
            support = c[term] / size
            return (weight * support * math.log(1 + n / df[term]), term)

        # Prefer terms several statements share; a theme whose statements share no term
        # still gets its most distinctive single words rather than a copied sentence.
        ranked = sorted((t for t in c if c[t] >= min(2, size)), key=score, reverse=True)
        ranked += sorted(
            (t for t in c if t not in ranked and " " not in t), key=score, reverse=True
        )
        chosen: list[str] = []
        for term in ranked:
            if any(term in other or other in term for other in chosen):
                continue
            chosen.append(term)
            if len(chosen) == per_theme:
                break
        labels.append(" · ".join(chosen) if chosen else "(no distinctive words)")
    return labels


def representatives(vectors: npt.NDArray[np.float32], *, count: int = 3) -> list[int]:
    """Indices of the rows closest to the rows' mean direction (ties by index)."""
    if len(vectors) == 0:
        return []
    centroid = vectors.mean(axis=0)
    scores = vectors @ centroid
    order = sorted(range(len(vectors)), key=lambda i: (-round(float(scores[i]), 6), i))
    return order[:count]


# --- titles a person would write --------------------------------------------------------------
# A theme's title is a phrase lifted from its own statements ("code reviews arrive late",
# "rollback plan saved us"), not a pair of keywords. Candidates are runs of 2-6 words inside
# one clause of the statements nearest the theme's centre, starting and ending on a content
# word and holding no name; each is embedded with the theme's own model and scored by how
# close it sits to its theme's centroid, minus how close it sits to the nearest other theme's
# (so two themes do not get the same title), with a small preference for fuller phrases.

Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]
SOURCES_PER_THEME = 4  # statements nearest the centre that titles are drawn from
DISTINCT = 0.5  # weight of the similarity to the nearest other theme
FULLER = 0.015  # per word, up to five: "code reviews arrive late" over "code reviews"


class _Vectors:
    """Phrase vectors kept per model, so titling the same themes again embeds nothing."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[str, str], npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model: str, phrases: Sequence[str], embed: Embed) -> npt.NDArray[np.float32]:
        with self._lock:
            missing = [p for p in dict.fromkeys(phrases) if (model, p) not in self._kept]
        fresh = embed(missing) if missing else None
        with self._lock:
            for i, phrase in enumerate(missing):
                assert fresh is not None
                self._kept[(model, phrase)] = fresh[i]
            rows = []
            for phrase in phrases:
                self._kept.move_to_end((model, phrase))
                rows.append(self._kept[(model, phrase)])
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)


_VECTORS = _Vectors()


def phrase_titles(
    themes: Sequence[Sequence[str]],
    vectors: Sequence[npt.NDArray[np.float32]],
    embed: Embed | None,
    *,
    model: str,
    exclude: Iterable[str] = (),
    owners: Sequence[Sequence[object]] | None = None,
    shared_by: int = 1,
) -> list[str]:
    """A title per theme, a phrase from its own statements (see above); a theme with no
    usable phrase falls back to its single most distinctive term (never two disjoint
    keywords). `vectors[t]` are the unit vectors of `themes[t]`'s statements, in the same
    order. `embed` None (a hosted embedder: phrases are not sent out for titling) gives those
    terms for every theme. With `owners` (who wrote each statement, per theme) a phrase must
    occur in statements of at least `shared_by` of them: a title no single person wrote."""
    excluded = frozenset(w.lower() for w in exclude)
    if not themes or embed is None:
        return _term_titles(themes, excluded)
    width = next((v.shape[1] for v in vectors if len(v)), 0)
    centroids = np.stack(
        [_unit(v.mean(axis=0)) if len(v) else np.zeros(width, np.float32) for v in vectors]
    )
    pools: list[list[str]] = []
    for texts, rows, centroid in zip(themes, vectors, centroids, strict=True):
        names = excluded | proper_names(texts)
        nearest = sorted(range(len(texts)), key=lambda i: (-float(rows[i] @ centroid), i))
        if owners is None:
            pool = [c for i in nearest[:SOURCES_PER_THEME] for c in candidates(texts[i], names)]
        else:
            pool = _shared(texts, owners[len(pools)], names, shared_by)
        pools.append(list(dict.fromkeys(pool)))
    phrases = sorted({p for pool in pools for p in pool})
    if not phrases:
        return _term_titles(themes, excluded)
    matrix = _VECTORS.get(model, phrases, embed)
    at = {p: i for i, p in enumerate(phrases)}
    similarity = matrix @ centroids.T
    titles: list[str] = []
    taken: set[str] = set()
    for t, pool in enumerate(pools):
        best: tuple[float, str] | None = None
        for phrase in pool:
            if phrase in taken:
                continue
            row = similarity[at[phrase]]
            others = np.delete(row, t)
            score = float(row[t]) - DISTINCT * (float(others.max()) if len(others) else 0.0)
            score += FULLER * min(len(phrase.split()), 5)
            if best is None or (score, phrase) > best:
                best = (score, phrase)
        if best is None:
            titles.append("")  # labelled below, only if some theme has no phrase
            continue
        taken.add(best[1])
        titles.append(best[1][:1].upper() + best[1][1:])
    if "" in titles:  # keyphrase labels are computed over all themes (class-based TF-IDF)
        fallback = _term_titles(themes, excluded)
        titles = [title or fallback[t] for t, title in enumerate(titles)]
    return titles


def _shared(
    texts: Sequence[str], owners: Sequence[object], names: frozenset[str], shared_by: int
) -> list[str]:
    """Candidate phrases of any statement that statements of `shared_by` owners contain."""
    folded = [" ".join(TITLE_WORD.findall(t.lower())) for t in texts]
    found = []
    for phrase in dict.fromkeys(c for text in texts for c in candidates(text, names)):
        key = phrase.lower()
        writers = {owners[i] for i, text in enumerate(folded) if f" {key} " in f" {text} "}
        if len(writers) >= shared_by:
            found.append(phrase)
    return found


def _term_titles(themes: Sequence[Sequence[str]], excluded: frozenset[str]) -> list[str]:
    """Each theme's most distinctive shared term, capitalised ("Code reviews")."""
    labels = keyphrase_labels(themes, exclude=excluded, per_theme=1)
    return [label[:1].upper() + label[1:] for label in labels]


def _unit(vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
