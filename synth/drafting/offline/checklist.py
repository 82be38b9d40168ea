"""The offline evidence checklist for the thought partner who pressure-tests an assessment.

For each rating, strength and development need: what the evidence is, how many distinct
reviewers it comes from and how many of them give concrete examples, whether that is enough,
and what to gather when it is not. This text is for the management chain and the thought
partner only, so it may name the rating and the pseudonymous reviewer handles (R1, R2).

Thresholds (reviewers, not feedback items or quotes, are what corroborate):
- sufficient: at least 3 distinct reviewers support it, at least 2 of them with concrete
  examples, and reviewers contradicting it are fewer than half of those supporting it;
- missing: no reviewer supports it (self-assessment quotes alone do not count);
- thin: anything in between.
"""

import re
import uuid
from collections.abc import Mapping
from datetime import date

from synth.cycles.models import Outcome
from synth.drafting.inputs import (
    AssessmentItemInput,
    ChecklistInputs,
    ExpectationInput,
    FeedbackItem,
    Quote,
)
from synth.drafting.offline.support import sentences, weigh
from synth.drafting.offline.text import (
    cap,
    cite_all,
    clip,
    count,
    is_peer,
    join,
    keywords,
    number,
    relationship_mix,
    reviewer_of,
)
from synth.drafting.offline.topics import match
from synth.drafting.outputs import (
    ChecklistItem,
    ChecklistItemKind,
    EvidenceChecklist,
    EvidenceSufficiency,
)

SUFFICIENT_REVIEWERS = 3
SUFFICIENT_SPECIFIC = 2
MAX_GATHER = 5

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
_ASK = {
    "cross_functional": "a cross-functional partner (product, design, data or another team)",
    "peer": "another peer who worked on the same projects",
    "report": "someone they mentored or led",
    "skip_level": "the skip-level manager",
    "manager": "their manager, in writing",
}

Feedback = Mapping[uuid.UUID, FeedbackItem]


def draft_checklist(inputs: ChecklistInputs) -> EvidenceChecklist:
    feedback: Feedback = {f.id: f for f in inputs.feedback}
    pool = sentences(inputs.feedback)
    items = [_item(inputs, item, feedback, pool) for item in inputs.items]
    return EvidenceChecklist(
        assessment_id=inputs.assessment.id, items=items, summary=_summary(inputs, items, feedback)
    )


def _reviewers(quotes: list[Quote], feedback: Feedback) -> list[str]:
    seen: list[str] = []
    for quote in quotes:
        if not is_peer(quote):
            continue
        who = reviewer_of(quote, feedback)
        if who not in seen:
            seen.append(who)
    return seen


def _specific(quotes: list[Quote], feedback: Feedback) -> list[str]:
    found: list[str] = []
    for quote in quotes:
        item = feedback.get(quote.source_id)
        if is_peer(quote) and item is not None and item.specific:
            who = reviewer_of(quote, feedback)
            if who not in found:
                found.append(who)
    return found


def status_of(supporting: int, specific: int, contradicting: int) -> EvidenceSufficiency:
    if supporting == 0:
        return EvidenceSufficiency.MISSING
    enough = supporting >= SUFFICIENT_REVIEWERS and specific >= SUFFICIENT_SPECIFIC
    if enough and 2 * contradicting < supporting:
        return EvidenceSufficiency.SUFFICIENT
    return EvidenceSufficiency.THIN


def _item(
    inputs: ChecklistInputs, item: AssessmentItemInput, feedback: Feedback, pool: list[Quote]
) -> ChecklistItem:
    supporting, contradicting = weigh(item, pool, inputs.themes, inputs.feedback)
    backers = _reviewers(supporting, feedback)
    specific = _specific(supporting, feedback)
    against = _reviewers(contradicting, feedback)
    status = status_of(len(backers), len(specific), len(against))
    gather: list[str] = []
    if status is not EvidenceSufficiency.SUFFICIENT:
        gather = _gather(inputs, item, supporting + contradicting, backers, specific, feedback)
    if against:
        gather.insert(
            0,
            f"Talk through the {count(len(against), 'contradicting reviewer')} "
            f"({', '.join(against)}) with the manager: do they describe a different project, or "
            "an older pattern?",
        )
    return ChecklistItem(
        kind=item.kind,
        statement=item.statement,
        supporting=cite_all(supporting),
        contradicting=cite_all(contradicting),
        distinct_sources=len(backers),
        specific_sources=len(specific),
        status=status,
        gather=_unique(gather)[:MAX_GATHER],
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _gather(
    inputs: ChecklistInputs,
    item: AssessmentItemInput,
    evidence: list[Quote],
    backers: list[str],
    specific: list[str],
    feedback: Feedback,
) -> list[str]:
    gather: list[str] = []
    vague = [b for b in backers if b not in specific]
    if vague and len(specific) < SUFFICIENT_SPECIFIC:
        gather.append(
            f"Ask {join(vague)} for one concrete example (a project, an incident or a number) "
            f"behind their comment on this."
        )
    gather += _who_else(inputs, item, evidence, feedback)
    gather += _deliverables(inputs, item)
    recency = _recency(inputs.period.starts_on, inputs.period.ends_on, evidence)
    if recency:
        gather.append(recency)
    if not gather:
        gather.append(
            "Ask one more colleague who worked closely with them this period for a specific "
            "example."
        )
    return gather


def _who_else(
    inputs: ChecklistInputs, item: AssessmentItemInput, evidence: list[Quote], feedback: Feedback
) -> list[str]:
    """Relationships not represented in this item's evidence, most useful first."""
    present: dict[str, int] = {}
    for quote in evidence:
        found = feedback.get(quote.source_id)
        if is_peer(quote) and found is not None:
            rel = found.relationship.value
            present[rel] = present.get(rel, 0) + 1
    gave_feedback = {f.relationship.value for f in inputs.feedback} | set(inputs.colleagues)
    topic, _ = match(item.statement)
    leadership = topic is not None and topic.key in ("mentoring", "leading_through_others")
    missing = not present
    wanted = ["peer", "skip_level", "cross_functional"] if missing else ["cross_functional", "peer"]
    if leadership:
        wanted.insert(0, "report")
    if item.kind is ChecklistItemKind.RATING and "skip_level" not in wanted:
        wanted.append("skip_level")
    asks: list[str] = []
    for rel in wanted:
        if rel == "peer" and present.get("peer", 0) >= 2:
            continue
        if rel != "peer" and rel in present:
            continue
        ask = (
            f"Ask {_ASK[rel]} whether they have seen this, and for an example"
            if missing
            else f"Ask {_ASK[rel]} for a specific example"
        )
        gave = rel in gave_feedback and rel != "peer"
        asks.append(ask + (" (they gave feedback, but not on this)." if gave else "."))
        if len(asks) == (3 if missing else 2):
            break
    return asks


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


def _recency(starts: date, ends: date, evidence: list[Quote]) -> str | None:
    """When the evidence names months and none is in the last third of the period."""
    months = _month_dates(starts, ends)
    late = starts + (ends - starts) * 2 / 3
    named = [
        months[_MONTHS[m]] for q in evidence for m in _MONTH.findall(q.text) if _MONTHS[m] in months
    ]
    if not named or any(d >= date(late.year, late.month, 1) for d in named):
        return None
    return (
        f"All dated evidence is from {max(named):%B} or earlier: ask about work from "
        f"{late:%B} to {ends:%B %Y}."
    )


def _summary(inputs: ChecklistInputs, items: list[ChecklistItem], feedback: Feedback) -> str:
    tally = {s: sum(1 for i in items if i.status is s) for s in EvidenceSufficiency}
    assessment = inputs.assessment
    recommended = (
        f", recommending {assessment.recommended_level}" if assessment.recommended_level else ""
    )
    sentences = [
        f"The assessment rates them as {assessment.level_alignment} expectations for their level, "
        f"with {assessment.confidence} confidence{recommended}.",
        f"Of {count(len(items), 'item')}, {number(tally[EvidenceSufficiency.SUFFICIENT])} "
        f"{'has' if tally[EvidenceSufficiency.SUFFICIENT] == 1 else 'have'} sufficient evidence, "
        f"{number(tally[EvidenceSufficiency.THIN])} thin and "
        f"{number(tally[EvidenceSufficiency.MISSING])} missing.",
    ]
    reviewers: dict[str, str] = {}
    for f in inputs.feedback:
        reviewers.setdefault(f.reviewer, f.relationship.value)
    specific = {f.reviewer for f in inputs.feedback if f.specific}
    if reviewers:
        sentences.append(
            f"Feedback comes from {count(len(reviewers), 'reviewer')} "
            f"({relationship_mix(reviewers.values())}), {number(len(specific))} of them with "
            "concrete examples."
        )
    weak = [i for i in items if i.status is not EvidenceSufficiency.SUFFICIENT]
    weak_list = join([f"“{clip(i.statement, 70)}”" for i in weak[:3]])
    rating_weak = any(i.kind is ChecklistItemKind.RATING for i in weak)
    confidence = assessment.confidence.lower()
    if not weak:
        sentences.append(
            "The evidence supports that confidence."
            if confidence == "high"
            else f"The evidence is stronger than the stated {confidence} confidence suggests: "
            "ask the manager what still causes doubt."
        )
    elif confidence == "high":
        sentences.append(
            f"That is more confidence than the evidence gives for {weak_list}: pressure-test "
            "those first."
        )
    else:
        sentences.append(
            f"The {confidence} confidence matches the evidence: {weak_list} need more data "
            "before the assessment is final."
        )
    if rating_weak:
        sentences.append("The rating itself rests on thin evidence; gather before calibrating.")
    return cap(" ".join(sentences))
