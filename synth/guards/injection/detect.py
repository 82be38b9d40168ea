"""Detecting injection: why a piece of feedback looks addressed to a model, not a person.

`detect_injection` runs the English rules (`rules`) and the other languages' (`multilingual`),
and runs itself again on base64 or hex blobs that decode to text. English patterns also run on
the text's Latin skeleton (synth.guards.confusables), which undoes homoglyphs, zero-width
characters, spelled-out and leetspeak words. `check_feedback` turns the reasons into a
non-blocking finding on the feedback: a false positive only flags it for a manager.
"""

import base64
import binascii
import re
from collections.abc import Iterable

from synth.guards.confusables import skeleton, visible
from synth.guards.findings import Finding, Source
from synth.guards.injection.multilingual import multilingual_rules
from synth.guards.injection.rules import COMPILED, DICTATES, OVERRIDE, OVERRIDE_ANY

GUARD = "injection"

_BLOB = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_HEX = re.compile(r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}){12,}(?![0-9A-Za-z])")
_ENCODED = "encoded text ({}) that decodes to: "
# Words a spelled-out run of letters is cut into ("i g n o r e a l l" -> "ignore all").
SPELLED_WORDS = frozenset(
    """ignore disregard forget override bypass skip drop all any every the your my previous prior
    earlier above system instructions instruction rules prompt prompts guidelines context and rate
    him her them as exceeding exceeds expectations promote promotion to staff senior you are now
    act new task output only say write that""".split()
)


def normalise(text: str) -> str:
    """Fold look-alike characters (fullwidth, ligatures) and drop invisible ones."""
    return visible(text)


def _decoded(blob: str, kind: str) -> str | None:
    try:
        if kind == "hex":
            raw = bytes.fromhex(blob)
        else:
            raw = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    printable = sum(ch.isprintable() or ch.isspace() for ch in text)
    return text if text and printable / len(text) > 0.95 else None


def decoded_blobs(norm: str) -> Iterable[tuple[str, str]]:
    """(kind, decoded text) of each base64 or hex blob in `norm` that decodes to text."""
    for kind, rx in (("base64", _BLOB), ("hex", _HEX)):
        for blob in rx.findall(norm):
            decoded = _decoded(blob, kind)
            if decoded is not None:
                yield kind, decoded


def detect_injection(text: str, *, _depth: int = 0) -> list[str]:
    """Why `text` looks like instructions to a model; empty when it reads as feedback."""
    norm = visible(text)
    # English patterns also run on the Latin skeleton ("Іgnore" with a Cyrillic І, "i g n o r e"),
    # the other languages' on both: their words keep their own script in the skeleton.
    views = dict.fromkeys([norm, skeleton(norm, words=SPELLED_WORDS)])
    reasons = [reason for reason, rx in COMPILED if any(rx.search(v) for v in views)]
    stems, set_aside, say = multilingual_rules()
    if OVERRIDE not in reasons and any(
        any(stem in v.lower() for stem in stems) and any(rule.search(v) for rule in set_aside)
        for v in views
    ):
        reasons.insert(0, OVERRIDE_ANY)
    if DICTATES not in reasons and any(say.search(v) for v in views):
        reasons.append(DICTATES)
    if _depth < 2:
        for kind, decoded in decoded_blobs(norm):
            prefix = _ENCODED.format(kind)
            inner = detect_injection(decoded, _depth=_depth + 1)
            reasons += [r if r.startswith("encoded text") else prefix + r for r in inner]
    return list(dict.fromkeys(reasons))


def check_feedback(items: Iterable[Source]) -> list[Finding]:
    """A non-blocking finding on each piece of feedback that looks like an injection."""
    return [
        Finding(
            guard=GUARD,
            code="injection_suspected",
            blocking=False,
            message="instruction-like content in feedback: " + "; ".join(reasons),
            source_id=item.id,
        )
        for item in items
        if (reasons := detect_injection(item.text))
    ]
