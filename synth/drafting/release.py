"""The engineer-facing version of a draft: what is released, and nothing more.

Source ids, claims (which quote reviewers verbatim), self-versus-peer notes, 1:1 talking
points, vague or unused feedback lists and coverage stay in the manager's version: a
reviewer's own words can identify them, so the engineer reads each theme's synthesised
summary, not the comments it came from. The manager talks the examples through in the 1:1.
"""

from typing import Any

from synth.drafting.models import DraftKind


def _section(section: dict[str, Any]) -> dict[str, Any]:
    return {"theme": section["theme"], "summary": section["summary"]}


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


def engineer_version(
    kind: DraftKind, content: dict[str, Any], *, anonymity_threshold: int
) -> dict[str, Any]:
    """Project approved content onto what the engineer may read: only themes backed by at
    least `anonymity_threshold` distinct reviewers."""

    def shown(key: str) -> list[dict[str, Any]]:
        return [
            _section(s)
            for s in content.get(key, [])
            if int(s.get("reviewers", 0)) >= anonymity_threshold
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
