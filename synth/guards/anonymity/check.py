"""The anonymity check: findings on the engineer-facing version of a draft.

`check_anonymity` scans every string of `engineer_version(...)` output, with its path, and
reports (all blocking):

- `author_named`: a reviewer's full name, first name or surname, or their dotted email local
  part (`names`); the subject's own name is allowed.
- `email_present`: any email address.
- `reviewer_handle`: the pseudonymous handles drafters see ("R3", "reviewer #2").
- `identifying_detail`: a phrase from `identifying_phrases` (`phrases`).
- `verbatim_quote`: a run of `VERBATIM_WORDS` or more consecutive words copied from any
  feedback text; a reviewer's exact words identify them by their style.
- `relationship_stated`: a describing field that says which relationships said what
  (`relationships`).
"""

import re
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from synth.evidence import PersonName
from synth.guards.anonymity import GUARD, Reviewer
from synth.guards.anonymity.names import reviewer_names_pattern
from synth.guards.anonymity.phrases import identifying_phrases
from synth.guards.anonymity.relationships import relationships_stated
from synth.guards.findings import Finding
from synth.text import EMAIL, copied_runs, fold_mapped, shingles, strings

VERBATIM_WORDS = 8

_HANDLE = re.compile(
    r"\b(?:(?i:reviewers?)\s+)?R\d{1,3}\b|\b(?i:reviewers?)\s*(?:#\s*)?\d{1,3}(?![\w:])"
)


class _Hit(NamedTuple):
    start: int
    end: int
    code: str
    message: str


def identifying_hits(
    text: str, names: re.Pattern[str] | None, phrases: list[tuple[str, re.Pattern[str]]]
) -> list[_Hit]:
    """Every name, email, handle and identifying phrase in `text`, without overlaps per code."""
    hits: list[_Hit] = []
    if names is not None:
        folded, origin = fold_mapped(text)
        for m in names.finditer(folded):
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            hits.append(
                _Hit(
                    start,
                    end,
                    "author_named",
                    f"{text[start:end]!r} names a reviewer of this draft: the engineer-facing "
                    "version never says who wrote what",
                )
            )
    for m in EMAIL.finditer(text):
        hits.append(
            _Hit(m.start(), m.end(), "email_present", f"email address {m.group(0)!r}: remove it")
        )
    for m in _HANDLE.finditer(text):
        hits.append(
            _Hit(
                m.start(),
                m.end(),
                "reviewer_handle",
                f"reviewer handle {m.group(0)!r} points at one reviewer: describe the pattern "
                "across reviewers instead",
            )
        )
    for what, pattern in phrases:
        for m in pattern.finditer(text):
            words = m.group(0).strip()
            hits.append(
                _Hit(
                    m.end() - len(m.group(0).lstrip()),
                    m.end(),
                    "identifying_detail",
                    f"{words!r} points at one reviewer ({what}): describe the behaviour, not "
                    "who noticed it",
                )
            )
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if not any(k.code == hit.code and k.start < hit.end and hit.start < k.end for k in kept):
            kept.append(hit)
    return kept


def check_anonymity(
    engineer_text: dict[str, Any],
    *,
    reviewers: Sequence[Reviewer],
    feedback_texts: Sequence[str],
    subject: PersonName | None = None,
    known: Collection[str] = (),
) -> list[Finding]:
    """Findings for the engineer-facing version of a draft (as `engineer_version` returns).

    Strings equal to one of `known` are the engineer's own agreed texts (expectation titles
    such as "Mentor Nadia through her first on-call"), not drafted words: they are skipped."""
    names = reviewer_names_pattern(reviewers, subject)
    phrases = identifying_phrases(reviewers)
    grams = set().union(*(shingles(source, VERBATIM_WORDS) for source in feedback_texts))
    found: list[Finding] = []
    for path, text in strings(engineer_text):
        if text in known:
            continue
        found += relationships_stated(text, path)
        for hit in identifying_hits(text, names, phrases):
            found.append(
                Finding(guard=GUARD, code=hit.code, blocking=True, message=hit.message, path=path)
            )
        for start, end, n in copied_runs(text, grams, VERBATIM_WORDS):
            copied = text[start:end]
            shown = copied if len(copied) <= 60 else copied[:57] + "…"
            found.append(
                Finding(
                    guard=GUARD,
                    code="verbatim_quote",
                    blocking=True,
                    message=f"{n} words copied verbatim from feedback ({shown!r}): a "
                    "reviewer's exact words identify them by their style; paraphrase it or cut "
                    "it to the non-identifying part",
                    path=path,
                )
            )
    return found
