"""The two-track guard: the engineer-facing version never mentions pay or talent decisions.

Feedback (for the engineer) and talent assessment (for the manager and their thought partner)
are separate tracks. `check_two_track` scans every string of `engineer_version(...)` output
and reports each mention of compensation, ratings, promotion, level-change decisions,
calibration or talent assessment, with its path; and any key that only talent assessment
content has. Every finding blocks release and none can be overridden: the split is enforced
in code, so only an edit that takes the words out clears it.

Matching is on whole words, case-insensitive. Deliberate exceptions, to keep the guard usable:
"raise" only counts as pay ("a raise", "pay raise"), not "raise risks earlier"; "pay
attention" and "paid off" are not pay; "next level" counts only as a decision ("ready for the
next level", "move to the next level", "next-level promotion"), not "use the next level's
description as the bar", which growth expectations legitimately say.
"""

import re
from collections.abc import Iterator, Sequence
from typing import Any

from synth.guards.findings import Finding, join, strings

GUARD = "two_track"

_PATTERNS: dict[str, str] = {
    "mentions_compensation": (
        # "Apple Pay", "Google Pay": payment products, not pay
        r"(?<!Apple\s)(?<!Google\s)(?<!Samsung\s)(?<!Amazon\s)(?<!Android\s)(?<!Shop\s)"
        r"\b(?:pay|paid|paying)\b(?!\s+(?:close\s+|more\s+|less\s+)?(?:attention|off|down|back|"
        r"heed|dividends|it\s+forward))"
        r"|\b(?:salary|salaries|payroll|compensation|remuneration|bonus(?:es)?|equity|"
        r"stock\s+options?|stock\s+grants?|rsus?|merit\s+increase|pay\s+(?:rise|band|grade))\b"
        r"|\b(?:a|pay|salary|merit|big|nice|deserved)\s+raises?\b"
        r"|\braises?\s+(?:in|to)\s+(?:pay|salary)\b"
    ),
    "mentions_rating": (
        r"\b(?:ratings?|rated|rate\s+(?:him|her|them|me|you|the\s+engineer)|"
        r"performance\s+(?:score|grade)|(?:exceeds|meets|below)\s+expectations\s+rating)\b"
    ),
    "mentions_promotion": r"\bpromot(?:e|ed|es|ing|ion|ions|able)\b",
    "mentions_level_change": (
        r"\b(?:level|title)\s+(?:change|decision|bump|increase|up)s?\b"
        r"|\blevel(?:led|ed)?[\s-]up\b|\bup-?level(?:led|ed|ing)?\b"
        r"|\b(?:ready\s+for|move\s+(?:up\s+)?to|moving\s+(?:up\s+)?to|step\s+up\s+to|"
        r"jump\s+to|bump(?:ed)?\s+to|get\s+to|reach(?:ed)?)\s+the\s+next\s+level\b"
        r"|\bnext[\s-]level\s+(?:decision|promotion|case|packet|nomination)s?\b"
    ),
    "mentions_calibration": r"\bcalibrat(?:e|ed|es|ing|ion|ions)\b",
    "mentions_talent_assessment": (
        r"\btalent\s+(?:assessments?|map(?:ping)?|reviews?|review\s+board|calibration|pool)\b"
        r"|\b(?:level\s+alignment|recommended\s+level|growth\s+potential|flight\s+risk|"
        r"high[\s-]potential|hipo|nine[\s-]box|9[\s-]box)\b"
    ),
}
_COMPILED = {code: re.compile(p, re.IGNORECASE) for code, p in _PATTERNS.items()}
# Keys only talent assessment content carries: their presence means it flowed in.
TALENT_KEYS = frozenset(
    {
        "assessment_id",
        "level_alignment",
        "recommended_level",
        "confidence",
        "growth_potential",
        "role_fit",
        "development_needs",
    }
)


def _keys(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield join(path, str(key)), str(key)
            yield from _keys(item, join(path, str(key)))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _keys(item, join(path, i))


def forbidden_mentions(text: str) -> list[tuple[str, str]]:
    """(code, matched words) for every off-limits mention in `text`, in order."""
    hits = [
        (m.start(), code, m.group(0)) for code, rx in _COMPILED.items() for m in rx.finditer(text)
    ]
    return [(code, words) for _, code, words in sorted(hits)]


_WORDS = re.compile(r"[^\W_]+")
COPIED_WORDS = 5  # a run this long from a talent assessment is its content, not a coincidence


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(text)]


def _runs(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + COPIED_WORDS]) for i in range(len(words) - COPIED_WORDS + 1)}


def _copied(text: str, talent_texts: Sequence[str], public: set[tuple[str, ...]]) -> str | None:
    """The first run of `COPIED_WORDS` words `text` shares with a talent assessment and with
    nothing `public` (the feedback and expectations the draft is made from): the assessment
    and the feedback often name the same facts ("iOS offline mode on time")."""
    runs = _runs(text) - public
    for source in talent_texts:
        for run in sorted(_runs(source) & runs):
            return " ".join(run)
    return None


def check_two_track(
    engineer_text: dict[str, Any],
    *,
    talent_texts: Sequence[str] = (),
    public_texts: Sequence[str] = (),
) -> list[Finding]:
    """Findings for the engineer-facing version of a draft (as `engineer_version` returns).

    `talent_texts` are the engineer's talent assessments of the period (strengths, development
    needs, coaching plan): words found only there, not in `public_texts` (the feedback and
    expectations drafted from), are talent content too."""
    public = set().union(*(_runs(t) for t in public_texts)) if talent_texts else set()

    def block(code: str, message: str, path: str) -> Finding:
        return Finding(
            guard=GUARD, code=code, blocking=True, overridable=False, message=message, path=path
        )

    found = [
        block(
            "talent_content",
            f"talent assessment field {key!r} in the engineer-facing version",
            path,
        )
        for path, key in _keys(engineer_text)
        if key in TALENT_KEYS
    ]
    for path, text in strings(engineer_text):
        copied = _copied(text, talent_texts, public) if talent_texts else None
        if copied is not None:
            message = f"words from the talent assessment in engineer-facing text: {copied!r}"
            found.append(block("talent_content", message, path))
        for code, words in forbidden_mentions(text):
            found.append(block(code, f"the engineer-facing text mentions {words!r}", path))
    return found
