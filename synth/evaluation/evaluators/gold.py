"""A case's gold annotations located in what was stored, and when a span "is" a gold quote.

A gold quote is located in the stored text of its feedback; a citation or a theme's
statement "is" a gold quote when it covers at least half of it (a quote cut mid-sentence
still counts; one that shares a word does not).
"""

from dataclasses import dataclass
from typing import Any

from synth.evaluation.cases import Case, Quoted
from synth.evaluation.runner import CaseRun
from synth.evidence import Citation

Span = tuple[Any, int, int]  # (source id, start, end)
COVERS = 0.5  # a span "is" a gold quote when it covers this share of it


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def gold_span(run: CaseRun, quoted: Quoted) -> Span | None:
    """Where a gold quote sits in its stored feedback (None if the text was changed)."""
    source = run.feedback_ids[quoted.feedback]
    at = run.feedback_texts[source].find(quoted.quote)
    if at < 0:
        at = run.feedback_texts[source].find(quoted.quote.strip())
    return (source, at, at + len(quoted.quote)) if at >= 0 else None


def covers(span: Span, gold: Span) -> bool:
    """True when `span` covers at least COVERS of the gold span."""
    if span[0] != gold[0]:
        return False
    return overlap(span[1:], gold[1:]) >= COVERS * max(1, gold[2] - gold[1])


def cited(citation: Citation) -> Span:
    return (citation.source_id, citation.start, citation.end)


@dataclass
class Gold:
    """A case's gold annotations located in what was stored."""

    members: list[tuple[int, Span]]  # (gold theme index, span)
    polarity: list[str]
    key_evidence: list[Span]

    @classmethod
    def of(cls, case: Case, run: CaseRun) -> "Gold":
        members = [
            (i, span)
            for i, theme in enumerate(case.gold.themes)
            for q in theme.members
            if (span := gold_span(run, q)) is not None
        ]
        evidence = [s for q in case.gold.key_evidence if (s := gold_span(run, q)) is not None]
        return cls(members, [t.polarity for t in case.gold.themes], evidence)

    def theme_of(self, span: Span) -> int | None:
        """The gold theme whose member `span` covers (or is covered by), if any."""
        for i, gold in self.members:
            if covers(span, gold) or covers(gold, span):
                return i
        return None
