"""A statement's polarity from its cues and its meaning, and a theme's lean.

The cue rules (`synth.themes.polarity`) say nothing about most plain factual statements; a
linear direction in the packaged MiniLM's space reads those from the statement's vector.
"""

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from synth.themes.embedders import normalise
from synth.themes.polarity import CLEAR, Polarity, statement_polarity

# --- polarity by meaning -------------------------------------------------------------------
# A linear direction in the packaged MiniLM's space (logistic regression, fitted on the tuning
# part of evals/data/polarity.jsonl: 0.94 there, 0.87 on the held-out part), stored beside this
# module. It applies only to vectors of the model it was fitted on; any other embedder keeps
# the cue rules alone.
DIRECTION_FILE = Path(__file__).with_name("polarity_minilm.jsonl")
CUE_WEIGHT = 2.0  # an explicit cue outweighs meaning: cues are rarer but more precise


@dataclass(frozen=True)
class Direction:
    model: str
    bias: float
    weights: npt.NDArray[np.float64]


@lru_cache(maxsize=1)
def direction() -> Direction:
    """The fitted direction (read once)."""
    data = json.loads(DIRECTION_FILE.read_text(encoding="utf-8").splitlines()[0])
    weights = np.asarray(data["weights"], dtype=np.float64)
    return Direction(str(data["model"]), float(data["bias"]), weights)


def meaning_polarity(vector: npt.ArrayLike | None, model: str) -> float | None:
    """-1 to +1 (twice the probability of praise, less one) from a statement's vector, or None
    when it is not a vector of the model the direction was fitted on."""
    fitted = direction()
    if vector is None or model != fitted.model:
        return None
    values = np.asarray(vector, dtype=np.float64)
    if values.shape != fitted.weights.shape:
        return None
    return math.tanh((fitted.bias + float(values @ fitted.weights)) / 2)


def combined_polarity(text: str, vector: npt.ArrayLike | None, model: str) -> float:
    """A statement's polarity from its cues and, when its vector is of the fitted model, its
    meaning: the cue score weighs CUE_WEIGHT times as much, so meaning decides where no cue
    speaks and tips the balance where cues are weak."""
    cue = statement_polarity(text)
    meaning = meaning_polarity(vector, model)
    if meaning is None:
        return cue
    return (CUE_WEIGHT * cue + meaning) / (CUE_WEIGHT + 1)


def lean_polarity(scores: Iterable[float]) -> Polarity:
    """A theme's polarity from its statements' scores: the way their sum leans, mixed only when
    praise and criticism cancel out. Unlike `theme_polarity`'s count, a strong statement
    outweighs a faint one; fit for scores that seldom sit at exactly 0 (`combined_polarity`).
    A theme's minority view is not lost: the drafter places each statement by its own score.
    (A dead band around 0 calling more themes mixed agreed less with gold themes.)"""
    total = sum(scores)
    if total > 0:
        return Polarity.STRENGTH
    if total < 0:
        return Polarity.GROWTH_AREA
    return Polarity.MIXED


# --- a theme's sides ------------------------------------------------------------------------


def split_by_stance(labels: Sequence[int], stance: Sequence[float], smallest: int) -> list[int]:
    """A theme whose statements praise and criticise the same thing becomes two when each side
    has at least `smallest` statements ("thorough reviews" and "reviews arrive late" share
    their words, not their message): the smaller side (criticism on a tie) leaves with its
    own id; statements that lean neither way clearly (|score| <= `CLEAR`) stay with the
    larger side."""
    split = list(labels)
    next_id = max(labels, default=-1) + 1
    for theme in sorted({label for label in labels if label >= 0}):
        members = [i for i, label in enumerate(labels) if label == theme]
        praise = [i for i in members if stance[i] > CLEAR]
        criticism = [i for i in members if stance[i] < -CLEAR]
        if min(len(praise), len(criticism)) < smallest:
            continue
        for i in criticism if len(criticism) <= len(praise) else praise:
            split[i] = next_id
        next_id += 1
    return split


def rehome_dissent(
    labels: Sequence[int], stance: Sequence[float], matrix: np.ndarray, smallest: int
) -> list[int]:
    """A lone dissenting statement (clearly against its theme's lean, too few to be a theme of
    their own) moves to the closest theme that leans its way when that theme is closer to it
    than the rest of its own: the cut put it with the wrong neighbours, not on another
    topic."""
    moved = list(labels)
    themes = sorted({label for label in labels if label >= 0})
    if len(themes) < 2:
        return moved
    members = {t: [i for i, label in enumerate(labels) if label == t] for t in themes}
    lean = {t: float(np.sign(sum(stance[i] for i in members[t]))) for t in themes}
    unit = normalise(matrix)
    centroid = {t: unit[members[t]].mean(axis=0) for t in themes}
    for t in themes:
        dissent = [i for i in members[t] if lean[t] and stance[i] * lean[t] < -CLEAR]
        if not dissent or len(dissent) >= smallest:
            continue
        for i in dissent:
            rest = [j for j in members[t] if j != i]
            if not rest:
                continue
            here = float(unit[i] @ unit[rest].mean(axis=0))
            others = [o for o in themes if o != t and lean[o] * stance[i] > 0]
            if others:
                best = max(others, key=lambda o: (float(unit[i] @ centroid[o]), -o))
                if float(unit[i] @ centroid[best]) > here:
                    moved[i] = best
    return moved
