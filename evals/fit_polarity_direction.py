"""Fit the MiniLM polarity direction (`synth/themes/polarity_minilm.jsonl`).

A logistic regression on the packaged all-MiniLM-L6-v2 vectors of the tuning part of
`evals/data/polarity.jsonl` (strengths against growth areas; neutral statements left out),
with texts encoded as statements are stored (gendered pronouns neutral), so the direction
reads stored vectors as it was fitted. Prints accuracy on the tuning and held-out parts and
rewrites the file. Deterministic (lbfgs, no sampling).

    python -m evals.fit_polarity_direction
"""

import json
import os

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from evals.bench_polarity import Row, load, split
from synth.text import neutral_pronouns
from synth.themes.embedders import LOCAL_MODEL, LocalEmbedder
from synth.themes.stance import DIRECTION_FILE

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    tune, held = split(load())
    embedder = LocalEmbedder()

    def xy(rows: list[Row]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        kept = [r for r in rows if r.label != "neutral"]
        vectors = embedder.embed([neutral_pronouns(r.text) for r in kept])
        return vectors, np.array([int(r.label == "strength") for r in kept], dtype=np.int64)

    x, y = xy(tune)
    x_held, y_held = xy(held)
    model = LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced").fit(x, y)
    print(
        f"tuning {model.score(x, y):.3f} ({len(y)} statements), "
        f"held out {model.score(x_held, y_held):.3f} ({len(y_held)})"
    )
    fitted = {
        "model": LOCAL_MODEL,
        "bias": round(float(model.intercept_[0]), 6),
        "weights": [round(float(w), 6) for w in model.coef_[0]],
    }
    DIRECTION_FILE.write_text(json.dumps(fitted) + "\n", encoding="utf-8")
    print(f"wrote {DIRECTION_FILE}")


if __name__ == "__main__":
    main()
