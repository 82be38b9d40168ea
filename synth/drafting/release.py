"""The engineer-facing version of a draft: what is released, and nothing more.

Source ids, claims (which quote reviewers verbatim), vague or unused feedback lists and
coverage stay in the manager's version: a reviewer's own words can identify them, so the
engineer reads each theme's synthesised summary, not the comments it came from. The manager
talks the examples through in the 1:1.
"""

from typing import Any

from synth.drafting.models import DraftKind


def _section(section: dict[str, Any]) -> dict[str, Any]:
    return {"theme": section["theme"], "summary": section["summary"]}


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
        return {
            "overview": content["overview"],
            "strengths": shown("strengths"),
            "growth_areas": shown("growth_areas"),
            "expectations": [
                {"title": e["title"], "status": e["status"], "note": e["note"]}
                for e in content.get("expectations", [])
            ],
            "self_vs_peers": [
                {"topic": s["topic"], "alignment": s["alignment"], "note": s["note"]}
                for s in content.get("self_vs_peers", [])
            ],
            "talking_points": list(content.get("talking_points", [])),
        }
    if kind is DraftKind.EXPECTATIONS:
        return {"expectations": list(content.get("expectations", []))}
    raise ValueError(f"{kind.value} drafts are never released to the engineer")
