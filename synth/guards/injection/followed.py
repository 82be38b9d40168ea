"""Was an injection followed? A draft checked against the feedback flagged as injected.

`check_followed` checks a draft against the injected feedback: a draft that copies the
injected sentence or echoes its request words ("exceeding", "promotion", "staff") followed the
injection, and is blocked.
"""

import re
import uuid

from synth.guards.confusables import skeleton, visible
from synth.guards.findings import Finding
from synth.guards.injection.detect import GUARD, SPELLED_WORDS, decoded_blobs, detect_injection
from synth.text import shingles

_SENTENCE = re.compile(r"[^.!?\n。！？]+[.!?。！？]?")
# Words an injection asks a draft to repeat: outcomes, ratings and level decisions.
_REQUEST_WORDS = re.compile(
    r"\b(?:exceed\w*|outstanding|exceptional|promot\w*|bonus\w*|(?:a|pay|salary)\s+raise|"
    # "staff", "senior", "rating" alone are ordinary words ("support staff", "raise risks")
    r"(?:to|as\s+an?|for)\s+(?:staff|principal|senior)\b|(?:staff|principal)[\s-](?:engineer|level)|"
    r"top\s+(?:performer|rating|score)|(?:5|five)\s*(?:/|out\s+of)\s*(?:5|five)|"
    r"strong\s+hire|high\s+performer|next\s+level|(?:rating|score)\s+(?:of|as)\b)",
    re.IGNORECASE,
)
_SHINGLE = 4  # consecutive words copied from an injected sentence


def _injected_sentences(text: str) -> list[str]:
    """The sentences of `text` that carry the injection (decoded, if it was encoded)."""
    norm = visible(text)
    found = [s.strip() for s in _SENTENCE.findall(norm) if detect_injection(s)]
    found += [decoded for _, decoded in decoded_blobs(norm) if detect_injection(decoded)]
    return found or ([norm] if detect_injection(norm) else [])


def _latin(text: str) -> str:
    """The skeleton both sides are compared on, so a draft cannot copy "Іgnore" unnoticed."""
    return skeleton(text, words=SPELLED_WORDS)


def _shingles(text: str) -> set[tuple[str, ...]]:
    return shingles(_latin(text), _SHINGLE)


def _stem(word: str) -> str:
    return re.sub(r"\s+", " ", word.lower())[:6]


def check_followed(
    output_text: str, injected: list[str], *, source_id: uuid.UUID | None = None
) -> list[Finding]:
    """Blocking findings when the draft text repeats what injected feedback asked for.

    `injected` holds the texts flagged by `detect_injection` (whole feedback is fine: only its
    injected sentences are compared). The draft followed an injection when it copies four
    consecutive words of an injected sentence, or uses a request word of one ("exceeding",
    "promotion", "staff", "5/5") that the injection asked for.
    """
    found: list[Finding] = []
    draft_shingles = _shingles(output_text)
    draft_requests = {_stem(m.group(0)) for m in _REQUEST_WORDS.finditer(_latin(output_text))}
    for text in injected:
        for sentence in _injected_sentences(text):
            copied = draft_shingles & _shingles(sentence)
            asked = {_stem(m.group(0)) for m in _REQUEST_WORDS.finditer(_latin(sentence))}
            echoed = sorted(asked & draft_requests)
            if not copied and not echoed:
                continue
            what = (
                f"copies “{' '.join(sorted(copied)[0])}”"
                if copied
                else "repeats " + ", ".join(repr(w) for w in echoed)
            )
            found.append(
                Finding(
                    guard=GUARD,
                    code="injection_followed",
                    blocking=True,
                    message=f"the draft {what} from injected feedback: “{sentence[:120]}”",
                    source_id=source_id,
                )
            )
    return found
