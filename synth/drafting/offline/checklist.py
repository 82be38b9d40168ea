"""The offline evidence checklist for the thought partner who pressure-tests an assessment.

For each rating, strength and development need: what the evidence is, how many distinct
reviewers it comes from and how many of them give concrete examples, whether that is enough,
and what to gather when it is not: the item's own gap (`gaps`), so no two items ask for
the same thing. This text is for the management chain and the thought
partner only, so it may name the rating and the pseudonymous reviewer handles (R1, R2).

Evidence is every feedback sentence about the item, by meaning (`support`). Thresholds
(reviewers, not feedback items or quotes, are what corroborate):
- sufficient: at least 2 distinct reviewers support it, both with concrete examples (one
  reviewer's account, however detailed, is uncorroborated; a second independent one
  corroborates it), and reviewers contradicting it are fewer than half of those supporting
  it;
- missing: no reviewer supports it (self-assessment quotes alone do not count);
- thin: anything in between.
"""

import uuid
from collections.abc import Mapping

from synth.drafting.inputs import (
    AssessmentItemInput,
    ChecklistInputs,
    FeedbackItem,
    Quote,
)
from synth.drafting.offline.gaps import (
    SUFFICIENT_REVIEWERS,
    SUFFICIENT_SPECIFIC,
    Gap,
    behaviour,
    gather,
    reconcile,
)
from synth.drafting.offline.support import sentences, weigh
from synth.drafting.offline.text import (
    cap,
    cite_all,
    clip,
    count,
    is_peer,
    join,
    number,
    relationship_mix,
    reviewer_of,
)
from synth.drafting.outputs import (
    ChecklistItem,
    ChecklistItemKind,
    EvidenceChecklist,
    EvidenceSufficiency,
)

MAX_GATHER = 5

Feedback = Mapping[uuid.UUID, FeedbackItem]


def draft_checklist(inputs: ChecklistInputs) -> EvidenceChecklist:
    feedback: Feedback = {f.id: f for f in inputs.feedback}
    pool = sentences(inputs.feedback)
    statements = [i.statement for i in inputs.items if i.kind is not ChecklistItemKind.RATING]
    items = _once([_item(inputs, item, feedback, pool, statements) for item in inputs.items])
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
    inputs: ChecklistInputs,
    item: AssessmentItemInput,
    feedback: Feedback,
    pool: list[Quote],
    statements: list[str],
) -> ChecklistItem:
    supporting, contradicting = weigh(item, pool, statements)
    gap = Gap(
        item=item,
        supporting=supporting,
        contradicting=contradicting,
        backers=_reviewers(supporting, feedback),
        specific=_specific(supporting, feedback),
        against=_reviewers(contradicting, feedback),
    )
    status = status_of(len(gap.backers), len(gap.specific), len(gap.against))
    asks = reconcile(gap, feedback)
    if status is not EvidenceSufficiency.SUFFICIENT:
        asks += gather(inputs, gap, feedback)
    return ChecklistItem(
        kind=item.kind,
        statement=item.statement,
        supporting=cite_all(supporting),
        contradicting=cite_all(contradicting),
        distinct_sources=len(gap.backers),
        specific_sources=len(gap.specific),
        status=status,
        gather=list(dict.fromkeys(asks))[:MAX_GATHER],
    )


def _once(items: list[ChecklistItem]) -> list[ChecklistItem]:
    """Each gather sentence on one item only: a sentence an earlier item already carries (the
    same deliverables to read) says what to look for in them for this item."""
    seen: set[str] = set()
    result = []
    for item in items:
        own = []
        for sentence in item.gather:
            if sentence in seen:
                what = behaviour(item.kind, item.statement)
                sentence = f"{sentence.rstrip('.')}, looking for evidence of {what}."
            seen.add(sentence)
            own.append(sentence)
        result.append(item.model_copy(update={"gather": own}))
    return result


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
