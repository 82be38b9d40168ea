"""The public labelled sets of evals/bench_clustering_public.py load as documented.

No clustering and no embedding: only the stored files. Sets not present in the data
directory (they live beside BANKING77 under ../shared/data/public/, or $SYNTH_PUBLIC_DATA)
are skipped.
"""

import csv
import gzip

import numpy as np
import pytest

from evals.bench_clustering_public import DATA_DIR, DOC_MAX, DOC_MIN, SETS, SMALL, load, readable


@pytest.mark.parametrize("name", sorted(SETS))
def test_set_loads_as_documented(name: str) -> None:
    spec = SETS[name]
    path = spec.path(DATA_DIR)
    if not path.exists():
        pytest.skip(f"no data at {path}")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    expected = ["doc", "text", "label"] if spec.shape == SMALL else ["text", "label"]
    assert header == expected
    assert (path.parent / "README.md").read_text(encoding="utf-8").strip()

    data = load(path)
    assert len(data.texts) == spec.rows
    assert len(data.names) == spec.labels
    assert len(np.unique(data.truth)) == spec.labels
    assert all(text.strip() for text in data.texts)
    assert all(name.strip() for name in data.names)
    if spec.shape == SMALL:
        assert len(data.docs) == spec.docs
        assert sum(len(doc) for doc in data.docs) == spec.rows
        for doc in data.docs:
            assert DOC_MIN <= len(doc) <= DOC_MAX
            assert len(np.unique(data.truth[doc])) >= 2
    else:
        assert data.docs == []


def test_readable_names() -> None:
    assert readable("card_arrival") == "card arrival"
    assert readable("AddToPlaylist") == "add to playlist"
    assert readable("FOOD#STYLE_OPTIONS") == "food style options"
