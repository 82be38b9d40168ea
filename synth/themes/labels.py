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
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from synth.people.names import is_handle, proper_names
from synth.text import STOPWORDS, fold

_WORD = re.compile(r"[a-zà-öø-ÿ][a-zà-öø-ÿ0-9'’-]*[a-zà-öø-ÿ0-9]|[a-z]", re.IGNORECASE)


_POSSESSIVE = re.compile(r"'s?$")


def _terms(text: str, exclude: frozenset[str]) -> list[str]:
    words = [_POSSESSIVE.sub("", w.lower().replace("’", "'")) for w in _WORD.findall(text)]
    terms: list[str] = []
    for i, word in enumerate(words):
        if not _usable(word, exclude):
            continue
        terms.append(word)
        if i + 1 < len(words) and _usable(words[i + 1], exclude):
            terms.append(f"{word} {words[i + 1]}")
    return terms


def _usable(word: str, exclude: frozenset[str]) -> bool:
    return not (
        len(word) < 3
        or word in STOPWORDS
        or word in exclude
        or fold(word) in exclude
        or is_handle(word)
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
