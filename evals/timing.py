"""Per-item timing for the text benchmarks (a rough figure: these machines are noisy)."""

import time
from collections.abc import Callable, Sequence
from typing import Any


def ms_per_item(function: Callable[[str], Any], texts: Sequence[str], *, repeat: int = 5) -> float:
    """Milliseconds per call of `function` over `texts`, each text `repeat` times."""
    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            function(text)
    return (time.perf_counter() - started) / (repeat * max(1, len(texts))) * 1000
