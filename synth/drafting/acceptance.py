"""Production acceptance: how managers received the drafts, in figures HR may read.

Per period, team and model, over the real drafts: how many reached each status, how many of
those a manager decided on were approved or rejected and why (as a category), how far the
approved text moved from the model's, how long review took, what the guards found and what
managers overrode, and what each draft cost. "Team" is the subject's manager, as in HR's
per-team counts of the period status (synth.cycles.status), whose cycle completion
`completion` passes on as it is.

Aggregates only: nothing returned carries feedback, draft text, reviewer names or a reject
reason's words. Draft text and reasons are read to measure and classify them, never copied
out; guard findings are counted by guard, never quoted (their messages can quote feedback).
Teams are named by their manager, from the directory every caller reads.
"""

import re
import statistics
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from synth.audit.models import AuditEvent
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles import periods, status
from synth.cycles.models import PeriodStatus
from synth.drafting.models import Draft, DraftStatus
from synth.people.models import Person
from synth.people.service import readable_people
from synth.text import strings, words

# Reject reasons are the manager's own words and can quote feedback or name a reviewer, so HR
# reads only their category. The rule: the reason's words (folded, lower case) are searched
# for each category's patterns in this order, each pattern starting at a word boundary (a
# pattern ending in a letter also matches longer words: "inaccura" finds "inaccurate"; one
# ending in \b only the word itself: "pay\b" is not "payments"), and the first category
# with a match wins; a reason matching none is "other". The order runs from what would harm
# the engineer most (a reviewer identified; pay, ratings or promotion in engineer-facing
# text) to what is a matter of style, so "the wording names Tara" is anonymity, not tone.
REJECT_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("anonymity", ("anonym", "identif", r"names?\b", r"named\b", "who (said|wrote)",
                   "attribut", "reveal", "recogni[sz]")),
    ("two_track", (r"pay\b", "salar", "compensation", "bonus", r"ratings?\b", r"rated\b",
                   "promot", "level (change|decision)")),
    ("inaccurate", ("inaccura", "wrong", "incorrect", "untrue", "not true", "false", "mistak",
                    "misrepresent", "misread", "contradict", r"errors?\b", "did not happen")),
    ("missing_evidence", ("evidence", "citation", "cite", "unsupported", r"examples?\b",
                          r"sources?\b", "vague", "missing", "omit", "left out")),
    ("tone", ("tone", "harsh", "blunt", "rude", "wording", "phrasing", "worded", "personal",
              "negative", "softer", "kinder", "judgement", "judgment")),
)  # fmt: skip
OTHER = "other"
CATEGORIES = (*(name for name, _ in REJECT_RULES), OTHER)
# Words copied from sources or ids, not the drafter's own text: a manager's edit is measured
# on what the model wrote.
NOT_TEXT = frozenset(
    {
        "source_id",
        "source_kind",
        "expectation_id",
        "assessment_id",
        "quote",
        "vague_feedback_ids",
        "unused_feedback_ids",
    }
)
APPROVED = (DraftStatus.APPROVED, DraftStatus.RELEASED)
READY = "draft.ready_for_review"
DECIDED = ("draft.approved", "draft.rejected")
NO_MODEL = "(not drafted)"


def reject_category(reason: str | None) -> str:
    """The category of a reject reason by REJECT_RULES (first match), or "other"."""
    folded = " ".join(words(reason or ""))
    for name, patterns in REJECT_RULES:
        if any(re.search(rf"\b{pattern}", folded) for pattern in patterns):
            return name
    return OTHER


def _text(content: dict[str, Any] | None) -> list[str]:
    return [w for _, s in strings(content or {}, skip=NOT_TEXT) for w in words(s)]


def edit_distance(model: Sequence[str], approved: Sequence[str]) -> float:
    """Word-level Levenshtein distance over the longer text's length: 0 unchanged, 1 all new.

    One numpy row at a time: a row's insertions are a running minimum, so a page of text is
    milliseconds, not a Python loop per pair of words."""
    if not model and not approved:
        return 0.0
    if not model or not approved:
        return 1.0
    vocabulary: dict[str, int] = {}
    a = np.array([vocabulary.setdefault(w, len(vocabulary)) for w in model])
    b = np.array([vocabulary.setdefault(w, len(vocabulary)) for w in approved])
    columns = np.arange(len(b) + 1)
    row = columns.copy()
    for i, word in enumerate(a, start=1):
        best = np.empty_like(row)
        best[0] = i
        best[1:] = np.minimum(row[:-1] + (b != word), row[1:] + 1)
        row = np.minimum.accumulate(best - columns) + columns
    return float(row[-1]) / max(len(a), len(b))


def _percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: a value that occurred, not an interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, int(np.ceil(share * len(ordered))) - 1)]


@dataclass(frozen=True)
class Figures:
    """Acceptance of a set of drafts. Rates are over drafts a manager decided on (approved,
    released or rejected); edit distances over approved ones; review times in seconds from
    first ready for review to the first decision."""

    drafts: int
    by_status: dict[str, int]
    decided: int
    approval_rate: float | None
    rejection_rate: float | None
    rejection_reasons: dict[str, int]
    edited: int
    edit_distance_mean: float | None
    edit_distance_median: float | None
    reviewed: int
    review_seconds_median: float | None
    review_seconds_p90: float | None
    findings_by_guard: dict[str, int]
    blocking_by_guard: dict[str, int]
    overrides_by_guard: dict[str, int]
    generated: int
    input_tokens_per_draft: float | None
    output_tokens_per_draft: float | None
    cost_per_draft: float | None
    cost_total: float


@dataclass(frozen=True)
class Group:
    period_id: uuid.UUID
    team_id: uuid.UUID | None
    model: str
    figures: Figures


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Acceptance:
    """The figures for the chosen period, team and model (None: all), a group per period,
    team and model within them, and what may be chosen."""

    period_id: uuid.UUID | None
    team_id: uuid.UUID | None
    model: str | None
    overall: Figures
    groups: list[Group]
    periods: list[Choice]
    teams: list[Choice]
    models: list[str]

    def team_label(self, team_id: uuid.UUID | None) -> str:
        wanted = str(team_id) if team_id else ""
        return next((c.label for c in self.teams if c.value == wanted), "no manager")

    def period_label(self, period_id: uuid.UUID) -> str:
        return next((c.label for c in self.periods if c.value == str(period_id)), "")


@dataclass(frozen=True)
class TeamCompletion:
    """One team's engineers and how many of them have each item of the stage done."""

    team_id: uuid.UUID | None
    label: str
    engineers: int
    missing: dict[str, int]
    done: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Completion:
    period_id: uuid.UUID
    period: str
    status: PeriodStatus
    as_of: date
    teams: list[TeamCompletion]


@dataclass
class _Draft:
    """What acceptance reads of one draft; the text is measured here and goes no further."""

    period_id: uuid.UUID
    team_id: uuid.UUID | None
    model: str
    status: DraftStatus
    category: str | None
    distance: float | None
    edited: bool
    review_seconds: float | None
    findings: list[tuple[str, bool]]
    overridden: list[str]
    usage: dict[str, Any] | None


def _read(draft: Draft, team_id: uuid.UUID | None, times: dict[str, dict[str, datetime]]) -> _Draft:
    approved = draft.status in APPROVED and draft.output is not None
    when = times.get(str(draft.id), {})
    ready, decided = when.get(READY), min((when[a] for a in DECIDED if a in when), default=None)
    findings = (draft.guard_report or {}).get("findings", [])
    overrides = (draft.guard_override or {}).get("overrides", [])
    return _Draft(
        period_id=draft.period_id,
        team_id=team_id,
        model=draft.model or NO_MODEL,
        status=draft.status,
        category=reject_category(draft.reject_reason)
        if draft.status is DraftStatus.REJECTED
        else None,
        distance=edit_distance(_text(draft.output), _text(draft.current)) if approved else None,
        edited=draft.edited is not None,
        review_seconds=(decided - ready).total_seconds()
        if ready is not None and decided is not None and decided >= ready
        else None,
        findings=[(str(f.get("guard")), bool(f.get("blocking"))) for f in findings],
        overridden=[
            str(fp).split(":", 1)[0] for o in overrides for fp in o.get("fingerprints", [])
        ],
        usage=dict(draft.usage) if draft.model is not None else None,
    )


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def figures(drafts: Sequence[_Draft]) -> Figures:
    """The acceptance figures of these drafts (see `Figures`)."""
    approved = sum(d.status in APPROVED for d in drafts)
    rejected = [d.category or OTHER for d in drafts if d.status is DraftStatus.REJECTED]
    decided = approved + len(rejected)
    distances = [d.distance for d in drafts if d.distance is not None]
    waits = [d.review_seconds for d in drafts if d.review_seconds is not None]
    used = [d.usage for d in drafts if d.usage is not None]
    costs = [float(u.get("cost_usd", 0.0)) for u in used]
    return Figures(
        drafts=len(drafts),
        by_status=dict(sorted(Counter(d.status.value for d in drafts).items())),
        decided=decided,
        approval_rate=approved / decided if decided else None,
        rejection_rate=len(rejected) / decided if decided else None,
        rejection_reasons={c: n for c in CATEGORIES if (n := rejected.count(c))},
        edited=sum(d.edited and d.distance is not None for d in drafts),
        edit_distance_mean=_mean(distances),
        edit_distance_median=statistics.median(distances) if distances else None,
        reviewed=len(waits),
        review_seconds_median=statistics.median(waits) if waits else None,
        review_seconds_p90=_percentile(waits, 0.9),
        findings_by_guard=_count(g for d in drafts for g, _ in d.findings),
        blocking_by_guard=_count(g for d in drafts for g, blocking in d.findings if blocking),
        overrides_by_guard=_count(g for d in drafts for g in d.overridden),
        generated=len(used),
        input_tokens_per_draft=_mean([float(u.get("input_tokens", 0)) for u in used]),
        output_tokens_per_draft=_mean([float(u.get("output_tokens", 0)) for u in used]),
        cost_per_draft=_mean(costs),
        cost_total=sum(costs),
    )


def _count(names: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(names).items()))


def _review_times(db_session: Session, ids: list[uuid.UUID]) -> dict[str, dict[str, datetime]]:
    """Each draft's first time ready for review and first approval and rejection, from the
    audit log (times only: the before and after images hold the text)."""
    times: dict[str, dict[str, datetime]] = {}
    if not ids:
        return times
    found = db_session.execute(
        select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.created_at).where(
            AuditEvent.entity_type == Draft.__tablename__,
            AuditEvent.action.in_((READY, *DECIDED)),
            AuditEvent.entity_id.in_([str(i) for i in ids]),
        )
    )
    for entity_id, action, at in found:
        earliest = times.setdefault(entity_id, {})
        if action not in earliest or at < earliest[action]:
            earliest[action] = at
    return times


def _team_labels(db_session: Session, principal: Principal) -> dict[uuid.UUID, str]:
    """Managers' names from the directory, for the teams they lead."""
    managers = select(Person.manager_id).where(Person.manager_id.is_not(None))
    statement = readable_people(principal).where(Person.id.in_(managers))
    return {p.id: p.name for p in db_session.scalars(statement)}


def acceptance(
    *,
    db_session: Session,
    principal: Principal,
    period_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    model: str | None = None,
) -> Acceptance:
    """Acceptance figures of the drafts in the chosen period, team and model (see module)."""
    principal.require(Role.HR)
    statement = (
        select(Draft, Person.manager_id)
        .join(Person, Person.id == Draft.subject_id)
        .options(defer(Draft.inputs), defer(Draft.released))  # not measured: not read
    )
    if period_id is not None:
        statement = statement.where(Draft.period_id == period_id)
    if team_id is not None:
        statement = statement.where(Person.manager_id == team_id)
    if model is not None:
        statement = statement.where(
            Draft.model.is_(None) if model == NO_MODEL else Draft.model == model
        )
    rows = list(db_session.execute(statement.order_by(Draft.created_at, Draft.id)))
    times = _review_times(db_session, [row[0].id for row in rows])
    drafts = [_read(draft, team, times) for draft, team in rows]
    grouped: dict[tuple[uuid.UUID, uuid.UUID | None, str], list[_Draft]] = {}
    for d in drafts:
        grouped.setdefault((d.period_id, d.team_id, d.model), []).append(d)
    labels = _team_labels(db_session, principal)
    all_models = db_session.scalars(select(Draft.model).distinct())
    return Acceptance(
        period_id=period_id,
        team_id=team_id,
        model=model,
        overall=figures(drafts),
        groups=[Group(p, t, m, figures(ds)) for (p, t, m), ds in grouped.items()],
        periods=[
            Choice(str(p.id), p.name)
            for p in db_session.scalars(periods.readable_periods(principal))
        ],
        teams=sorted((Choice(str(i), n) for i, n in labels.items()), key=lambda c: c.label),
        models=sorted(m or NO_MODEL for m in all_models),
    )


def completion(
    *, db_session: Session, principal: Principal, period_id: uuid.UUID, as_of: date | None = None
) -> Completion:
    """Cycle completion per team: the period status service's counts per team, as HR reads
    them, with how many engineers have each item done."""
    principal.require(Role.HR)
    # The status service gives per-team counts to HR and rows to everyone else; an admin
    # (who passed the check above) reads HR's view here.
    as_hr = principal if principal.role is Role.HR else Principal(Role.HR, key_id=principal.key_id)
    found = status.view(db_session=db_session, principal=as_hr, period_id=period_id, as_of=as_of)
    labels = _team_labels(db_session, principal)
    teams = [
        TeamCompletion(
            team_id=t.manager_id,
            label=labels.get(t.manager_id, "no manager") if t.manager_id else "no manager",
            engineers=t.engineers,
            missing=dict(t.missing),
            done={code: t.engineers - n for code, n in t.missing.items()},
        )
        for t in found.teams or []
    ]
    return Completion(
        period_id=found.period.id,
        period=found.period.name,
        status=found.period.status,
        as_of=found.as_of,
        teams=sorted(teams, key=lambda t: t.label),
    )
