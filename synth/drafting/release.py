"""The engineer-facing version of a draft: what is released, and nothing more.

Reviewer counts, source ids, quotes, vague or unused feedback lists and coverage stay in the
manager's version: quoting reviewers verbatim can identify them, so the engineer reads the
synthesised claims, not the comments they came from.
"""

from typing import Any

from synth.drafting.models import DraftKind


def _section(section: dict[str, Any]) -> dict[str, Any]:
    return {
        "theme": section["theme"],
        "summary": section["summary"],
        "points": [claim["text"] for claim in section.get("claims", [])],
    }


def engineer_version(kind: DraftKind, content: dict[str, Any]) -> dict[str, Any]:
    """Project approved content onto what the engineer may read."""
    if kind is DraftKind.SYNTHESIS:
        return {
            "overview": content["overview"],
            "strengths": [_section(s) for s in content.get("strengths", [])],
            "growth_areas": [_section(s) for s in content.get("growth_areas", [])],
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
