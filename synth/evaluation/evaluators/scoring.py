"""What every evaluator shares: the scores it returns, its context, the synthesis's sections,
and meaning by embedding (`Embed`; the packaged MiniLM, `minilm`, by default).
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic_evals.evaluators import EvaluatorContext

from synth.drafting.outputs import Synthesis, ThemeSection
from synth.evaluation.cases import Case
from synth.evaluation.runner import CaseRun

Scores = dict[str, float]
Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]
Context = EvaluatorContext[Case, CaseRun, Any]


def mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if values else 0.0


def sections(synthesis: Synthesis) -> Iterable[tuple[str, ThemeSection]]:
    for section in synthesis.strengths:
        yield "strength", section
    for section in synthesis.growth_areas:
        yield "growth", section


def _minilm() -> Any:
    from synth.themes.embedders import local_embedder

    return local_embedder()


def minilm(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    vectors: npt.NDArray[np.float32] = _minilm().embed(list(texts))
    return vectors


def similarity(embed: Embed, left: Sequence[str], right: Sequence[str]) -> npt.NDArray[Any]:
    if not left or not right:
        return np.zeros((len(left), len(right)), dtype=np.float32)
    vectors = embed([*left, *right])
    result: npt.NDArray[Any] = vectors[: len(left)] @ vectors[len(left) :].T
    return result
