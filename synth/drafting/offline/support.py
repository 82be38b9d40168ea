"""Evidence for and against one statement of a talent assessment, decided by meaning.

A feedback sentence is evidence about a strength or development need when it says the same
thing, by MiniLM cosine of the statement with the sentence or with one of its clauses (a
sentence about two things is about each of them), not when it shares a topic word:
- it paraphrases the statement (cosine at least `ABOUT`), or
- the statement is the one of the assessment's strengths and development needs the sentence
  is nearest to (within `MARGIN`, among at least `MIN_RIVALS` others), at cosine at least
  `NEAR`, and the sentence takes a side (praise or criticism). MiniLM scores a concrete
  account of a behaviour low against an assessment's short abstract wording ("she argued
  every comment on her pull request" against "takes review feedback defensively"), so a low
  score counts when no other statement of the assessment explains the sentence better; a
  weak match that judges nothing is not evidence.

Whether it supports or contradicts is its polarity (cues and meaning, the same
`combined_polarity` the themes use) against the item's direction: criticism of the same
behaviour contradicts a strength, praise of it a development need, and a neutral account
that paraphrases the statement supports either (a development need is often described
without a judgement: "only she knows the partitioning scheme"). A contradiction must be about
exactly the same behaviour: a paraphrase (`CONTRADICTS`) and at least as close to the
statement as the closest account supporting it, so praise of a neighbouring behaviour in the
same area (the test tooling someone built, against "merges changes before the tests have
run") is not counted against it. Remarks the bias guard flags, pay talk and text addressed
to a model are never evidence.
"""

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from synth.drafting.inputs import AssessmentItemInput, ExpectationInput, FeedbackItem, Quote
from synth.drafting.offline.meaning import polarity, similarity
from synth.drafting.offline.text import LEAN, citable, sub_quote
from synth.drafting.outputs import ChecklistItemKind
from synth.evidence import SourceKind
from synth.guards.bias import bias_terms
from synth.guards.injection import detect_injection
from synth.guards.two_track import talent_track_topics
from synth.themes.statements import split_sentences

ABOUT = 0.3  # MiniLM cosine of an assessment statement and a sentence saying the same thing
NEAR = 0.15  # ... of a sentence that no other statement of the assessment explains better
MARGIN = 0.05  # a sentence is near each statement within this of the one it is nearest to
MIN_RIVALS = 2  # other statements needed before "nearest" says anything
CONTRADICTS = 0.45  # a contradiction is about exactly the same behaviour: a paraphrase
MAX_EVIDENCE = 8  # per side, most similar first
# Where a sentence turns to another subject: its clauses, each compared on its own.
_CLAUSE = re.compile(
    r"[,;:()—–]|\s(?:and|but|though|although|however|which|because|so that|while|whereas)\s"
)
MIN_CLAUSE_WORDS = 3


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


def evidence(quote: Quote) -> bool:
    """A peer's sentence that may stand as evidence: citable, not a remark the bias guard
    flags (who someone is, not what they did), not pay talk (what someone deserves, not what
    they did) and not text addressed to a model."""
    return (
        quote.source_kind is SourceKind.PEER_FEEDBACK
        and citable(quote)
        and not bias_terms(quote.text)
        and "pay" not in talent_track_topics(quote.text)
        and not detect_injection(quote.text)
    )


def clauses(text: str) -> list[str]:
    """The parts of a sentence that can be about different things: split at punctuation
    and conjunctions, each of at least `MIN_CLAUSE_WORDS` words."""
    parts = [part.strip(" .") for part in _CLAUSE.split(text)]
    return [part for part in parts if len(part.split()) >= MIN_CLAUSE_WORDS]


def aboutness(statements: Sequence[str], texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """How much each text (a row per statement, a column per text) says what each statement
    says: the cosine with the whole text or with its closest clause, whichever is higher."""
    result = similarity(statements, texts)
    split = [(j, clauses(text)) for j, text in enumerate(texts)]
    parts = [(j, part) for j, found in split if len(found) > 1 for part in found]
    if statements and parts:
        per_part = similarity(statements, [part for _, part in parts])
        for k, (j, _) in enumerate(parts):
            np.maximum(result[:, j], per_part[:, k], out=result[:, j])
    return result


def weigh(
    item: AssessmentItemInput, pool: Sequence[Quote], statements: Sequence[str] = ()
) -> tuple[list[Quote], list[Quote]]:
    """(supporting, contradicting) quotes for a strength or development need, from every
    feedback sentence in `pool` about it; `statements` are the assessment's strengths and
    development needs, against which a sentence's nearest statement is judged. The rating
    keeps the gatherer's quotes."""
    if item.kind is ChecklistItemKind.RATING:
        return list(item.supporting), list(item.contradicting)
    quotes = [q for q in pool if evidence(q)]
    if not quotes:
        return [], []
    others = [s for s in dict.fromkeys(statements) if s != item.statement]
    about = aboutness([item.statement, *others], [q.text for q in quotes])
    own = about[0]
    # With fewer rivals, any praise is "nearest" the one strength: only paraphrases count.
    rival = about[1:].max(axis=0) if len(others) >= MIN_RIVALS else np.full(len(quotes), 9.0)
    scores = polarity([q.text for q in quotes])
    positive = item.kind is ChecklistItemKind.STRENGTH
    order = sorted(range(len(quotes)), key=lambda i: (-round(float(own[i]), 4), i))
    supporting: list[int] = []
    against: list[int] = []
    for i in order:
        nearest = own[i] >= NEAR and own[i] >= rival[i] - MARGIN
        sided = abs(scores[i]) > LEAN
        if not (own[i] >= ABOUT or (nearest and sided)):
            continue
        if scores[i] < -LEAN if positive else scores[i] > LEAN:
            # Opposite polarity alone is not a contradiction: praise of someone's reviews
            # does not contradict "still reviews most changes herself".
            if own[i] >= CONTRADICTS:
                against.append(i)
        elif len(supporting) < MAX_EVIDENCE:
            supporting.append(i)
    if supporting:
        # No closer to the statement than the accounts of the behaviour itself: a remark
        # about a neighbouring behaviour in the same area, not against this one.
        closest = own[supporting[0]]
        against = [i for i in against if own[i] >= closest]
    return [quotes[i] for i in supporting], [quotes[i] for i in against[:MAX_EVIDENCE]]
