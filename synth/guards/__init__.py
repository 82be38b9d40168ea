"""Guards: pure checks run on every draft from every drafter (issue 5, first slice).

Each guard returns `Finding`s; the blocking ones stop release until a manager edits the
draft or overrides with a reason. Nothing here touches the database yet.

- `citations.check_citations`: every quote is a literal span of a source of this engineer and
  period (blocking), and each claim shares words with what it cites (a warning).
- `two_track.check_two_track`: the engineer-facing version never mentions pay, ratings,
  promotion, level decisions, calibration or talent assessment (blocking).
- `injection.detect_injection` / `check_feedback` / `check_followed`: instruction-like content
  in untrusted feedback, and drafts that did what it asked (blocking).
"""

from synth.guards.citations import check_citations, supported_share
from synth.guards.findings import Finding
from synth.guards.injection import check_feedback, check_followed, detect_injection
from synth.guards.two_track import check_two_track

__all__ = [
    "Finding",
    "check_citations",
    "check_feedback",
    "check_followed",
    "check_two_track",
    "detect_injection",
    "supported_share",
]
