"""Flags on the feedback itself: instruction-like content and biased wording.

Computed from the text whenever feedback or a self-assessment is read (so they always reflect
the current guards, and need no backfill), and returned to the author the moment they submit,
so they can reword before anyone reads it. Flags never block anything.
"""

import uuid
from collections.abc import Iterable

from synth.guards.bias import check_feedback_bias
from synth.guards.findings import Finding, SourceText
from synth.guards.injection import check_feedback

_NO_ID = uuid.UUID(int=0)


def text_flags(texts: Iterable[str | None]) -> list[Finding]:
    """Injection and bias findings over the parts of one submission (text, answers, ...)."""
    parts = [SourceText(_NO_ID, t) for t in texts if t]
    found = check_feedback(parts) + check_feedback_bias(parts)
    unique = {(f.guard, f.code, f.message): f.model_copy(update={"source_id": None}) for f in found}
    return list(unique.values())
