"""Adopting a drafted expectation suggestion: one call turns it into a proposed expectation.

Suggestions are drafted in the end-of-period review for the period that follows, so the
expectation is proposed in the next period in planning. The management chain adopts from the
approved (or released) manager's version; the engineer only from what was released to them,
by the index they read there. Either way the expectation remembers the draft and the index in
the manager's version, so one suggestion is adopted once.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from synth.audit.service import record
from synth.auth.principal import Principal
from synth.cycles import expectations, periods
from synth.cycles.models import Expectation
from synth.cycles.schemas import ExpectationAdopt, ExpectationCreate, KeyStepIn
from synth.drafting import service as drafting
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.errors import Conflict, InvalidInput

ADOPTABLE = (DraftStatus.APPROVED, DraftStatus.RELEASED)
SMART_LABELS = (
    ("specific", "Specific"),
    ("measurable", "Measurable"),
    ("achievable", "Achievable"),
    ("relevant", "Relevant"),
    ("time_bound", "Time-bound"),
)


def _suggestions(content: dict[str, Any] | None) -> list[dict[str, Any]]:
    found = (content or {}).get("expectations", [])
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


def _pick(principal: Principal, draft: Draft, index: int) -> tuple[dict[str, Any], int]:
    """(the suggestion as the caller reads it, its index in the manager's version)."""
    managers = _suggestions(draft.current)
    if not drafting.is_engineer_view(principal, draft):
        if index >= len(managers):
            raise InvalidInput(
                f"the draft has {len(managers)} suggestions; no index {index}",
                code="no_such_suggestion",
            )
        return managers[index], index
    released = _suggestions(draft.released)
    if index >= len(released):
        raise InvalidInput(
            f"{len(released)} suggestions were released to you; no index {index}",
            code="no_such_suggestion",
        )
    shown = released[index]
    same = [i for i, s in enumerate(managers) if s.get("title") == shown.get("title")]
    if not same:  # released content always comes from the manager's version
        raise InvalidInput("this suggestion is no longer in the draft", code="no_such_suggestion")
    return shown, same[0]


def _description(suggestion: dict[str, Any]) -> str:
    """The suggestion's SMART reasoning, one labelled line each, as the description."""
    smart = suggestion.get("smart") or {}
    lines = [f"{label}: {smart[key]}" for key, label in SMART_LABELS if smart.get(key)]
    return "\n".join(lines)[:10_000]


def adopt(*, db_session: Session, principal: Principal, data: ExpectationAdopt) -> Expectation:
    """Propose the chosen suggestion, with its key steps, in the next period in planning."""
    draft = drafting.get(db_session=db_session, principal=principal, draft_id=data.draft_id)
    if draft.kind is not DraftKind.EXPECTATIONS:
        raise InvalidInput(
            f"a {draft.kind.value} draft holds no expectation suggestions",
            code="not_an_expectations_draft",
        )
    if draft.status not in ADOPTABLE:
        raise Conflict(
            f"the draft is {draft.status.value}: only approved or released suggestions are adopted",
            code="draft_not_approved",
        )
    suggestion, index = _pick(principal, draft, data.index)
    if db_session.scalar(
        select(Expectation.id).where(
            Expectation.source_draft_id == draft.id, Expectation.source_index == index
        )
    ):
        raise Conflict("this suggestion has already been adopted", code="already_adopted")
    reviewed = periods.require_reference(db_session, draft.period_id)
    target = periods.next_in_planning(db_session, reviewed)
    if target is None:
        raise Conflict(
            f"no period after '{reviewed.name}' is in planning to adopt the suggestion into",
            code="no_planning_period",
        )
    try:
        body = ExpectationCreate(
            period_id=target.id,
            person_id=draft.subject_id,
            title=str(suggestion.get("title", "")),
            description=_description(suggestion),
            kind=suggestion.get("kind"),  # validated by the model
            due_on=suggestion.get("due_on"),
            key_steps=[KeyStepIn(text=str(t)) for t in suggestion.get("key_steps", [])],
        )
    except ValueError as exc:
        raise InvalidInput(
            f"the suggestion cannot be adopted as it stands: {exc}", code="invalid_suggestion"
        ) from None
    made = expectations.create(db_session=db_session, principal=principal, data=body)
    made.source_draft_id, made.source_index = draft.id, index
    record(db_session, principal=principal, action="expectation.adopted", entity=made)
    return made
