"""Prompt injection: feedback text is untrusted data, never an instruction.

- `detect`: `detect_injection` lists why a piece of feedback looks addressed to a model rather
  than to a person, and `check_feedback` flags such feedback for a manager (never blocking).
- `rules`: the English patterns, each with the reason it gives.
- `multilingual`: setting instructions aside in fifteen more languages (`lexicon.yaml`).
- `followed`: `check_followed` blocks a draft that copies an injected sentence or echoes its
  request words ("exceeding", "promotion", "staff").

`synth.guards.injection.detect_injection` is the documented way to call the detector
(evals/README.md).
"""

from synth.guards.injection.detect import detect_injection

__all__ = ["detect_injection"]
