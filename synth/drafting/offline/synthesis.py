"""The offline manager synthesis: themes placed as strengths or growth areas, 1:1 talking
points and an overview (evidence per expectation and self-vs-peers: `evidence`).

Rules, not a model. Sentences are written around representative quotes (the reviewers' own
words, cited verbatim) rather than paraphrasing them, because a paraphrase without a model
would be invention. Reviewer handles and relationships of single quotes are never written;
summaries give counts and the mix of relationships only.
"""

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from synth.drafting.base import NotEnoughFeedback
from synth.drafting.inputs import ExpectationInput, FeedbackItem, Quote, SynthesisInputs, ThemeInput
from synth.drafting.offline.evidence import Section, expectation_evidence, self_vs_peers
from synth.drafting.offline.flagged import flagged_remarks
from synth.drafting.offline.meaning import similarity
from synth.drafting.offline.text import (
    LEAN,
    Place,
    Statement,
    cap,
    cite,
    clip,
    count,
    engineer_safe,
    first_person,
    join,
    number,
    quoted,
    relationship_mix,
    theme_name,
    theme_place,
    theme_statements,
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
from synth.themes.labels import DISTINCT
from synth.themes.phrases import candidates
from synth.themes.polarity import statement_polarity

MIN_REVIEWERS = 2  # one voice cannot corroborate a theme
MAX_CLAIMS = 3
MAX_TALKING_POINTS = 6

Feedback = Mapping[uuid.UUID, FeedbackItem]


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
    # Led by the sides most reviewers give: a lone criticism inside a theme of praise comes
    # after growth areas several reviewers raise.
    by_voices = sorted(sections, key=lambda s: -s.output.reviewers)
    strengths = [s for s in by_voices if s.place is Place.STRENGTH]
    growth = [s for s in by_voices if s.place is not Place.STRENGTH]
    expectations = sorted(inputs.expectations, key=lambda e: (e.position, str(e.id)))
    evidence = [expectation_evidence(e, inputs.self_overall) for e in expectations]
    points = Points()
    comparisons = self_vs_peers(inputs, expectations, strengths, growth, points.divergence)
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
        flagged=flagged_remarks(inputs.feedback),
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


def _sections(inputs: SynthesisInputs, feedback: Feedback) -> list[Section]:
    """Each corroborated theme as a strength, a growth area, or both: every statement is
    placed by its own polarity, so praise inside a theme reviewers mostly criticise becomes a
    strength of the same name (when enough reviewers give it) and never evidence of the growth
    area."""
    # The manager's synthesis covers every corroborated theme; themes below the anonymity
    # threshold are dropped from the engineer's version when it is released (release.py).
    ordered = sorted(inputs.themes, key=lambda t: (-t.reviewers, -t.statement_count, t.label))
    names = frozenset(
        part.lower() for person in inputs.people for part in re.split(r"[\s-]+", person.name)
    )
    sections = []
    quoted_once: set[tuple[uuid.UUID, int]] = set()  # a sentence is evidence in one place
    for theme in ordered:
        if theme.reviewers < MIN_REVIEWERS:
            continue
        statements = theme_statements(theme, feedback)
        lean = Place.STRENGTH if theme_place(theme) is Place.STRENGTH else Place.GROWTH
        sides: dict[Place, list[Statement]] = {Place.STRENGTH: [], Place.GROWTH: []}
        for statement in statements:
            # A statement goes against its theme's lean only when it clearly leans the other
            # way: a faint score is as likely noise as a different view.
            side = (
                lean
                if abs(statement.score) <= LEAN
                else Place.STRENGTH
                if statement.score > 0
                else Place.GROWTH
            )
            sides[side].append(statement)
        for place in (lean, Place.GROWTH if lean is Place.STRENGTH else Place.STRENGTH):
            found = sides[place]
            voices = {s.reviewer for s in found}
            if not voices:
                continue
            # The theme is corroborated; a side of it may rest on one voice, and says so
            # ("one reviewer raises ..."), since a lone criticism inside a theme of praise is
            # still what the manager should see. The release drops what is below the
            # anonymity threshold.
            quotes = _claim_quotes(found, quoted_once)
            if not quotes:
                continue
            claims = [
                Claim(text=_claim_text(i, place, q), citations=[cite(q)])
                for i, q in enumerate(quotes)
            ]
            # The lean side speaks for every reviewer of the theme except those who only give
            # the other view (the statements at hand may be a sample of the theme's).
            only_other = {s.reviewer for s in statements} - voices
            reviewers = max(len(voices), theme.reviewers - len(only_other))
            named = theme
            if place is not lean:
                reviewers = len(voices)
                # The theme is titled by its lean ("people outside Mobile have no idea"): the
                # other side ("generous with help and unblocks people") gets its own title.
                label = side_title([q.text for q in quotes], names, theme.label, place)
                named = theme.model_copy(update={"label": label or theme.label})
            section = ThemeSection(
                theme=theme_name(named.label),
                summary=_summary(named, place, found, reviewers),
                claims=claims,
                reviewers=reviewers,
            )
            sections.append(Section(named, place, section, quotes))
    return sections


def side_title(
    texts: Sequence[str], names: frozenset[str], other: str, place: Place | None = None
) -> str | None:
    """The candidate phrase of `texts` closest in meaning to all of them and least like
    `other` (the title of the theme's other side, scored as theme titles are), capitalised;
    None when they hold no candidate. With `place`, a text's phrases come from its parts that
    lean that way when it has any ("Ana keeps the build green, and nobody notices because
    it just works" is titled from the second part on the growth side)."""
    pool = list(
        dict.fromkeys(
            c for text in texts for part in _leaning(text, place) for c in candidates(part, names)
        )
    )
    if not pool:
        return None
    closeness = similarity(pool, list(texts)).mean(axis=1)
    closeness -= DISTINCT * similarity(pool, [other])[:, 0]
    best = max(range(len(pool)), key=lambda i: (round(float(closeness[i]), 4), -i))
    return cap(pool[best])


_PART = re.compile(r"[,;:]|\s[-–—]\s")


def _leaning(text: str, place: Place | None) -> list[str]:
    """The parts of `text` (between commas, semicolons, colons and dashes) whose cues lean
    towards `place`; the whole text when none does or none is asked for."""
    if place is None:
        return [text]
    sign = 1 if place is Place.STRENGTH else -1
    parts = [part for part in _PART.split(text) if len(part.split()) >= 3]
    leaning = [part for part in parts if statement_polarity(part) * sign > 0]
    return leaning if 0 < len(leaning) < len(parts) else [text]


def _claim_quotes(statements: list[Statement], spans: set[tuple[uuid.UUID, int]]) -> list[Quote]:
    """Up to three whole sentences, one per reviewer, strongest evidence first: specific
    ones (a number, a date, a named thing) before general ones, then those about the engineer
    rather than the writer (a first-person aside such as "when I was stuck" says more about
    who wrote it), then the clearest in tone. A sentence already quoted (`spans`, updated)
    is not quoted again: two clauses of one sentence can sit in two themes."""
    ranked = sorted(
        (s for s in statements if engineer_safe(s.quote)),
        key=lambda s: (
            not is_specific(s.quote.text),
            first_person(s.quote.text),
            -abs(s.score),
            s.order,
        ),
    )
    chosen: list[Quote] = []
    reviewers: set[str] = set()
    for statement in ranked:
        key = (statement.quote.source_id, statement.quote.start)
        if statement.reviewer in reviewers or key in spans:
            continue
        reviewers.add(statement.reviewer)
        spans.add(key)
        chosen.append(statement.quote)
        if len(chosen) == MAX_CLAIMS:
            break
    return chosen


def _claim_text(index: int, place: Place, quote: Quote) -> str:
    """The quote, whole, introduced. Whether feedback is specific is said once, in the
    summary: a single statement is too short to judge."""
    if place is Place.STRENGTH:
        lead = ("One reviewer puts it this way:", "Another reviewer adds:", "A third adds:")[index]
    else:
        lead = (
            "One reviewer describes it:",
            "Another reviewer sees the same pattern:",
            "A third adds:",
        )[index]
    text = quote.text.strip()
    end = "" if re.search(r"[.!?…]$", text) else "."
    return f"{lead} “{text}”{end}"


def _summary(theme: ThemeInput, place: Place, statements: list[Statement], reviewers: int) -> str:
    """One sentence of what the reviewers said: how many, about what, and whether they give
    examples. How many, never who: the summary is what the engineer reads when the theme is
    released."""
    subject = cap(count(reviewers, "reviewer"))
    name = quoted(theme.label)
    one = reviewers == 1
    specific = len({s.reviewer for s in statements if is_specific(s.quote.text)})
    said = (
        f"{subject} {'describes' if one else 'describe'} {name} as a strength"
        if place is Place.STRENGTH
        else f"{subject} {'raises' if one else 'raise'} {name} as something to work on"
    )
    if specific == 0:
        return f"{said}, {'without' if one else 'none of them with'} a concrete example yet."
    if one:
        return f"{said}, with a concrete example."
    if specific >= reviewers:
        every = "both" if specific == 2 else "all"
        return f"{said}, {every} with concrete examples."
    return f"{said}, {number(specific)} of them with concrete examples."


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
        reviewers = count(section.output.reviewers, "reviewer")
        one = section.output.reviewers == 1
        verb = (
            ("is divided on" if one else "are divided on")
            if section.place is Place.SPLIT
            else ("raises" if one else "raise")
        )
        points.growth.append(f"{cap(reviewers)} {verb} {quoted(section.theme.label)}. {asks[i]}")
    diverged = " ".join(points.divergence)
    order = {EvidenceStatus.MISSED: 0, EvidenceStatus.PARTIALLY: 1, EvidenceStatus.UNCLEAR: 2}
    pending = sorted((e for e in evidence if e.status in order), key=lambda e: order[e.status])
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
            "None of the feedback gives a concrete example."
            if len(vague) == len(inputs.feedback)
            else f"{cap(number(len(vague)))} of {count(len(inputs.feedback), 'feedback item')} "
            f"{'gives' if len(vague) == 1 else 'give'} no concrete example."
        )
        points.vague.append(
            f"{share} Which pieces of work from this period best show what reviewers describe, "
            "so we can ask them for specific examples?"
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
    kinds = [
        points.divergence,
        points.growth,
        points.expectation,
        points.vague,
        points.strength,
    ]
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
            f"{count(top.output.reviewers, 'reviewer')}{more}."
        )
    else:
        sentences.append("No strength is backed by enough reviewers to stand as a theme yet.")
    if growth:
        top = growth[0]
        name, backers = quoted(top.theme.label), count(top.output.reviewers, "reviewer")
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
            f"Of {count(len(evidence), 'expectation')} for the period, the evidence suggests "
            f"{join(parts)}."
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
            f"{cap(count(len(vague), 'feedback item'))} "
            + (
                "lacks a concrete example: ask for one before relying on it."
                if len(vague) == 1
                else "lack concrete examples: ask for one before relying on them."
            )
        )
    elif comparisons:
        sentences.append("The self-assessment broadly matches what reviewers say.")
    return " ".join(sentences[:5])


def citations_of(synthesis: Synthesis) -> list[Citation]:
    """Every citation offered as evidence (for checks and tests): a flagged remark's is not."""
    found = [
        c
        for s in synthesis.strengths + synthesis.growth_areas
        for cl in s.claims
        for c in cl.citations
    ]
    found += [c for e in synthesis.expectations for c in e.citations]
    found += [c for v in synthesis.self_vs_peers for c in v.citations]
    return found
