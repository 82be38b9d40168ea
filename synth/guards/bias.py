"""The bias guard: personality-focused, gendered or coded words, in drafts and in feedback.

Reviews of women and of under-represented engineers carry more words about personality
("abrasive", "emotional", "bossy") and fewer about work and its effect (Snyder 2014, "The
abrasiveness trap"; Correll and Simard 2016; Textio's review studies); age, ethnicity and
"culture fit" also hide in coded words ("articulate", "digital native", "old-school"). The
guard flags each such word with a suggestion of what to write instead, the behaviour and its
effect, so a manager sees it before the text reaches anyone. Findings never block: a word is a
prompt to rewrite, not proof of bias.

Matching is on whole words, case-insensitive, with inflections. A term of the vocabulary
(`synth.guards.bias_lexicon`) may carry a `when` context it must sit in, or an `unless`
context that makes it about work rather than a person; for instance "aggressive timeline", "we
cache aggressively", "difficult bug", "polished UI" and "emotional support" pass.
"""

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from synth.guards.bias_lexicon import CODED, GENDERED, PERSONALITY, Term, lexicon
from synth.guards.findings import Finding, Source
from synth.text import strings

GUARD = "bias"
_LABELS = {PERSONALITY: "personality-focused", GENDERED: "gendered", CODED: "coded"}


@dataclass(frozen=True)
class BiasHit:
    """One flagged term: the words as written, where they are, and what to write instead."""

    term: str
    start: int
    end: int
    category: str
    suggestion: str


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)


def _context(context: str, pattern: str) -> re.Pattern[str] | None:
    return _rx(context.replace("{w}", f"(?:{pattern})")) if context else None


class _Rule(NamedTuple):
    category: str
    term: Term
    word: re.Pattern[str]
    when: re.Pattern[str] | None
    unless: re.Pattern[str] | None


@cache
def _rules() -> tuple[_Rule, ...]:
    return tuple(
        _Rule(
            category,
            term,
            _rx(term.pattern),
            _context(term.when, term.pattern),
            _context(term.unless, term.pattern),
        )
        for category, terms in lexicon().items()
        for term in terms
    )


def _within(span: tuple[int, int], context: re.Pattern[str], text: str) -> bool:
    return any(m.start() <= span[0] and span[1] <= m.end() for m in context.finditer(text))


def bias_terms(text: str) -> list[BiasHit]:
    """Flagged terms in `text`, in order; where two overlap, the earlier, then longer, wins."""
    hits = [
        BiasHit(m.group(0), m.start(), m.end(), category, term.suggestion)
        for category, term, word, when, unless in _rules()
        for m in word.finditer(text)
        if (when is None or _within(m.span(), when, text))
        and (unless is None or not _within(m.span(), unless, text))
    ]
    kept: list[BiasHit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def _message(hit: BiasHit) -> str:
    kind = "phrase" if " " in hit.term else "word"
    return f'{_LABELS[hit.category]} {kind} "{hit.term}": {hit.suggestion}'


def _warning(
    hit: BiasHit, *, path: str | None = None, source_id: uuid.UUID | None = None
) -> Finding:
    return Finding(
        guard=GUARD,
        code="biased_language",
        blocking=False,
        message=_message(hit),
        path=path,
        source_id=source_id,
    )


def check_bias(value: Any, path: str = "") -> list[Finding]:
    """A warning for each flagged term in every string of `value` (a draft, or part of one)."""
    return [
        _warning(hit, path=where or None)
        for where, text in strings(value, path)
        for hit in bias_terms(text)
    ]


def check_feedback_bias(items: Iterable[Source]) -> list[Finding]:
    """A warning for each flagged term in the feedback a draft rests on."""
    return [_warning(hit, source_id=item.id) for item in items for hit in bias_terms(item.text)]
