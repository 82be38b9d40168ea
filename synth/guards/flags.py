"""Flags on the feedback itself: instruction-like content, biased wording, talent-track talk.

Computed when feedback or a self-assessment is written and stored with `FLAGS_VERSION`, a
digest of the guard code and lexicons that produce them; rows flagged by other guards are
recomputed by the worker in the background, and until then computed on read, so a reader
always sees the current guards' verdict. They are returned to the author the moment they
submit, so they can reword before anyone reads it. Flags never block anything. Pay, ratings and
promotion talk is flagged so the manager moves it to the talent track: it never reaches the
engineer (the two-track guard and the release projection see to that), but the manager
should know it is there.
"""

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib.resources import files
from typing import Any

from synth.guards.bias import check_feedback_bias
from synth.guards.findings import Finding, SourceText
from synth.guards.injection.detect import check_feedback
from synth.guards.two_track import GUARD as TWO_TRACK
from synth.guards.two_track import talent_track_topics

_NO_ID = uuid.UUID(int=0)
# Everything the flags depend on: change any of it and stored flags are recomputed.
_SOURCES = (
    "flags.py",
    "findings.py",
    "injection/__init__.py",
    "injection/detect.py",
    "injection/rules.py",
    "injection/multilingual.py",
    "injection/lexicon.yaml",
    "confusables.py",
    "bias.py",
    "bias_lexicon.py",
    "bias_lexicon.yaml",
    "two_track.py",
    "two_track_lexicon.yaml",
)


def _version() -> str:
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update(name.encode() + b"\0" + (files("synth.guards") / name).read_bytes())
    return digest.hexdigest()[:16]


FLAGS_VERSION = _version()


def stored(texts: Iterable[str | None]) -> tuple[list[dict[str, Any]], str]:
    """The flags of a submission as stored with it, and the version that made them."""
    return [f.model_dump(mode="json") for f in text_flags(texts)], FLAGS_VERSION


def current(
    flags: Sequence[dict[str, Any]] | None, version: str | None, texts: Iterable[str | None]
) -> list[Finding]:
    """The stored flags when today's guards made them, else computed now."""
    if flags is not None and version == FLAGS_VERSION:
        return [Finding.model_validate(f) for f in flags]
    return text_flags(texts)


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
