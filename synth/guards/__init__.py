"""Guards: checks run on every draft from every drafter, and on the feedback itself.

Each guard is a pure function returning `Finding`s. Guards sit at the bottom: they import
only each other and the bottom modules (synth.evidence for what drafts cite, synth.text for
folding, names, copied runs and walkers; tests/test_structure.py keeps it so).
`synth.drafting.gate.review` runs them all on one draft and the approval gate
(synth.drafting.service) refuses release while a blocking one is open.

- `citations`: quotes are literal spans of this engineer's sources (blocking); claims are
  supported by what they cite (warning, and the supported share).
- `anonymity`: no reviewer name, email, handle, identifying detail or verbatim sentence in
  the engineer-facing version (blocking); `anonymity.quotes.cut_quote` for the non-identifying
  part of a quote.
- `two_track`: nothing about pay, ratings, promotion, calibration or talent assessment in the
  engineer-facing version (blocking, never overridable).
- `injection`: instruction-like feedback is flagged, and a draft that followed it blocked.
- `bias`: personality-focused, gendered or coded words, with a suggestion (warning).
- `pii`: names and emails become stable placeholders before any non-local model call.
- `flags`: injection and bias flags on a piece of feedback, shown to whoever reads it.
"""

from synth.guards.citations import check_citations, check_quotes, supported_share
from synth.guards.findings import Finding
from synth.guards.injection.detect import check_feedback, detect_injection
from synth.guards.injection.followed import check_followed
from synth.guards.two_track import check_two_track

__all__ = [
    "Finding",
    "check_citations",
    "check_feedback",
    "check_followed",
    "check_quotes",
    "check_two_track",
    "detect_injection",
    "supported_share",
]
