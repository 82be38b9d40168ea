"""The offline manager synthesis: themes placed as strengths or growth areas, evidence per
expectation, where the self-assessment and reviewers agree, and 1:1 talking points.

Rules, not a model. Sentences are written around representative quotes (the reviewers' own
words, cited verbatim) rather than paraphrasing them, because a paraphrase without a model
would be invention. Reviewer handles and relationships of single quotes are never written;
summaries give counts and the mix of relationships only.
"""

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from synth.cycles.models import Outcome
from synth.drafting.base import NotEnoughFeedback
from synth.drafting.inputs import ExpectationInput, FeedbackItem, Quote, SynthesisInputs, ThemeInput
from synth.drafting.offline_text import (
    about,
    cap,
    cite,
    cite_all,
    clip,
    count,
    engineer_safe,
    join,
    number,
    quoted,
    relationship_mix,
    reviewer_of,
    reviewers_subject,
    sub_quote,
    theme_name,
)
from synth.drafting.outputs import (
    Alignment,
    Citation,
    Claim,
    Coverage,
    EvidenceStatus,
    ExpectationEvidence,
    SelfVsPeers,
    Synthesis,
    ThemeSection,
)
from synth.drafting.specificity import is_specific
from synth.themes.labels import Polarity, statement_polarity
from synth.themes.statements import split_statements

MIN_REVIEWERS = 2  # one voice cannot corroborate a theme
MAX_CLAIMS = 3
MAX_TALKING_POINTS = 6
LEAN = 0.2  # |polarity| above which a statement counts as praise or criticism

Feedback = Mapping[uuid.UUID, FeedbackItem]


class Place(Enum):
    STRENGTH = "strength"
    GROWTH = "growth"
    SPLIT = "split"  # reviewers divided: shown with growth areas, phrased as a split view


@dataclass
class Section:
    theme: ThemeInput
    place: Place
    output: ThemeSection
    quotes: list[Quote]


@dataclass
class Points:
    """Talking points by kind, picked round-robin so every kind gets a turn."""

    divergence: list[str] = field(default_factory=list)
    growth: list[str] = field(default_factory=list)
    expectation: list[str] = field(default_factory=list)
    vague: list[str] = field(default_factory=list)
    strength: list[str] = field(default_factory=list)


def draft_synthesis(inputs: SynthesisInputs) -> Synthesis:
    _check_enough(inputs)
    feedback = {f.id: f for f in inputs.feedback}
    sections = _sections(inputs, feedback)
    strengths = [s for s in sections if s.place is Place.STRENGTH]
    growth = [s for s in sections if s.place is not Place.STRENGTH]
    expectations = sorted(inputs.expectations, key=lambda e: (e.position, str(e.id)))
    evidence = [_evidence(e) for e in expectations]
    points = Points()
    comparisons = _self_vs_peers(inputs, expectations, strengths, growth, points)
    vague = [f.id for f in inputs.feedback if not f.specific]
    _talking_points(points, inputs, expectations, evidence, strengths, growth, vague)

    cited: set[uuid.UUID] = set()
    for section in sections:
        cited.update(c.source_id for claim in section.output.claims for c in claim.citations)
    for item in evidence:
        cited.update(c.source_id for c in item.citations)
    for comparison in comparisons:
        cited.update(c.source_id for c in comparison.citations)
    used = [f.id for f in inputs.feedback if f.id in cited]
    return Synthesis(
        overview=_overview(inputs, strengths, growth, evidence, comparisons, vague),
        strengths=[s.output for s in strengths],
        growth_areas=[s.output for s in growth],
        expectations=evidence,
        self_vs_peers=comparisons,
        talking_points=_pick(points),
        vague_feedback_ids=vague,
        unused_feedback_ids=[f.id for f in inputs.feedback if f.id not in cited],
        coverage=Coverage(
            feedback_available=len(inputs.feedback),
            feedback_used=len(used),
            themes_available=len(inputs.themes),
            themes_cited=len(sections),
        ),
    )


def _check_enough(inputs: SynthesisInputs) -> None:
    reviewers = {f.reviewer for f in inputs.feedback}
    if not inputs.feedback:
        raise NotEnoughFeedback(
            f"No peer feedback for {inputs.period.name}: 0 items. A synthesis needs feedback "
            f"from at least {MIN_REVIEWERS} distinct reviewers."
        )
    if len(reviewers) < MIN_REVIEWERS:
        raise NotEnoughFeedback(
            f"{cap(count(len(inputs.feedback), 'feedback item'))} for {inputs.period.name}, all "
            f"from one reviewer. A synthesis needs at least {MIN_REVIEWERS} distinct reviewers, "
            "since a single voice cannot corroborate a theme; ask more colleagues for feedback."
        )


# --- themes ---------------------------------------------------------------------------------


def _place(theme: ThemeInput) -> Place:
    if theme.polarity is Polarity.STRENGTH:
        return Place.STRENGTH
    if theme.polarity is Polarity.GROWTH_AREA:
        return Place.GROWTH
    # A mixed theme goes where most of its representative statements (the only ones the
    # drafter sees) lean. A tie is a split view and sits with the growth areas, worded as
    # such: a theme reviewers disagree about is worth a conversation either way.
    scores = [statement_polarity(q.text) for q in theme.representatives]
    praise = sum(1 for s in scores if s > LEAN)
    criticism = sum(1 for s in scores if s < -LEAN)
    if praise > criticism:
        return Place.STRENGTH
    if criticism > praise:
        return Place.GROWTH
    return Place.SPLIT


def _sections(inputs: SynthesisInputs, feedback: Feedback) -> list[Section]:
    # Themes below the anonymity threshold never reach an engineer-facing draft.
    threshold = max(inputs.anonymity_threshold, MIN_REVIEWERS)
    ordered = sorted(inputs.themes, key=lambda t: (-t.reviewers, -t.statement_count, t.label))
    sections = []
    for theme in ordered:
        if theme.reviewers < threshold:
            continue
        place = _place(theme)
        quotes = _claim_quotes(theme, place, feedback)
        if not quotes:
            continue
        claims = [
            Claim(text=_claim_text(i, place, q), citations=[cite(q)]) for i, q in enumerate(quotes)
        ]
        section = ThemeSection(
            theme=theme_name(theme.label),
            summary=_summary(theme, place, feedback),
            claims=claims,
            reviewers=theme.reviewers,
        )
        sections.append(Section(theme, place, section, quotes))
    return sections


def _claim_quotes(theme: ThemeInput, place: Place, feedback: Feedback) -> list[Quote]:
    """Up to three representatives, one per reviewer: those leaning the section's way first,
    then those with concrete detail; a split view takes one from each side first."""
    want = {Place.STRENGTH: 1, Place.GROWTH: -1, Place.SPLIT: 0}[place]
    candidates = [q for q in theme.representatives if engineer_safe(q)]
    scored = [(statement_polarity(q.text), i, q) for i, q in enumerate(candidates)]
    if want:
        aligned = [x for x in scored if x[0] * want >= 0]
        scored = aligned or scored  # an opposite quote only when there is nothing else
        scored.sort(key=lambda x: (x[0] * want <= 0, not is_specific(x[2].text), x[1]))
    else:
        sides = [min(scored, key=lambda x: (-x[0], x[1]), default=None)]
        sides.append(min(scored, key=lambda x: (x[0], x[1]), default=None))
        first = [x for x in sides if x is not None]
        scored = first + [x for x in scored if x not in first]
    chosen: list[Quote] = []
    reviewers: set[str] = set()
    for _, _, quote in scored:
        who = reviewer_of(quote, feedback)
        if who in reviewers:
            continue
        reviewers.add(who)
        chosen.append(quote)
        if len(chosen) == MAX_CLAIMS:
            break
    return chosen


def _claim_text(index: int, place: Place, quote: Quote) -> str:
    specific = is_specific(quote.text)
    if place is Place.SPLIT:
        score = statement_polarity(quote.text)
        lead = (
            "On the positive side, a reviewer says:"
            if score > LEAN
            else "On the other side, a reviewer says:"
            if score < -LEAN
            else "A reviewer says:"
        )
    elif place is Place.STRENGTH:
        lead = (
            ("A reviewer gives a concrete example:" if specific else "A reviewer says, without a specific example:")
            if index == 0
            else ("Another reviewer gives an example:" if specific else "Another reviewer says, in general terms:")
        )
    else:
        lead = (
            ("A reviewer describes a specific instance:" if specific else "A reviewer says, without a specific instance:")
            if index == 0
            else ("Another reviewer describes the same pattern:" if specific else "Another reviewer says, in general terms:")
        )
    text = clip(quote.text.strip())
    end = "" if re.search(r"[.!?…]$", text) else "."
    return f"{lead} “{text}”{end}"


def _summary(theme: ThemeInput, place: Place, feedback: Feedback) -> str:
    subject = reviewers_subject(theme.reviewers, theme.relationships)
    name = quoted(theme.label)
    statements = count(theme.statement_count, "statement")
    if place is Place.STRENGTH:
        first = f"{subject} describe {name} as a strength, across {statements}."
    elif place is Place.GROWTH:
        first = f"{subject} raise {name} as something to work on, across {statements}."
    else:
        first = (
            f"Reviewers are divided on {name}: {subject[:1].lower()}{subject[1:]} comment on it, "
            "some as a strength and some as something to change."
        )
    items = [feedback[i] for i in theme.source_ids if i in feedback]
    specific = sum(1 for f in items if f.specific)
    if not items:
        return first
    if specific == 0:
        return f"{first} None of the feedback behind it gives a concrete example yet."
    return f"{first} {cap(number(specific))} of the {count(len(items), 'feedback item')} behind it give concrete examples."


# --- expectations ---------------------------------------------------------------------------

_SELF_SCORE = {Outcome.MET: 1.0, Outcome.PARTIALLY_MET: 0.5, Outcome.MISSED: 0.0}
_SELF_WORDS = {Outcome.MET: "met", Outcome.PARTIALLY_MET: "partly met", Outcome.MISSED: "missed"}
_VERDICT_START = re.compile(
    r"^\W*(?P<partial>partial(?:ly)?|partly|half)|^\W*(?P<missed>missed|not met|not done)"
    r"|^\W*(?P<met>(?:fully )?met|done|achieved|delivered|completed|yes)\b",
    re.IGNORECASE,
)
_PARTIAL = re.compile(
    r"\b(?:partial(?:ly)?|partly|mostly|halfway|short of|not (?:yet |fully |quite )"
    r"(?:met|done|there|finished)|some progress|still in progress)\b",
    re.IGNORECASE,
)
_MISSED = re.compile(
    r"\b(?:missed|not met|did(?: not|n't) happen|never happened|not started|no progress)\b",
    re.IGNORECASE,
)
_MET = re.compile(
    r"\b(?:exactly what we agreed|fully met|on time|ahead of schedule|hit the target)\b",
    re.IGNORECASE,
)
# (score, how the note describes it); a comment without a verdict or a lean is context only.
_PEER_CLASSES = {
    "met": (1.0, "says it was met"),
    "positive": (1.0, "reads as done"),
    "partial": (0.5, "reads as partly done"),
    "missed": (0.0, "says it was missed"),
    "critical": (0.25, "is critical"),
}


def peer_class(text: str) -> str | None:
    """How one peer comment on an expectation reads: an explicit verdict first, then lean."""
    start = _VERDICT_START.search(text)
    if start:
        return next(k for k in ("partial", "missed", "met") if start.group(k))
    if _PARTIAL.search(text):
        return "partial"
    if _MISSED.search(text):
        return "missed"
    if _MET.search(text):
        return "met"
    score = statement_polarity(text)
    if score > LEAN:
        return "positive"
    if score < -LEAN:
        return "critical"
    return None


def _peer_view(expectation: ExpectationInput) -> tuple[list[Quote], list[str]]:
    quotes = [q for q in expectation.peer_comments if engineer_safe(q)]
    return quotes, [c for q in quotes if (c := peer_class(q.text)) is not None]


def _peer_score(classes: list[str]) -> float | None:
    if not classes:
        return None
    return sum(_PEER_CLASSES[c][0] for c in classes) / len(classes)


def _evidence(expectation: ExpectationInput) -> ExpectationEvidence:
    """Status from a weighted average: self outcome (1), key-step progress (0.5) and peer
    comments (their average, weighing as much as two voices at most). Key steps alone are a
    plan, not an outcome: with no self outcome and no peer verdict the status is unclear."""
    quotes, classes = _peer_view(expectation)
    parts: list[str] = []
    total = weight = 0.0
    outcome = expectation.self_outcome
    if outcome is not None:
        total, weight = _SELF_SCORE[outcome], 1.0
        parts.append(f"the self-assessment says {_SELF_WORDS[outcome]}")
    else:
        parts.append("there is no self-assessment of it")
    steps_total = expectation.key_steps_total
    if steps_total > 0:
        done = min(expectation.key_steps_done, steps_total)
        total += 0.5 * done / steps_total
        weight += 0.5
        parts.append(f"{number(done)} of {number(steps_total)} key steps are done")
    peers = _peer_score(classes)
    if peers is not None:
        voices = min(len(classes), 2)
        total += peers * voices
        weight += voices
    parts.append(_peer_words(quotes, classes))
    if outcome is None and peers is None:
        status = EvidenceStatus.UNCLEAR
    else:
        score = total / weight
        status = (
            EvidenceStatus.MET
            if score >= 0.75
            else EvidenceStatus.PARTIALLY
            if score >= 0.4
            else EvidenceStatus.MISSED
        )
    verdict = {
        EvidenceStatus.MET: "Looks met",
        EvidenceStatus.PARTIALLY: "Looks partly met",
        EvidenceStatus.MISSED: "Looks missed",
        EvidenceStatus.UNCLEAR: "Unclear",
    }[status]
    note = f"{verdict}: {join(parts)}."
    if outcome is not None and peers is not None and abs(_SELF_SCORE[outcome] - peers) >= 0.5:
        note += " The self-assessment and reviewers see this differently."
    sources = [expectation.self_quote] if expectation.self_quote else []
    return ExpectationEvidence(
        expectation_id=expectation.id,
        title=expectation.title,
        status=status,
        note=note,
        citations=cite_all([q for q in sources if engineer_safe(q)] + quotes),
    )


def _peer_words(quotes: list[Quote], classes: list[str]) -> str:
    if not quotes:
        return "no peer comment addresses it"
    if not classes:
        return f"{count(len(quotes), 'peer comment')} mention{'s' if len(quotes) == 1 else ''} it without a verdict"
    tally: dict[str, int] = {}
    for c in classes:
        tally[c] = tally.get(c, 0) + 1
    described = [
        f"{number(k)} {_PEER_CLASSES[c][1]}" for c, k in tally.items()
    ]
    return f"of {count(len(quotes), 'peer comment')}, {join(described)}"


# --- self-assessment versus reviewers -------------------------------------------------------


def _self_vs_peers(
    inputs: SynthesisInputs,
    expectations: list[ExpectationInput],
    strengths: list[Section],
    growth: list[Section],
    points: Points,
) -> list[SelfVsPeers]:
    result: list[SelfVsPeers] = []
    own = _self_statements(inputs.self_overall)
    overall = _overall(own, strengths, growth, points)
    if overall is not None:
        result.append(overall)
    for expectation in expectations:
        item = _on_expectation(expectation, growth, points)
        if item is not None:
            result.append(item)
    for section in strengths + growth:
        item = _on_theme(own, section, points)
        if item is not None:
            result.append(item)
    return result


def _self_statements(whole: Quote | None) -> list[tuple[Quote, float]]:
    if whole is None or not engineer_safe(whole):
        return []
    spans = split_statements(whole.text)
    quotes = [sub_quote(whole, s.start, s.end) for s in spans]
    return [(q, statement_polarity(q.text)) for q in quotes if engineer_safe(q)]


def _overall(
    own: list[tuple[Quote, float]], strengths: list[Section], growth: list[Section], points: Points
) -> SelfVsPeers | None:
    if not own or not (strengths or growth):
        return None
    self_lean = sum(1 for _, s in own if s > LEAN) - sum(1 for _, s in own if s < -LEAN)
    peer_lean = sum(s.theme.reviewers for s in strengths) - sum(s.theme.reviewers for s in growth)
    if self_lean == 0 or peer_lean == 0:
        return None
    positive = self_lean > 0
    pick = max(own, key=lambda x: x[1]) if positive else min(own, key=lambda x: x[1])
    top = (strengths if peer_lean > 0 else growth)[0]
    citations = [cite(pick[0]), cite(top.quotes[0])]
    kinds = f"{count(len(strengths), 'strength')} and {count(len(growth), 'growth area')}"
    if positive == (peer_lean > 0):
        note = (
            f"The self-assessment reads as {'broadly positive' if positive else 'self-critical'}, "
            f"and the feedback leans the same way ({kinds})."
        )
        return SelfVsPeers(topic="Overall view of the period", alignment=Alignment.AGREE, note=note, citations=citations)
    if positive:
        note = (
            "The self-assessment reads as broadly positive, while reviewers raise more to work on "
            f"than to keep ({kinds}, weighed by how many reviewers back each)."
        )
        points.divergence.append(
            "Reviewers raise more to work on than the self-assessment does: which of the growth "
            "areas do you recognise, and which surprise you?"
        )
    else:
        note = (
            "The self-assessment is more critical than the feedback, which leans towards "
            f"strengths ({kinds})."
        )
        points.divergence.append(
            f"Reviewers are more positive than your self-assessment, especially about "
            f"{quoted(top.theme.label)}: what makes you see it differently?"
        )
    return SelfVsPeers(topic="Overall view of the period", alignment=Alignment.DIVERGE, note=note, citations=citations)


def _on_expectation(
    expectation: ExpectationInput, growth: list[Section], points: Points
) -> SelfVsPeers | None:
    outcome = expectation.self_outcome
    if outcome is None:
        return None
    quotes, classes = _peer_view(expectation)
    peers = _peer_score(classes)
    own = [expectation.self_quote] if expectation.self_quote and engineer_safe(expectation.self_quote) else []
    said = _SELF_WORDS[outcome]
    title = f"“{clip(expectation.title, 120)}”"
    if peers is not None:
        classified = [q for q in quotes if peer_class(q.text) is not None]
        citations = cite_all(own + classified)
        view = _peer_words(classified, classes)
        if abs(_SELF_SCORE[outcome] - peers) >= 0.5:
            points.divergence.append(
                f"Your self-assessment calls {title} {said}, but peer comments see it "
                f"differently. What does done look like to you here, and what would you point to?"
            )
            note = f"The self-assessment says {said}; {view}."
            return SelfVsPeers(topic=expectation.title, alignment=Alignment.DIVERGE, note=note, citations=citations)
        note = f"The self-assessment says {said}, and peer comments agree: {view}."
        return SelfVsPeers(topic=expectation.title, alignment=Alignment.AGREE, note=note, citations=citations)
    related = [s for s in growth if about(expectation.title, s.theme)]
    if outcome is Outcome.MET and related:
        section = related[0]
        reviewers = count(section.theme.reviewers, "reviewer")
        points.divergence.append(
            f"Your self-assessment calls {title} met, while {reviewers} raise "
            f"{quoted(section.theme.label)}. How do the two fit together?"
        )
        note = (
            f"The self-assessment says met, but {reviewers} raise {quoted(section.theme.label)} "
            "as something to work on, which is about the same work."
        )
        return SelfVsPeers(
            topic=expectation.title,
            alignment=Alignment.DIVERGE,
            note=note,
            citations=cite_all(own + section.quotes[:1]),
        )
    return None


def _on_theme(
    own: list[tuple[Quote, float]], section: Section, points: Points
) -> SelfVsPeers | None:
    matches = [(q, s) for q, s in own if about(q.text, section.theme)]
    if not matches:
        return None
    quote, score = matches[0]
    reviewers = count(section.theme.reviewers, "reviewer")
    name = quoted(section.theme.label)
    citations = [cite(quote), cite(section.quotes[0])]
    topic = theme_name(section.theme.label)
    if section.place is Place.STRENGTH:
        if score < -LEAN:
            points.divergence.append(
                f"{cap(reviewers)} name {name} as a strength, but your self-assessment is critical "
                "of it. What would you need to see to agree with them?"
            )
            note = f"The self-assessment is more critical of this than the {reviewers} who name it as a strength."
            return SelfVsPeers(topic=topic, alignment=Alignment.DIVERGE, note=note, citations=citations)
        note = f"The self-assessment and {reviewers} both see this as going well."
        return SelfVsPeers(topic=topic, alignment=Alignment.AGREE, note=note, citations=citations)
    if score > LEAN:
        points.divergence.append(
            f"Your self-assessment describes progress on {name}, while {reviewers} still raise it. "
            "What has changed, and what would reviewers need to see to notice it?"
        )
        note = f"The self-assessment describes progress here, while {reviewers} still raise it as something to work on."
        return SelfVsPeers(topic=topic, alignment=Alignment.DIVERGE, note=note, citations=citations)
    note = f"The self-assessment names this too, in line with the {reviewers} who raise it."
    return SelfVsPeers(topic=topic, alignment=Alignment.AGREE, note=note, citations=citations)


# --- talking points and overview ------------------------------------------------------------


def _talking_points(
    points: Points,
    inputs: SynthesisInputs,
    expectations: list[ExpectationInput],
    evidence: list[ExpectationEvidence],
    strengths: list[Section],
    growth: list[Section],
    vague: list[uuid.UUID],
) -> None:
    asks = (
        "Can you think of a recent example, and what would you do differently next time?",
        "What support or change would make the biggest difference here next period?",
    )
    for i, section in enumerate(growth[:2]):
        reviewers = count(section.theme.reviewers, "reviewer")
        verb = "are divided on" if section.place is Place.SPLIT else "raise"
        points.growth.append(f"{cap(reviewers)} {verb} {quoted(section.theme.label)}. {asks[i]}")
    diverged = " ".join(points.divergence)
    order = {EvidenceStatus.MISSED: 0, EvidenceStatus.PARTIALLY: 1, EvidenceStatus.UNCLEAR: 2}
    pending = sorted(
        (e for e in evidence if e.status in order), key=lambda e: order[e.status]
    )
    for item in pending:
        title = f"“{clip(item.title, 120)}”"
        if title in diverged:
            continue
        if item.status is EvidenceStatus.UNCLEAR:
            points.expectation.append(
                f"There is little evidence on {title}: how did it go, and who saw the work?"
            )
        else:
            looks = "looks missed" if item.status is EvidenceStatus.MISSED else "looks partly met"
            points.expectation.append(
                f"{title} {looks}. What got in the way, and what does that teach us about "
                "setting the next expectations?"
            )
    if vague:
        share = (
            "None of the feedback gives"
            if len(vague) == len(inputs.feedback)
            else f"{cap(number(len(vague)))} of {count(len(inputs.feedback), 'feedback item')} give"
        )
        points.vague.append(
            f"{share} a concrete example. Which pieces of work from this period best show what "
            "reviewers describe, so we can ask them for specific examples?"
        )
    if strengths:
        points.strength.append(
            f"Reviewers value {quoted(strengths[0].theme.label)}: how do you want to keep that "
            "steady next period, and where else could it help the team?"
        )


_FALLBACK = (
    "What are you proudest of from this period, and which piece of work shows it best?",
    "What got in the way this period that I could have helped with?",
    "Which of your expectations would you set differently next time, knowing what you know now?",
)


def _pick(points: Points) -> list[str]:
    kinds = [points.divergence, points.growth, points.expectation, points.vague, points.strength]
    chosen: list[str] = []
    depth = 0
    while len(chosen) < MAX_TALKING_POINTS and any(len(k) > depth for k in kinds):
        for kind in kinds:
            if depth < len(kind) and len(chosen) < MAX_TALKING_POINTS:
                chosen.append(kind[depth])
        depth += 1
    for fallback in _FALLBACK:
        if len(chosen) >= 3:
            break
        chosen.append(fallback)
    return chosen


def _overview(
    inputs: SynthesisInputs,
    strengths: list[Section],
    growth: list[Section],
    evidence: list[ExpectationEvidence],
    comparisons: list[SelfVsPeers],
    vague: list[uuid.UUID],
) -> str:
    reviewers: dict[str, str] = {}
    for f in inputs.feedback:
        reviewers.setdefault(f.reviewer, f.relationship.value)
    mix = relationship_mix(reviewers.values())
    own = " and the self-assessment" if inputs.self_overall else ""
    sentences = [
        f"This draft rests on {count(len(inputs.feedback), 'piece')} of feedback from "
        f"{count(len(reviewers), 'reviewer')}{f' ({mix})' if mix else ''}{own}."
    ]
    if strengths:
        top = strengths[0]
        more = f", followed by {quoted(strengths[1].theme.label)}" if len(strengths) > 1 else ""
        sentences.append(
            f"The clearest strength is {quoted(top.theme.label)}, backed by "
            f"{count(top.theme.reviewers, 'reviewer')}{more}."
        )
    else:
        sentences.append("No strength is backed by enough reviewers to stand as a theme yet.")
    if growth:
        top = growth[0]
        name, backers = quoted(top.theme.label), count(top.theme.reviewers, "reviewer")
        sentences.append(
            f"The main open question is {name}, where {backers} are divided."
            if top.place is Place.SPLIT
            else f"The main area to work on is {name}, raised by {backers}."
        )
    else:
        sentences.append("Reviewers raise no common growth area.")
    if evidence:
        tally: dict[EvidenceStatus, int] = {}
        for e in evidence:
            tally[e.status] = tally.get(e.status, 0) + 1
        words = {
            EvidenceStatus.MET: "met",
            EvidenceStatus.PARTIALLY: "partly met",
            EvidenceStatus.MISSED: "missed",
            EvidenceStatus.UNCLEAR: "unclear",
        }
        parts = [f"{number(tally[s])} {words[s]}" for s in words if tally.get(s)]
        sentences.append(
            f"Of {count(len(evidence), 'expectation')} for the period, the evidence suggests {join(parts)}."
        )
    diverging = [c for c in comparisons if c.alignment is Alignment.DIVERGE]
    if diverging:
        topic = diverging[0].topic
        topic = "the period as a whole" if topic.startswith("Overall") else f"“{clip(topic, 100)}”"
        sentences.append(
            f"The self-assessment and reviewers diverge on {topic}, a good place to start the 1:1."
        )
    elif vague:
        sentences.append(
            f"{cap(count(len(vague), 'feedback item'))} lack concrete examples, so ask those "
            "reviewers for one before relying on them."
        )
    elif comparisons:
        sentences.append("The self-assessment broadly matches what reviewers say.")
    return " ".join(sentences[:5])


def citations_of(synthesis: Synthesis) -> list[Citation]:
    """Every citation of a synthesis (for checks and tests)."""
    found = [c for s in synthesis.strengths + synthesis.growth_areas for cl in s.claims for c in cl.citations]
    found += [c for e in synthesis.expectations for c in e.citations]
    found += [c for v in synthesis.self_vs_peers for c in v.citations]
    return found


