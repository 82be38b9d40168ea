"""The engineer-facing version of a draft: what is released, and nothing more.

Source ids, claims (which quote reviewers verbatim), self-versus-peer notes, 1:1 talking
points, vague or unused feedback lists and coverage stay in the manager's version: a
reviewer's own words can identify them, so the engineer reads each theme's synthesised
summary, and at most two short examples per theme cut from the quotes to their
non-identifying part (no names, roles, first-person asides, at most seven words:
`synth.guards.anonymity.cut_quote`), never a reviewer's sentence whole. The manager talks the
full examples through in the 1:1.

A theme is shown only when at least `anonymity_threshold` distinct reviewers back it, and
that count is verified rather than taken from the draft: a drafter (or an edit) that says
"4 reviewers" over quotes from one person does not get a single reviewer's theme released.
"""

import re
from collections.abc import Sequence
from typing import Any

from synth.drafting.inputs import DraftInputs, SynthesisInputs
from synth.drafting.models import DraftKind
from synth.guards.anonymity import Reviewer, cut_quote

EXAMPLES = 2
MIN_WORDS = 4  # "and she always helps." says nothing on its own
_LEADING = re.compile(r"^(?:and|but|so|or|because|also)\s+", re.IGNORECASE)


def _examples(section: dict[str, Any], reviewers: Sequence[Reviewer]) -> list[str]:
    """Up to two cut quotes, each from a different piece of feedback."""
    found: list[str] = []
    sources: set[str] = set()
    for claim in section.get("claims", []):
        for c in claim.get("citations", []):
            if c.get("source_kind", "peer_feedback") != "peer_feedback":
                continue
            if str(c["source_id"]) in sources or len(found) == EXAMPLES:
                continue
            cut = cut_quote(str(c["quote"]), reviewers=reviewers)
            cut = _LEADING.sub("", cut) if cut else None
            if cut and len(cut.rstrip("…").split()) >= MIN_WORDS and cut not in found:
                found.append(cut)
                sources.add(str(c["source_id"]))
    return found


def _section(section: dict[str, Any], reviewers: Sequence[Reviewer]) -> dict[str, Any]:
    return {
        "theme": section["theme"],
        "summary": section["summary"],
        "examples": _examples(section, reviewers),
    }


def _names(sections: list[dict[str, Any]]) -> str:
    names = [f"“{s['theme']}”" for s in sections]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _overview(strengths: list[dict[str, Any]], growth: list[dict[str, Any]]) -> str:
    parts = []
    if strengths:
        parts.append(f"Your reviewers see strengths in {_names(strengths)}.")
    if growth:
        parts.append(f"The areas they most suggest working on: {_names(growth)}.")
    if not parts:
        parts.append("Your reviewers did not converge on common themes this period.")
    parts.append("Your manager will go through the examples with you in your 1:1.")
    return " ".join(parts)


def cited_ids(section: dict[str, Any]) -> set[str]:
    """The peer feedback a theme section cites."""
    return {
        str(c["source_id"])
        for claim in section.get("claims", [])
        for c in claim.get("citations", [])
        if c.get("source_kind", "peer_feedback") == "peer_feedback"
    }


def verified_reviewers(section: dict[str, Any], inputs: SynthesisInputs | None) -> int:
    """Distinct reviewers behind a section, never more than the draft says: the reviewers of
    the input theme its citations come from, or else of the citations themselves."""
    claimed = int(section.get("reviewers", 0))
    if inputs is None:
        return claimed
    cited = cited_ids(section)
    handles = {str(f.id): f.reviewer for f in inputs.feedback}
    counts = [len({handles[s] for s in cited if s in handles})]
    counts += [
        t.reviewers for t in inputs.themes if cited and cited <= {str(i) for i in t.source_ids}
    ]
    return min(claimed, max(counts))


def withheld(
    content: dict[str, Any], *, anonymity_threshold: int, inputs: DraftInputs | None = None
) -> list[tuple[str, dict[str, Any], int]]:
    """(path, section, verified reviewers) of every theme the engineer will not see."""
    synthesis = inputs if isinstance(inputs, SynthesisInputs) else None
    return [
        (f"{key}[{i}]", section, count)
        for key in ("strengths", "growth_areas")
        for i, section in enumerate(content.get(key, []))
        if (count := verified_reviewers(section, synthesis)) < anonymity_threshold
    ]


def engineer_version(
    kind: DraftKind,
    content: dict[str, Any],
    *,
    anonymity_threshold: int,
    inputs: DraftInputs | None = None,
    reviewers: Sequence[Reviewer] = (),
) -> dict[str, Any]:
    """Project approved content onto what the engineer may read: only themes backed by at
    least `anonymity_threshold` distinct reviewers (verified against `inputs` when given),
    with examples cut free of anything that points at one of `reviewers`."""
    synthesis = inputs if isinstance(inputs, SynthesisInputs) else None

    def shown(key: str) -> list[dict[str, Any]]:
        return [
            _section(s, reviewers)
            for s in content.get(key, [])
            if verified_reviewers(s, synthesis) >= anonymity_threshold
        ]

    if kind is DraftKind.SYNTHESIS:
        strengths, growth = shown("strengths"), shown("growth_areas")
        return {
            # The manager's overview speaks of reviewer counts, vague feedback and themes the
            # engineer may not see; the released one is written from what is released.
            "overview": _overview(strengths, growth),
            "strengths": strengths,
            "growth_areas": growth,
            "expectations": [
                {"title": e["title"], "status": e["status"], "note": e["note"]}
                for e in content.get("expectations", [])
            ],
        }
    if kind is DraftKind.EXPECTATIONS:
        return {"expectations": list(content.get("expectations", []))}
    raise ValueError(f"{kind.value} drafts are never released to the engineer")
