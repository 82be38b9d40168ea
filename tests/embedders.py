"""Test embedders: the real packaged MiniLM (loaded once), a hashing one, a broken one."""

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from synth.themes.embedders import EmbeddingFailed, LocalEmbedder, local_embedder, normalise


@lru_cache
def minilm() -> LocalEmbedder:
    """The real all-MiniLM-L6-v2, shared by every test that depends on meaning."""
    return local_embedder()


class HashingEmbedder:
    """Bag-of-words hashed into `dim` buckets: deterministic, meaning-blind, instant."""

    def __init__(self, name: str = "hashing-16", dim: int = 16) -> None:
        self.name = name
        self.dim = dim
        self.local = True
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                bucket = int(hashlib.sha1(word.encode()).hexdigest(), 16) % self.dim
                out[row, bucket] += 1.0
        return normalise(out)


class BrokenEmbedder(HashingEmbedder):
    """A provider that is down."""

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        raise EmbeddingFailed("provider unavailable (503)")
