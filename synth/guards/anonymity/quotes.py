"""Cutting quotes: the part of a reviewer's sentence that may be shown outside the 1:1.

`cut_quote` gives the part of a quote that may be shown to the engineer: it drops every clause
that trips the anonymity checks (names, emails, handles, identifying phrases), speaks in the
first person or opens with "As the/a/an ...", and keeps at most `max_words` words (fewer than
`VERBATIM_WORDS`, so the cut is never a verbatim run). `example_cut` is what an example shown
to the engineer or HR may hold.
"""

import re
from collections.abc import Sequence

from synth.guards.anonymity import Reviewer
from synth.guards.anonymity.check import identifying_hits
from synth.guards.anonymity.names import reviewer_names_pattern
from synth.guards.anonymity.phrases import identifying_phrases
from synth.guards.two_track import mentions_talent_track

_WORD = re.compile(r"\w+")

# Clause boundaries: sentence ends, and commas, colons, semicolons, dashes and brackets.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)]*(?=\s|$)|[,;:](?=\s|$)|[()\[\]—–]|\s-\s|\n")
_FIRST_PERSON = re.compile(r"\bI\b|\b(?i:me|my|mine|myself)\b")
_OPENS_AS = re.compile(r"\s*[\"'“‘(]?as\s+(?:the|an?)\b", re.IGNORECASE)
_DANGLING = " \t\n,;:-–—(["
_OPENING = "\"'“‘"


def _clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause, its closing punctuation included."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if _WORD.search(text, s, e)]


def _fullest_run(
    quote: str, clauses: list[tuple[int, int]], dropped: set[int], max_words: int
) -> tuple[int, int] | None:
    """The first run of consecutive kept clauses with the most words, up to `max_words`."""
    runs: list[tuple[int, int]] = []
    for i in range(len(clauses)):
        if i in dropped:
            continue
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))

    def size(run: tuple[int, int]) -> int:
        words = _WORD.findall(quote, clauses[run[0]][0], clauses[run[1]][1])
        return min(len(words), max_words)

    return max(runs, key=size) if runs else None


def cut_quote(quote: str, *, reviewers: Sequence[Reviewer], max_words: int = 7) -> str | None:
    """The non-identifying part of `quote`, at most `max_words` words; None if nothing is."""
    names = reviewer_names_pattern(reviewers, None)
    phrases = identifying_phrases(reviewers)
    clauses = _clauses(quote)
    dropped = {
        i
        for i, (s, e) in enumerate(clauses)
        if _FIRST_PERSON.search(quote, s, e) or _OPENS_AS.match(quote, s)
    }
    for hit in identifying_hits(quote, names, phrases):
        dropped.update(i for i, (s, e) in enumerate(clauses) if s < hit.end and hit.start < e)
    while True:
        best = _fullest_run(quote, clauses, dropped, max_words)
        if best is None:
            return None
        start, end = clauses[best[0]][0], clauses[best[1]][1]
        while quote[start].isspace():
            start += 1
        words = list(_WORD.finditer(quote, start, end))
        cut = len(words) > max_words
        if cut:
            end = words[max_words].start()
            space = max(quote.rfind(" ", start, end), quote.rfind("\n", start, end))
            end = space if space > words[0].start() else words[max_words - 1].end()
        core = quote[start:end].rstrip(_DANGLING + _OPENING + ".!?" if cut else _DANGLING)
        text = core + ("…" if cut else "")
        late = identifying_hits(text, names, phrases)
        if not late:
            return text if _WORD.search(text) else None
        # Cutting can put a pointer next to a verb; drop what it touched and choose again.
        for hit in late:
            a, b = start + min(hit.start, len(core) - 1), start + min(hit.end, len(core))
            dropped.update(i for i, (s, e) in enumerate(clauses) if s < b and a < e)


_LEADING = re.compile(r"^(?:and|but|so|or|because|also|though)\s+", re.IGNORECASE)
EXAMPLE_MIN_WORDS = 4  # "and she always helps." says nothing on its own


def example_cut(quote: str, *, reviewers: Sequence[Reviewer]) -> str | None:
    """What a reader outside the 1:1 (the engineer, HR) may see of a reviewer's sentence: its
    non-identifying part (`cut_quote`), without a leading conjunction, at least four words,
    and never one that talks about pay, ratings or promotion (the other track's business)."""
    cut = cut_quote(quote, reviewers=reviewers)
    if cut is None:
        return None
    cut = _LEADING.sub("", cut)
    if len(cut.rstrip("…").split()) < EXAMPLE_MIN_WORDS or mentions_talent_track(cut):
        return None
    return cut
