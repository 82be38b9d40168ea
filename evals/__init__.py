"""Offline evaluations and benchmarks (run from the repo root: `python -m evals.<name>`)."""
