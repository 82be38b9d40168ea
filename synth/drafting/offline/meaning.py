"""Meaning for the offline drafter: the packaged MiniLM, on CPU, never a hosted model.

The offline drafter stays offline and deterministic: the same texts give the same vectors.
Vectors are cached per text for the life of the process (drafts of one engineer embed the
same themes, expectations and objectives several times).
"""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from synth.themes.embedders import local_embedder as _model
from synth.themes.stance import combined_polarity

_CACHE_LIMIT = 20_000
_vectors: dict[str, npt.NDArray[np.float32]] = {}


def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Unit vectors for `texts`, one row each."""
    missing = [t for t in dict.fromkeys(texts) if t not in _vectors]
    if missing:
        if len(_vectors) + len(missing) > _CACHE_LIMIT:
            _vectors.clear()
        for text, vector in zip(missing, _model().embed(missing), strict=True):
            _vectors[text] = vector
    if not texts:
        return np.zeros((0, _model().dim), dtype=np.float32)
    return np.stack([_vectors[t] for t in texts])


def similarity(left: Sequence[str], right: Sequence[str]) -> npt.NDArray[np.float32]:
    """Cosine of every text in `left` with every text in `right` (rows: left)."""
    if not left or not right:
        return np.zeros((len(left), len(right)), dtype=np.float32)
    result: npt.NDArray[np.float32] = embed(left) @ embed(right).T
    return result


def polarity(texts: Sequence[str]) -> list[float]:
    """Each text's polarity, -1 (criticism) to +1 (praise), by its cues and its meaning (the
    stance direction fitted on the packaged MiniLM), as the themes' statements are read."""
    if not texts:
        return []
    vectors = embed(texts)
    name = _model().name
    return [combined_polarity(t, v, name) for t, v in zip(texts, vectors, strict=True)]
