"""Evidence for the offline synthesis: each expectation's status, and where the engineer's
self-assessment and their reviewers agree or diverge.

An expectation's status weighs the self-assessed outcome, key-step progress and peer comments
(an explicit verdict such as "Partially met." or "four of the eleven", `verdicts`). Comparisons
are made only where both sides say something: a self-assessment statement about a theme, an
expectation with a self outcome and peer comments, or the overall lean of each side.
"""

from dataclasses import dataclass

from synth.cycles.models import Outcome
from synth.drafting.inputs import ExpectationInput, Quote, SynthesisInputs, ThemeInput
from synth.drafting.offline.text import (
    LEAN,
    Place,
    about,
    cap,
    cite,
    cite_all,
    clip,
    count,
    engineer_safe,
    join,
    keywords,
    number,
    quoted,
    sub_quote,
    theme_name,
)
from synth.drafting.offline.verdicts import verdict_class
from synth.drafting.outputs import (
    Alignment,
    EvidenceStatus,
    ExpectationEvidence,
    SelfVsPeers,
    ThemeSection,
)
from synth.themes.polarity import statement_polarity
from synth.themes.statements import split_statements

MET_FROM = 0.75  # a weighted score from here up reads as met
# ... and from here up as partly met. Below a third: key steps (weight 0.5) alone never turn
# a self-assessed "partly met" into missed (0.5 with no step done weighs 1/3).
PARTLY_FROM = 0.3
AGREE_WITHIN = 0.25  # self and peer scores closer than this agree; 0.5 apart diverge
CLEAR_LEAN = 0.25  # share of the total by which one side must lead to count as a lean


@dataclass
class Section:
    """A theme as placed in the synthesis, with the quotes its claims cite."""

    theme: ThemeInput
    place: Place
    output: ThemeSection
    quotes: list[Quote]


# --- expectations ---------------------------------------------------------------------------

_SELF_SCORE = {Outcome.MET: 1.0, Outcome.PARTIALLY_MET: 0.5, Outcome.MISSED: 0.0}
_SELF_WORDS = {Outcome.MET: "met", Outcome.PARTIALLY_MET: "partly met", Outcome.MISSED: "missed"}
# (score, how the note describes it); a comment without a verdict or a lean is context only.
_PEER_CLASSES = {
    "met": (1.0, "says it was met", "say it was met"),
    "positive": (0.8, "reads as positive", "read as positive"),
    "partial": (0.5, "reads as partly done", "read as partly done"),
    "missed": (0.0, "says it was missed", "say it was missed"),
    "critical": (0.2, "is critical", "are critical"),
}


def peer_class(text: str) -> str | None:
    """How one peer comment on an expectation reads: an explicit verdict first, then lean."""
    verdict = verdict_class(text)
    if verdict is not None:
        return verdict
    score = statement_polarity(text)
    if score > LEAN:
        return "positive"
    if score < -LEAN:
        return "critical"
    return None


def _peer_view(expectation: ExpectationInput) -> tuple[list[Quote], list[str]]:
    """Peer comments found by meaning, and the verdicts they give. Only an explicit verdict
    counts towards the status: these comments are about the same work, not answers about the
    expectation, and their tone (praise of the person, say) is no verdict on it."""
    quotes = [q for q in expectation.peer_comments if engineer_safe(q)]
    title = expectation.title
    return quotes, [c for q in quotes if (c := verdict_class(q.text, title)) is not None]


def _peer_score(classes: list[str]) -> float | None:
    if not classes:
        return None
    return sum(_PEER_CLASSES[c][0] for c in classes) / len(classes)


MIN_SHARED_WORDS = 2  # one shared word ("tests") is a coincidence; two name the same work


def own_account(expectation: ExpectationInput, whole: Quote | None) -> list[tuple[Quote, str]]:
    """What the overall self-assessment says about this expectation: its sentences that
    share at least two content words with the title and give a verdict on it ("not started",
    "on time"; tone alone is no verdict on one expectation among several). An engineer often
    writes one account of the period rather than a note per expectation."""
    title = keywords(expectation.title)
    found = []
    for quote, _ in self_statements(whole):
        if len(keywords(quote.text) & title) < MIN_SHARED_WORDS:
            continue
        verdict = verdict_class(quote.text, expectation.title, shares=False)
        if verdict is not None:
            found.append((quote, verdict))
    return found


def expectation_evidence(
    expectation: ExpectationInput, whole: Quote | None = None
) -> ExpectationEvidence:
    """Status from a weighted average: the self-assessment (its outcome, and what the overall
    self-assessment says about the expectation: together at most two voices), key-step
    progress (0.5) and peer verdicts (their average, weighing as much as two voices at most).
    Key steps alone are a plan, not an outcome: with no self-assessment of it and no peer
    verdict the status is unclear."""
    quotes, classes = _peer_view(expectation)
    account = own_account(expectation, whole)
    parts: list[str] = []
    total = weight = 0.0
    outcome = expectation.self_outcome
    if outcome is not None:
        total, weight = _SELF_SCORE[outcome], 1.0
        parts.append(f"the self-assessment says {_SELF_WORDS[outcome]}")
    elif not account:
        parts.append("there is no self-assessment of it")
    if account:
        total += sum(_PEER_CLASSES[c][0] for _, c in account) / len(account)
        weight += 1.0
        parts.append(f"the overall self-assessment {_PEER_CLASSES[account[0][1]][1]}")
    steps_total = expectation.key_steps_total
    if steps_total > 0:
        done = min(expectation.key_steps_done, steps_total)
        total += 0.5 * done / steps_total
        weight += 0.5
        verb = "is" if done == 1 else "are"
        parts.append(f"{number(done)} of {number(steps_total)} key steps {verb} done")
    peers = _peer_score(classes)
    if peers is not None:
        voices = min(len(classes), 2)
        total += peers * voices
        weight += voices
    parts.append(_peer_words(quotes, classes))
    if outcome is None and peers is None and not account:
        status = EvidenceStatus.UNCLEAR
    else:
        score = total / weight
        status = (
            EvidenceStatus.MET
            if score >= MET_FROM
            else EvidenceStatus.PARTIALLY
            if score >= PARTLY_FROM
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
    sources += [q for q, _ in account]
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
        verb = "mentions" if len(quotes) == 1 else "mention"
        return f"{count(len(quotes), 'peer comment')} {verb} it without a verdict"
    tally: dict[str, int] = {}
    for c in classes:
        tally[c] = tally.get(c, 0) + 1
    if len(quotes) == 1:
        return f"the one peer comment {_PEER_CLASSES[classes[0]][1]}"
    if len(tally) == 1 and len(classes) == len(quotes):
        every = "both" if len(quotes) == 2 else f"all {number(len(quotes))}"
        return f"{every} peer comments {_PEER_CLASSES[classes[0]][2]}"
    described = [
        f"{number(k)} {_PEER_CLASSES[c][1] if k == 1 else _PEER_CLASSES[c][2]}"
        for c, k in tally.items()
    ]
    return f"of {count(len(quotes), 'peer comment')}, {join(described)}"


# --- self-assessment versus reviewers -------------------------------------------------------


def self_vs_peers(
    inputs: SynthesisInputs,
    expectations: list[ExpectationInput],
    strengths: list[Section],
    growth: list[Section],
    asks: list[str],
) -> list[SelfVsPeers]:
    result: list[SelfVsPeers] = []
    own = self_statements(inputs.self_overall)
    overall = _overall(own, strengths, growth, asks)
    if overall is not None:
        result.append(overall)
    for expectation in expectations:
        item = _on_expectation(expectation, growth, asks)
        if item is not None:
            result.append(item)
    for section in strengths + growth:
        item = _on_theme(own, section, asks)
        if item is not None:
            result.append(item)
    return result


def self_statements(whole: Quote | None) -> list[tuple[Quote, float]]:
    if whole is None or not engineer_safe(whole):
        return []
    spans = split_statements(whole.text)
    quotes = [sub_quote(whole, s.start, s.end) for s in spans]
    return [(q, statement_polarity(q.text)) for q in quotes if engineer_safe(q)]


def _overall(
    own: list[tuple[Quote, float]], strengths: list[Section], growth: list[Section], asks: list[str]
) -> SelfVsPeers | None:
    if not own or not (strengths or growth):
        return None
    praise = sum(1 for _, s in own if s > LEAN)
    criticism = sum(1 for _, s in own if s < -LEAN)
    self_lean = _lean(praise, criticism)
    peer_lean = _lean(
        sum(s.output.reviewers for s in strengths), sum(s.output.reviewers for s in growth)
    )
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
        return SelfVsPeers(
            topic="Overall view of the period",
            alignment=Alignment.AGREE,
            note=note,
            citations=citations,
        )
    if positive:
        note = (
            "The self-assessment reads as broadly positive, while reviewers raise more to work on "
            f"than to keep ({kinds}, weighed by how many reviewers back each)."
        )
        asks.append(
            "Reviewers raise more to work on than the self-assessment does: which of the growth "
            "areas do you recognise, and which surprise you?"
        )
    else:
        note = (
            "The self-assessment is more critical than the feedback, which leans towards "
            f"strengths ({kinds})."
        )
        asks.append(
            f"Reviewers are more positive than your self-assessment, especially about "
            f"{quoted(top.theme.label)}: what makes you see it differently?"
        )
    return SelfVsPeers(
        topic="Overall view of the period",
        alignment=Alignment.DIVERGE,
        note=note,
        citations=citations,
    )


def _lean(ahead: int, behind: int) -> int:
    """+1 or -1 when one side clearly outweighs the other (by a quarter of the total), else 0."""
    total = ahead + behind
    if total == 0 or abs(ahead - behind) < CLEAR_LEAN * total:
        return 0
    return 1 if ahead > behind else -1


def _on_expectation(
    expectation: ExpectationInput, growth: list[Section], asks: list[str]
) -> SelfVsPeers | None:
    outcome = expectation.self_outcome
    if outcome is None:
        return None
    quotes, classes = _peer_view(expectation)
    peers = _peer_score(classes)
    own = (
        [expectation.self_quote]
        if expectation.self_quote and engineer_safe(expectation.self_quote)
        else []
    )
    said = _SELF_WORDS[outcome]
    title = f"“{clip(expectation.title, 120)}”"
    if peers is not None:
        classified = [q for q in quotes if peer_class(q.text) is not None]
        citations = cite_all(own + classified)
        view = _peer_words(classified, classes)
        if abs(_SELF_SCORE[outcome] - peers) >= 0.5:
            asks.append(
                f"Your self-assessment calls {title} {said}, but peer comments see it "
                f"differently. What does done look like to you here, and what would you point to?"
            )
            note = f"The self-assessment says {said}; {view}."
            return SelfVsPeers(
                topic=expectation.title, alignment=Alignment.DIVERGE, note=note, citations=citations
            )
        if abs(_SELF_SCORE[outcome] - peers) >= AGREE_WITHIN:
            return None  # neither clearly the same nor clearly different
        note = f"The self-assessment says {said}, and peer comments agree: {view}."
        return SelfVsPeers(
            topic=expectation.title, alignment=Alignment.AGREE, note=note, citations=citations
        )
    related = [s for s in growth if about(expectation.title, s.theme)]
    if outcome is Outcome.MET and related:
        section = related[0]
        reviewers = count(section.output.reviewers, "reviewer")
        raise_ = "raises" if section.output.reviewers == 1 else "raise"
        asks.append(
            f"Your self-assessment calls {title} met, while {reviewers} {raise_} "
            f"{quoted(section.theme.label)}. How do the two fit together?"
        )
        note = (
            f"The self-assessment says met, but {reviewers} {raise_} {quoted(section.theme.label)} "
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
    own: list[tuple[Quote, float]], section: Section, asks: list[str]
) -> SelfVsPeers | None:
    matches = [(q, s) for q, s in own if about(q.text, section.theme)]
    if not matches:
        return None
    quote, score = matches[0]
    reviewers = count(section.output.reviewers, "reviewer")
    one = section.output.reviewers == 1
    name_ = "names" if one else "name"
    raise_ = "raises" if one else "raise"
    name = quoted(section.theme.label)
    citations = [cite(quote), cite(section.quotes[0])]
    topic = theme_name(section.theme.label)
    if section.place is Place.STRENGTH:
        if score < -LEAN:
            asks.append(
                f"{cap(reviewers)} {name_} {name} as a strength, but your self-assessment is "
                "critical of it. What would you need to see to agree with them?"
            )
            note = (
                f"The self-assessment is more critical of this than the {reviewers} who name it "
                "as a strength."
            )
            return SelfVsPeers(
                topic=topic, alignment=Alignment.DIVERGE, note=note, citations=citations
            )
        note = f"The self-assessment and {reviewers} both see this as going well."
        return SelfVsPeers(topic=topic, alignment=Alignment.AGREE, note=note, citations=citations)
    if score > LEAN:
        asks.append(
            f"Your self-assessment describes progress on {name}, while {reviewers} still "
            f"{raise_} it. What has changed, and what would reviewers need to see to notice it?"
        )
        note = (
            f"The self-assessment describes progress here, while {reviewers} still {raise_} it as "
            "something to work on."
        )
        return SelfVsPeers(topic=topic, alignment=Alignment.DIVERGE, note=note, citations=citations)
    note = f"The self-assessment names this too, in line with the {reviewers} who raise it."
    return SelfVsPeers(topic=topic, alignment=Alignment.AGREE, note=note, citations=citations)
