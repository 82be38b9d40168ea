"""Split free text into statements (sentences, and clauses of mixed sentences) with offsets.

Every statement keeps its exact span in the source, so `source[start:end] == text` and a
draft can later cite a verbatim quote. Rules, not a model: deterministic and language-light
(it needs sentence punctuation, which nearly every language in feedback uses).
"""

import re
from dataclasses import dataclass

# Sentence ends: . ! ? … (and CJK 。！？) followed by space, or line breaks / bullets.
_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])[\"'”’)\]]*\s+|\n\s*(?:[-*•·]\s+|\d+[.)]\s+)?|\n")
_ABBREVIATIONS = re.compile(
    r"\b(?:e\.g|i\.e|etc|vs|mr|mrs|ms|dr|prof|approx|incl|no|fig|jr|sr|st|inc|ltd|co)\.$",
    re.IGNORECASE,
)
# Clause breaks where a sentence turns (", but", " however", " although"): the two halves
# often carry opposite polarity ("clear docs, but late updates"), so they are two statements.
_CLAUSE = re.compile(r",?\s+(?=(?:but|however|although|though)\b)", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")
MIN_CLAUSE_WORDS = 4
MAX_STATEMENT_CHARS = 1_000


@dataclass(frozen=True)
class Span:
    """A statement: its text and where it sits in the source (end exclusive)."""

    start: int
    end: int
    text: str


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _trimmed(source: str, start: int, end: int) -> Span | None:
    """The span without surrounding whitespace and bullets; None when nothing is left."""
    piece = source[start:end]
    bullet = _BULLET.match(piece)
    if bullet:
        start += bullet.end()
    while start < end and source[start].isspace():
        start += 1
    while end > start and source[end - 1].isspace():
        end -= 1
    if not re.search(r"\w", source[start:end]):
        return None
    return Span(start, end, source[start:end])


def _sentences(source: str) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(source):
        if _ABBREVIATIONS.search(source[start : match.start()].rstrip("\"'”’)]")):
            continue
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(source)))
    return bounds


def _clauses(source: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split at clause breaks when both sides are substantial; else keep the sentence."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for match in _CLAUSE.finditer(source, start, end):
        left, right = source[cursor : match.start()], source[match.end() : end]
        if _words(left) >= MIN_CLAUSE_WORDS and _words(right) >= MIN_CLAUSE_WORDS:
            pieces.append((cursor, match.start()))
            cursor = match.end()
    pieces.append((cursor, end))
    return pieces


def _chunks(start: int, end: int) -> list[tuple[int, int]]:
    """Cut an overlong run of text (no punctuation) into bounded pieces."""
    return [(s, min(s + MAX_STATEMENT_CHARS, end)) for s in range(start, end, MAX_STATEMENT_CHARS)]


def split_sentences(source: str) -> list[Span]:
    """The whole sentences of `source`, in order, each a verbatim span of it (no clause
    splits: for quoting a sentence as it was written)."""
    spans = [_trimmed(source, start, end) for start, end in _sentences(source)]
    return [span for span in spans if span is not None]


def split_statements(source: str) -> list[Span]:
    """The statements of `source`, in order, each a verbatim span of it."""
    spans: list[Span] = []
    for s_start, s_end in _sentences(source):
        for c_start, c_end in _clauses(source, s_start, s_end):
            for k_start, k_end in _chunks(c_start, c_end):
                span = _trimmed(source, k_start, k_end)
                if span is not None:
                    spans.append(span)
    return spans
