"""Evidence for and against one statement of a talent assessment, decided by meaning.

A feedback sentence is evidence about a strength or development need when it says the same
thing (MiniLM cosine at least `ABOUT`), not when it shares a topic word. Whether it supports
or contradicts is its polarity against the item's direction: praise of the same behaviour
contradicts a development need, criticism of it contradicts a strength, and a neutral
account of the behaviour supports either (a development need is often described without a
judgement: "only she knows the partitioning scheme").
"""

from collections.abc import Sequence

from synth.drafting.inputs import (
    AssessmentItemInput,
    ExpectationInput,
    FeedbackItem,
    Quote,
    ThemeInput,
)
from synth.drafting.offline.meaning import similarity
from synth.drafting.offline.text import LEAN, citable, sub_quote
from synth.drafting.outputs import ChecklistItemKind
from synth.evidence import SourceKind
from synth.themes.polarity import statement_polarity
from synth.themes.statements import split_sentences

ABOUT = 0.3  # MiniLM cosine of an assessment statement and a sentence (or theme) saying the same
CONTRADICTS = 0.45  # a contradiction is about exactly the same behaviour: a paraphrase
MAX_EVIDENCE = 8  # per side, most similar first


def sentences(feedback: Sequence[FeedbackItem]) -> list[Quote]:
    """Every sentence of every feedback item, as a verbatim quote with its reviewer."""
    found: list[Quote] = []
    for item in feedback:
        for span in split_sentences(item.text):
            if len(span.text.split()) < 3:
                continue
            found.append(
                Quote(
                    source_id=item.id,
                    source_kind=SourceKind.PEER_FEEDBACK,
                    start=span.start,
                    end=span.end,
                    text=span.text,
                    reviewer=item.reviewer,
                )
            )
    return found


def own_sentences(expectations: Sequence[ExpectationInput]) -> list[Quote]:
    """Every sentence of the engineer's self-assessment on the period's expectations."""
    found: list[Quote] = []
    for expectation in sorted(expectations, key=lambda e: e.position):
        whole = expectation.self_quote
        if whole is None or not citable(whole):
            continue
        for span in split_sentences(whole.text):
            if len(span.text.split()) >= 3:
                found.append(sub_quote(whole, span.start, span.end))
    return found


def theme_quotes(theme: ThemeInput, feedback: Sequence[FeedbackItem]) -> list[Quote]:
    """Every peer statement of a theme, as verbatim quotes."""
    by_id = {f.id: f for f in feedback}
    found = []
    for span in theme.spans:
        item = by_id.get(span.source_id)
        if item is None or not 0 <= span.start < span.end <= len(item.text):
            continue
        text = item.text[span.start : span.end]
        found.append(
            Quote(
                source_id=item.id, start=span.start, end=span.end, text=text, reviewer=item.reviewer
            )
        )
    return found


def closest_theme(statement: str, themes: Sequence[ThemeInput]) -> ThemeInput | None:
    """The theme that says the same thing as `statement` (its name and statements together),
    if one does."""
    if not themes:
        return None
    texts = [" ".join([t.label, *(q.text for q in t.representatives)]) for t in themes]
    sims = similarity([statement], texts)[0]
    best = max(range(len(themes)), key=lambda i: (round(float(sims[i]), 4), -i))
    return themes[best] if sims[best] >= ABOUT else None


def weigh(
    item: AssessmentItemInput,
    pool: Sequence[Quote],
    themes: Sequence[ThemeInput] = (),
    feedback: Sequence[FeedbackItem] = (),
) -> tuple[list[Quote], list[Quote]]:
    """(supporting, contradicting) quotes for a strength or development need, from the
    gatherer's own quotes, every feedback sentence that says the same thing and the
    statements of the theme that does; the rating keeps the gatherer's."""
    if item.kind is ChecklistItemKind.RATING:
        return list(item.supporting), list(item.contradicting)
    theme = closest_theme(item.statement, themes)
    members = theme_quotes(theme, feedback) if theme is not None else []
    # The gatherer's quotes were found by meaning already; they and the theme's statements
    # need no second similarity check.
    member_keys = {
        (q.source_id, q.start, q.end) for q in [*members, *item.supporting, *item.contradicting]
    }
    candidates: dict[tuple[object, int, int], Quote] = {}
    for quote in [*members, *item.supporting, *item.contradicting, *pool]:
        if citable(quote) and quote.source_kind is SourceKind.PEER_FEEDBACK:
            candidates.setdefault((quote.source_id, quote.start, quote.end), quote)
    quotes = _without_overlaps(list(candidates.values()))
    if not quotes:
        return [], []
    sims = similarity([item.statement], [q.text for q in quotes])[0]
    order = sorted(range(len(quotes)), key=lambda i: (-round(float(sims[i]), 4), i))
    supporting: list[Quote] = []
    contradicting: list[Quote] = []
    positive = item.kind is ChecklistItemKind.STRENGTH
    for i in order:
        q = quotes[i]
        if sims[i] < ABOUT and (q.source_id, q.start, q.end) not in member_keys:
            continue
        score = statement_polarity(quotes[i].text)
        # Opposite polarity alone is not a contradiction: praise of someone's reviews does
        # not contradict "still reviews most changes herself". It must say the same thing.
        against = (score < -LEAN if positive else score > LEAN) and sims[i] >= CONTRADICTS
        if (score < -LEAN if positive else score > LEAN) and not against:
            continue
        side = contradicting if against else supporting
        if len(side) < MAX_EVIDENCE:
            side.append(quotes[i])
    return supporting, contradicting


def _without_overlaps(quotes: list[Quote]) -> list[Quote]:
    """One quote per stretch of text: the gatherer's statements and the sentences found here
    can cover the same words; the longer one stays."""
    kept: list[Quote] = []
    for quote in sorted(quotes, key=lambda q: (-(q.end - q.start), str(q.source_id), q.start)):
        if not any(
            k.source_id == quote.source_id and k.start < quote.end and quote.start < k.end
            for k in kept
        ):
            kept.append(quote)
    return sorted(kept, key=lambda q: (str(q.source_id), q.start))
