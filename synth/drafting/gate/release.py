"""The engineer-facing version of a draft: one projection, built from an allow-list.

Everything an engineer reads is rebuilt here from the approved content and the inputs it was
drafted from, and only from what is allowed:

- a theme (a synthesis section) is shown only when at least `anonymity_threshold` distinct
  reviewers outside the engineer's management chain back it. The count is verified from the
  citations (literal spans of this period's feedback) and the input themes they come from,
  never taken from the draft: "4 reviewers" over one person's quotes, or over the manager and
  the skip-level, releases nothing. The manager's and skip-level's feedback is theirs to
  discuss in the 1:1; counted towards the threshold it would single out the one peer beside
  them;
- examples are cut (`synth.guards.anonymity.quotes.cut_quote`: no names, roles or first-person
  asides, at most seven words) from quotes that are literal spans of feedback from reviewers
  outside the chain, cited by a shown theme. A manager's own wording, or a quote an override
  let through, is never shown as a reviewer's words;
- expectation evidence is shown for the engineer's own agreed expectations (titles as agreed,
  not as drafted); its note and status only when every peer citation behind it is released
  material;
- an expectation suggestion is shown only when what it answers (`source`) is on the
  allow-list: a released theme, the team's objectives, onboarding, or a competency of the
  level or the next one. A suggestion built on a withheld theme stays in the manager's
  version;
- nothing that names a withheld theme survives, in any field of any kind.

Source ids, claims, self-versus-peer notes, talking points, vague or unused feedback and
coverage stay in the manager's version. Checklists belong to the talent-mapping track and are
never projected.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from synth.drafting.inputs import (
    DraftInputs,
    ExpectationInputs,
    FeedbackItem,
    SynthesisInputs,
    ThemeInput,
)
from synth.drafting.models import DraftKind
from synth.guards.anonymity import Reviewer
from synth.guards.anonymity.quotes import example_cut
from synth.guards.anonymity.relationships import without_relationships
from synth.text import strings

EXAMPLES = 2
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_JOINERS = frozenset({"and", "&"})
DISCUSS = "Your manager will go through the evidence for this expectation with you in your 1:1."


def _tokens(text: str) -> list[str]:
    return [t for t in (w.lower() for w in _TOKEN.findall(text)) if t not in _JOINERS]


def _names(text: str, label: str) -> bool:
    """True when `text` carries the theme label `label` ("prs · pushes" is named by "Prs and
    pushes" as by “prs and pushes”): its words in a row, separators and "and" ignored."""
    words, needle = _tokens(text), _tokens(label)
    if not needle:
        return False
    return any(words[i : i + len(needle)] == needle for i in range(len(words) - len(needle) + 1))


def _norm(text: str) -> str:
    return " ".join(_tokens(text))


@dataclass(frozen=True)
class Allowed:
    """What may reach the engineer from one draft's inputs."""

    threshold: int
    released: tuple[ThemeInput, ...]
    withheld: tuple[ThemeInput, ...]
    feedback: dict[str, FeedbackItem]
    sources: frozenset[str]  # allowed `source` values of expectation suggestions (normalised)

    @classmethod
    def of(cls, inputs: DraftInputs, threshold: int) -> "Allowed":
        released = tuple(t for t in inputs.themes if t.outside_chain >= threshold)
        withheld = tuple(t for t in inputs.themes if t.outside_chain < threshold)
        feedback = (
            {str(f.id): f for f in inputs.feedback}
            if not isinstance(inputs, ExpectationInputs)
            else {}
        )
        sources: set[str] = {_norm(t.label) for t in released} | {"onboarding"}
        if isinstance(inputs, ExpectationInputs):
            sources |= {_norm(o) for o in inputs.objectives}
        return cls(threshold, released, withheld, feedback, frozenset(sources))

    def tainted(self, value: Any) -> bool:
        """True when any string in `value` names a withheld theme (one whose label no
        released theme shares)."""
        return any(_names(text, label) for _, text in strings(value) for label in self.hidden)

    @property
    def hidden(self) -> list[str]:
        released = {_norm(t.label) for t in self.released}
        return [t.label for t in self.withheld if _norm(t.label) not in released]

    def literal(self, citation: dict[str, Any]) -> FeedbackItem | None:
        """The feedback a citation quotes word for word, when its author is outside the
        engineer's management chain; None for anything else."""
        if citation.get("source_kind", "peer_feedback") != "peer_feedback":
            return None
        item = self.feedback.get(str(citation.get("source_id")))
        if item is None or item.in_chain:
            return None
        start, end, quote = citation.get("start"), citation.get("end"), citation.get("quote")
        if not isinstance(start, int) or not isinstance(end, int) or not isinstance(quote, str):
            return None
        return item if quote and item.text[start:end] == quote else None

    def cited(self, section: dict[str, Any]) -> list[tuple[FeedbackItem, dict[str, Any]]]:
        """(feedback, citation) for each literal, outside-chain citation of a section."""
        return [
            (item, c)
            for claim in section.get("claims", [])
            for c in claim.get("citations", [])
            if (item := self.literal(c)) is not None
        ]

    def reviewers(self, section: dict[str, Any]) -> int:
        """Distinct reviewers outside the chain behind a section, never more than the draft
        says: those its literal citations show, or those of an input theme whose statements
        every one of its citations quotes (by span: one piece of feedback can feed a released
        theme and a withheld one)."""
        claimed = int(section.get("reviewers", 0))
        cited = self.cited(section)
        counts = [len({item.reviewer for item, _ in cited})]
        counts += [
            t.outside_chain
            for t in (*self.released, *self.withheld)
            if cited and all(t.holds(item.id, c["start"], c["end"]) for item, c in cited)
        ]
        return min(claimed, max(counts))

    def shown(self, section: dict[str, Any]) -> bool:
        return self.reviewers(section) >= self.threshold and not self.tainted(
            {"theme": section.get("theme"), "summary": section.get("summary")}
        )

    def source_allowed(self, suggestion: dict[str, Any], inputs: ExpectationInputs) -> bool:
        """A suggestion answers something on the allow-list and names no withheld theme."""
        if self.tainted(suggestion):
            return False
        source = _norm(str(suggestion.get("source", "")))
        if source in self.sources:
            return True
        competencies = [*inputs.level.expectations, *inputs.level.next_level_expectations]
        _, _, after = str(suggestion.get("source", "")).rpartition(":")
        return _norm(after) in {_norm(c.replace("_", " ")) for c in competencies}


def _examples(
    section: dict[str, Any], allowed: Allowed, reviewers: Sequence[Reviewer]
) -> list[str]:
    """Up to two cut quotes, each from a different piece of released feedback."""
    found: list[str] = []
    sources: set[str] = set()
    for item, citation in allowed.cited(section):
        if str(item.id) in sources or len(found) == EXAMPLES:
            continue
        cut = example_cut(str(citation["quote"]), reviewers=reviewers)
        if cut is not None and cut not in found:
            found.append(cut)
            sources.add(str(item.id))
    return found


def _theme_names(sections: list[dict[str, Any]]) -> str:
    names = [f"“{s['theme']}”" for s in sections]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _overview(strengths: list[dict[str, Any]], growth: list[dict[str, Any]]) -> str:
    parts = []
    if strengths:
        parts.append(f"Your reviewers see strengths in {_theme_names(strengths)}.")
    if growth:
        parts.append(f"The areas they most suggest working on: {_theme_names(growth)}.")
    if not parts:
        parts.append("Your reviewers did not converge on common themes this period.")
    parts.append("Your manager will go through the examples with you in your 1:1.")
    return " ".join(parts)


def _evidence(item: dict[str, Any], allowed: Allowed, inputs: SynthesisInputs) -> dict[str, Any]:
    """One expectation's evidence: the agreed title; status and note only when everything
    peer-cited behind them is released material."""
    agreed = {str(e.id): e.title for e in inputs.expectations}
    peer = [
        c
        for c in item.get("citations", [])
        if c.get("source_kind", "peer_feedback") == "peer_feedback"
    ]
    literal = [(found, c) for c in peer if (found := allowed.literal(c)) is not None]
    released = len(literal) == len(peer) and (
        len({found.reviewer for found, _ in literal}) >= allowed.threshold
        or all(
            any(t.holds(found.id, c["start"], c["end"]) for t in allowed.released)
            for found, c in literal
        )
    )
    clean = released and not allowed.tainted(item.get("note", ""))
    title = agreed[str(item["expectation_id"])]
    if clean:
        return {
            "title": title,
            "status": item["status"],
            "note": without_relationships(item["note"]),
        }
    return {"title": title, "status": None, "note": DISCUSS}


def _suggestion(suggestion: dict[str, Any]) -> dict[str, Any]:
    """A released suggestion: why it is suggested, never who said what."""
    smart = dict(suggestion.get("smart", {}))
    if "relevant" in smart:
        smart["relevant"] = without_relationships(str(smart["relevant"]))
    return {
        **suggestion,
        "rationale": without_relationships(str(suggestion.get("rationale", ""))),
        "smart": smart,
    }


def released_sections(
    content: dict[str, Any], allowed: Allowed
) -> list[tuple[str, dict[str, Any], int]]:
    """(path, section, verified reviewers) of every theme section and whether it is shown."""
    return [
        (f"{key}[{i}]", section, allowed.reviewers(section))
        for key in ("strengths", "growth_areas")
        for i, section in enumerate(content.get(key, []))
    ]


def withheld(
    content: dict[str, Any], *, anonymity_threshold: int, inputs: DraftInputs
) -> list[tuple[str, dict[str, Any], int]]:
    """(path, section, verified reviewers) of every theme section the engineer will not see."""
    allowed = Allowed.of(inputs, anonymity_threshold)
    return [
        (path, section, count)
        for path, section, count in released_sections(content, allowed)
        if not allowed.shown(section)
    ]


def withheld_suggestions(
    content: dict[str, Any], *, anonymity_threshold: int, inputs: DraftInputs
) -> list[tuple[str, dict[str, Any]]]:
    """(path, suggestion) of every expectation suggestion the engineer will not see."""
    if not isinstance(inputs, ExpectationInputs):
        return []
    allowed = Allowed.of(inputs, anonymity_threshold)
    return [
        (f"expectations[{i}]", s)
        for i, s in enumerate(content.get("expectations", []))
        if not allowed.source_allowed(s, inputs)
    ]


def engineer_version(
    kind: DraftKind,
    content: dict[str, Any],
    *,
    anonymity_threshold: int,
    inputs: DraftInputs,
    reviewers: Sequence[Reviewer] = (),
) -> dict[str, Any]:
    """Project approved content onto what the engineer may read (see the module docstring):
    every released view, of every kind, is built here and nowhere else."""
    allowed = Allowed.of(inputs, anonymity_threshold)
    if kind is DraftKind.SYNTHESIS and isinstance(inputs, SynthesisInputs):

        def shown(key: str) -> list[dict[str, Any]]:
            return [
                {
                    "theme": s["theme"],
                    "summary": without_relationships(s["summary"]),
                    "examples": _examples(s, allowed, reviewers),
                }
                for s in content.get(key, [])
                if allowed.shown(s)
            ]

        strengths, growth = shown("strengths"), shown("growth_areas")
        own = {str(e.id) for e in inputs.expectations}
        return {
            # The manager's overview speaks of reviewer counts, vague feedback and themes the
            # engineer may not see; the released one is written from what is released.
            "overview": _overview(strengths, growth),
            "strengths": strengths,
            "growth_areas": growth,
            "expectations": [
                _evidence(e, allowed, inputs)
                for e in content.get("expectations", [])
                if str(e.get("expectation_id")) in own
            ],
        }
    if kind is DraftKind.EXPECTATIONS and isinstance(inputs, ExpectationInputs):
        return {
            "expectations": [
                _suggestion(s)
                for s in content.get("expectations", [])
                if allowed.source_allowed(s, inputs)
            ]
        }
    raise ValueError(f"{kind.value} drafts are never released to the engineer")
