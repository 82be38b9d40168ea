"""What to gather for one item of the evidence checklist: what is missing for that item.

Each sentence names the item's own gap, so no two items read alike:
- a reviewer contradicts it: reconcile that reviewer's remark, quoted;
- no reviewer supports it: the behaviour it claims, asked of those who have not spoken on it;
  when the engineer's self-assessment alone says it, a peer's observation of it;
- reviewers support it without concrete examples: the example behind their words, quoted;
- too few reviewers support it: who else could corroborate it;
then the deliverables of the expectations it is about, and a recency gap when every dated
piece of evidence is from early in the period.

Who to ask is derived from the feedback: reviewers who gave feedback but not on this item,
relationships absent from its evidence first, by handle (R1) and relationship, never by name
(the thought partner resolves handles through the attribution). Without such reviewers, the
relationships nobody has heard from are named as roles.
"""

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from synth.cycles.models import Outcome
from synth.drafting.inputs import (
    AssessmentItemInput,
    ChecklistInputs,
    ExpectationInput,
    FeedbackItem,
    Quote,
)
from synth.drafting.offline.meaning import similarity
from synth.drafting.offline.support import ABOUT, own_sentences
from synth.drafting.offline.text import (
    LEAN,
    clip,
    count,
    is_peer,
    join,
    keywords,
    number,
    reviewer_of,
)
from synth.drafting.offline.topics import match
from synth.drafting.outputs import ChecklistItemKind
from synth.themes.polarity import statement_polarity

SUFFICIENT_REVIEWERS = 2  # independent reviewers who corroborate an item
SUFFICIENT_SPECIFIC = 2
MAX_CONTRADICTIONS = 2  # reviewers whose remark is worth reconciling, one sentence each

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sep", "Sept"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ]
    )
    for name in names
}
_MONTH = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?")
_SAID = {Outcome.MET: "met", Outcome.PARTIALLY_MET: "partly met", Outcome.MISSED: "missed"}
_ROLE = {
    "cross_functional": "a cross-functional partner (product, design, data or another team)",
    "peer": "another peer who worked on the same projects",
    "report": "someone they mentored or led",
    "skip_level": "the skip-level manager",
    "manager": "their manager, in writing",
}
_LABEL = {
    "cross_functional": "cross-functional partner",
    "peer": "peer",
    "report": "report",
    "skip_level": "skip-level manager",
    "manager": "manager",
}
# Whom to ask first: voices from outside the engineer's own circle corroborate best; the
# manager wrote the assessment being pressure-tested, so comes last.
_ORDER = ("cross_functional", "peer", "skip_level", "report", "manager")

Feedback = Mapping[uuid.UUID, FeedbackItem]


@dataclass(frozen=True)
class Gap:
    """One checklist item and the evidence found for and against it."""

    item: AssessmentItemInput
    supporting: list[Quote]
    contradicting: list[Quote]
    backers: list[str]  # peer reviewers who support it
    specific: list[str]  # those of them with concrete examples
    against: list[str]  # peer reviewers who contradict it

    @property
    def vague(self) -> list[str]:
        return [b for b in self.backers if b not in self.specific]


def behaviour(kind: ChecklistItemKind, statement: str) -> str:
    """What an item claims, in the assessment's own words."""
    if kind is ChecklistItemKind.RATING:
        return f"the rating “{statement}”"
    return f"“{clip(statement.strip().rstrip('.'), 90)}”"


def reconcile(gap: Gap, feedback: Feedback) -> list[str]:
    """One sentence per contradicting reviewer, quoting their remark."""
    asks = []
    what = behaviour(gap.item.kind, gap.item.statement)
    for handle in gap.against[:MAX_CONTRADICTIONS]:
        remark = next(q for q in gap.contradicting if reviewer_of(q, feedback) == handle)
        asks.append(
            f"Reconcile {handle}'s “{clip(remark.text, 100)}” with the evidence for "
            f"{what}: ask the manager whether {handle} describes a different project or an "
            "older pattern."
        )
    return asks


def gather(inputs: ChecklistInputs, gap: Gap, feedback: Feedback) -> list[str]:
    """What is missing for this item, most telling first (contradictions come separately)."""
    what = behaviour(gap.item.kind, gap.item.statement)
    missing = not gap.backers
    who = _who(inputs, gap, feedback, limit=3 if missing else 2)
    asks: list[str] = []
    if missing:
        own = _own_words(inputs, gap.item)
        if own is not None:
            asks.append(
                f"Only the self-assessment speaks to {what} (“{clip(own.text, 100)}”): ask "
                f"{who} for a peer's observation of it, with one example from this period."
            )
        else:
            asks.append(
                f"No reviewer describes {what}: ask {who} whether they have seen it, and for "
                "one example from this period (what was done and what changed)."
            )
    else:
        vague = gap.vague
        if vague and len(gap.specific) < SUFFICIENT_SPECIFIC:
            said = next(q for q in gap.supporting if reviewer_of(q, feedback) in vague)
            them = "them" if len(vague) > 1 else vague[0]
            asks.append(
                f"{join(vague)} {'support' if len(vague) > 1 else 'supports'} {what} without "
                f"a concrete example (“{clip(said.text, 100)}”): ask {them} for the project, "
                "incident or number behind it."
            )
        if len(gap.backers) < SUFFICIENT_REVIEWERS:
            asks.append(
                f"Only {join(gap.backers)} {'back' if len(gap.backers) > 1 else 'backs'} {what} "
                f"so far: ask {who} whether they have seen it too, and for an example."
            )
    asks += _deliverables(inputs, gap.item)
    recency = _recency(inputs, gap, what)
    if recency:
        asks.append(recency)
    return asks


def _who(inputs: ChecklistInputs, gap: Gap, feedback: Feedback, *, limit: int) -> str:
    """Reviewers who gave feedback but have not spoken on this item, by handle and
    relationship, those from relationships absent from its evidence first; else the roles
    nobody has heard from."""
    spoke = set(gap.backers) | set(gap.against)
    relationship: dict[str, str] = {}
    for f in inputs.feedback:
        relationship.setdefault(f.reviewer, f.relationship.value)
    heard: dict[str, int] = {}
    for handle in spoke:
        if handle in relationship:
            heard[relationship[handle]] = heard.get(relationship[handle], 0) + 1
    topic, _ = match(gap.item.statement)
    leadership = topic is not None and topic.key in ("mentoring", "leading_through_others")
    order = list(_ORDER)
    if leadership:
        order.remove("report")
        order.insert(0, "report")  # those they mentored or led saw it first-hand
    silent = sorted(
        (h for h in relationship if h not in spoke),
        key=lambda h: (relationship[h] in heard, order.index(relationship[h]), _handle_key(h)),
    )
    if silent:
        picked = [f"{h} ({_LABEL[relationship[h]]})" for h in silent[:limit]]
        return f"{join(picked)}, who gave feedback but not on this,"
    # Nobody left who gave feedback: the relationships not heard from, as roles.
    wanted = ["report"] if leadership else []
    wanted += ["cross_functional", "peer"]
    if gap.item.kind is ChecklistItemKind.RATING or not gap.backers:
        wanted.append("skip_level")
    roles = [_ROLE[r] for r in wanted if heard.get(r, 0) < (2 if r == "peer" else 1)]
    return join(roles[:limit]) if roles else "another colleague who worked closely with them"


def _handle_key(handle: str) -> tuple[int, str]:
    digits = handle[1:]
    return (int(digits), handle) if digits.isdigit() else (10**6, handle)


def _own_words(inputs: ChecklistInputs, item: AssessmentItemInput) -> Quote | None:
    """The self-assessment sentence that says what the item says, if one does."""
    own = [q for q in item.supporting if not is_peer(q)] or own_sentences(inputs.expectations)
    if not own:
        return None
    sims = similarity([item.statement], [q.text for q in own])[0]
    positive = item.kind is not ChecklistItemKind.DEVELOPMENT_NEED
    best: tuple[float, int] | None = None
    for i, quote in enumerate(own):
        score = statement_polarity(quote.text)
        if score < -LEAN if positive else score > LEAN:
            continue
        if sims[i] >= ABOUT and (best is None or sims[i] > best[0]):
            best = (float(sims[i]), i)
    return own[best[1]] if best is not None else None


def _deliverables(inputs: ChecklistInputs, item: AssessmentItemInput) -> list[str]:
    expectations = sorted(inputs.expectations, key=lambda e: e.position)
    if item.kind is ChecklistItemKind.RATING:
        if not expectations:
            return [
                f"Map each {inputs.level.name} competency to at least one piece of work from "
                "the period; there are no recorded expectations to start from."
            ]
        tally = _outcomes(expectations)
        return [
            f"Check the rating against the period's {count(len(expectations), 'expectation')} "
            f"({tally}) and the {inputs.level.name} competencies, looking at the work itself: "
            "docs, pull requests, postmortems."
        ]
    words = keywords(item.statement)
    topic, _ = match(item.statement)
    related = [
        e
        for e in expectations
        if len(keywords(e.title) & words) >= (2 if len(words) > 6 else 1)
        or (topic is not None and match(e.title)[0] is topic)
    ]
    return [
        f"Read the deliverables behind “{clip(e.title, 120)}” (docs, pull requests, "
        f"postmortems){_progress(e)}."
        for e in related[:2]
    ]


def _progress(expectation: ExpectationInput) -> str:
    parts = []
    if expectation.self_outcome is not None:
        parts.append(f"the self-assessment says {_SAID[expectation.self_outcome]}")
    if expectation.key_steps_total:
        parts.append(
            f"{number(expectation.key_steps_done)} of {number(expectation.key_steps_total)} key "
            "steps are done"
        )
    return f": {join(parts)}" if parts else ""


def _outcomes(expectations: list[ExpectationInput]) -> str:
    tally: dict[str, int] = {}
    for e in expectations:
        key = _SAID[e.self_outcome] if e.self_outcome else "without a self-assessment"
        tally[key] = tally.get(key, 0) + 1
    return ", ".join(f"{number(v)} {k}" for k, v in tally.items())


def _month_dates(starts: date, ends: date) -> dict[int, date]:
    """Month number -> first day of that month inside the period (periods up to a year)."""
    found: dict[int, date] = {}
    current = date(starts.year, starts.month, 1)
    while current <= ends:
        found.setdefault(current.month, current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return found


def _recency(inputs: ChecklistInputs, gap: Gap, what: str) -> str | None:
    """When the evidence names months and none is in the last third of the period."""
    starts, ends = inputs.period.starts_on, inputs.period.ends_on
    evidence: Sequence[Quote] = gap.supporting + gap.contradicting
    months = _month_dates(starts, ends)
    late = starts + (ends - starts) * 2 / 3
    named = [
        months[_MONTHS[m]] for q in evidence for m in _MONTH.findall(q.text) if _MONTHS[m] in months
    ]
    if not named or any(d >= date(late.year, late.month, 1) for d in named):
        return None
    return (
        f"All dated evidence on {what} is from {max(named):%B} or earlier: ask about work from "
        f"{late:%B} to {ends:%B %Y}."
    )
