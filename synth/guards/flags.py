"""Flags on the feedback itself: instruction-like content, biased wording, talent-track talk.

Computed from the text whenever feedback or a self-assessment is read (so they always reflect
the current guards, and need no backfill), and returned to the author the moment they submit,
so they can reword before anyone reads it. Flags never block anything. Pay, ratings and
promotion talk is flagged so the manager moves it to the talent track: it never reaches the
engineer (the two-track guard and the release projection see to that), but the manager
should know it is there.
"""

import uuid
from collections.abc import Iterable
from functools import lru_cache

from synth.guards.bias import check_feedback_bias
from synth.guards.findings import Finding, SourceText
from synth.guards.injection import check_feedback
from synth.guards.two_track import GUARD as TWO_TRACK
from synth.guards.two_track import talent_track_topics

_NO_ID = uuid.UUID(int=0)


def text_flags(texts: Iterable[str | None]) -> list[Finding]:
    """Injection and bias findings over the parts of one submission (text, answers, ...)."""
    return list(_flags(tuple(t for t in texts if t)))


# Flags are computed when feedback is read, and the same rows are read again and again (lists,
# themes, drafts): the findings of a submission's texts are kept (they are frozen models).
@lru_cache(maxsize=8192)
def _flags(texts: tuple[str, ...]) -> tuple[Finding, ...]:
    parts = [SourceText(_NO_ID, t) for t in texts]
    found = check_feedback(parts) + check_feedback_bias(parts) + talent_track_feedback(parts)
    unique = {(f.guard, f.code, f.message): f.model_copy(update={"source_id": None}) for f in found}
    return tuple(unique.values())


def talent_track_feedback(parts: Iterable[SourceText]) -> list[Finding]:
    """A warning per piece of feedback that talks about pay, ratings or promotion."""
    found = []
    for part in parts:
        topics = talent_track_topics(part.text)
        if topics:
            found.append(
                Finding(
                    guard=TWO_TRACK,
                    code="talent_track_feedback",
                    blocking=False,
                    message=f"mentions {', '.join(topics)}: that belongs to the talent-mapping "
                    "track, not the engineer's feedback; the manager should take it there",
                    source_id=part.id,
                )
            )
    return found
