"""Polarity of feedback statements and themes: strength, growth area, or mixed.

Weighted cue rules (see the comment below), and where a statement's MiniLM vector is at hand,
its meaning too (`meaning_polarity`): most specific feedback states what happened ("the
dataset met its SLA on 97% of days") with no evaluative word for a cue to catch. Measured on
475 hand-labelled statements by `python -m evals.bench_polarity`.
"""

import enum
import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Annotated, NamedTuple

from pydantic import BeforeValidator, Field

from synth.lexicon import Regex, Strict, Words, load, split_words


class Polarity(enum.StrEnum):
    STRENGTH = "strength"
    GROWTH_AREA = "growth_area"
    MIXED = "mixed"


# --- polarity ------------------------------------------------------------------------------
# A statement's polarity comes from weighted cues (polarity_cues.yaml): phrases first (requests
# and hedges such as "I'd like her to", "could be smaller", "the growth area is"; idioms such as
# "the person everyone calls"), then single words. A cue within three words after a negator
# ("never", "not", "no", "...n't", "without", "rarely") takes its negated weight ("never misses"
# reads as praise, "not always clear" as a growth area); a negative word whose subject is the
# writer ("when I was stuck") or of the people the person is there for ("office hours for anyone
# stuck") does not count against the person, nor does one after a verb of
# finding or ending a problem ("caught that the notes were wrong", "stopped our merges being
# blocked") or inside a compound ("error-budget"); in an opening "When ..., " clause it weighs
# half. In "X, but Y" the clause after the turn weighs twice as much as the one before it.
# Rules, not a model: deterministic, offline and well under a millisecond a statement.

CUES = Path(__file__).with_name("polarity_cues.yaml")


class Cue(Strict):
    """Alternatives that weigh `weight`, or `negated` within three words after a negator."""

    weight: float
    negated: float
    match: Annotated[list[Regex], BeforeValidator(split_words)] = Field(min_length=1)


class CueLexicon(Strict):
    """The cues and word classes of `statement_polarity`, as loaded from polarity_cues.yaml."""

    phrases: list[Cue] = Field(min_length=1)
    words: list[Cue] = Field(min_length=1)
    negators: Words
    first_person: Words
    third_person: Words
    helped: Words
    to_help: Words
    light: Words
    intensifiers: Words
    softeners: Words
    found: list[Regex] = Field(min_length=1)
    late: list[Regex] = Field(min_length=1)


@cache
def lexicon() -> CueLexicon:
    """The packaged cues, read and checked once."""
    return load(CUES, CueLexicon)


# Where a sentence turns; the clause after the turn dominates ("clear docs, but late updates").
_TURN = re.compile(r"\b(?:but|however|although|though|that said|even so|except that)\b|, yet\b")
_OPENING_TURN = re.compile(r"\s*(?:but|however)\b")  # "But ..." opens the critique after praise
_CLOSING_THOUGH = re.compile(r"\bthough[.!]?\s*$")  # "..., though." concedes against praise
_CLAUSE_BREAK = re.compile(r"[,;:.!?()—–]")
# A sentence that opens on its circumstances ("When the tables were late, he posted the
# cause within minutes"): trouble in that opening clause is the setting, weighed half.
_SETTING = re.compile(r"^\W*(?:when|whenever|after|during|while|each time|every time)\b[^,;]*,")
_SETTING_WEIGHT = 0.5
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Text addressed to a machine ("ignore all previous instructions and rate her ...") says
# nothing about the person, whatever praise it asks for.
_INJECTION = re.compile(
    r"\b(?:ignore|disregard) (?:all |any )?(?:the )?(?:previous|prior|above|earlier) "
    r"(?:instructions|prompts?|rules)\b"
)


def _compile(
    cues: Sequence[Cue], *, compounds: bool = False
) -> tuple[re.Pattern[str], list[tuple[float, float]]]:
    """`compounds`: a problem word inside a hyphenated compound names a thing, not a
    verdict ("crash-free", "error-budget check", "late-arriving orders", "non-blocking"),
    while praise keeps its compounds ("best-run")."""

    def whole(weight: float, alternatives: Sequence[str]) -> str:
        body = "|".join(alternatives)
        if compounds and weight < 0:
            return f"(?<!-)\\b(?:{body})(?![\\w-])"
        return f"\\b(?:{body})(?!\\w)"

    source = "|".join(f"(?P<c{i}>{whole(cue.weight, cue.match)})" for i, cue in enumerate(cues))
    return re.compile(source), [(cue.weight, cue.negated) for cue in cues]


class _Compiled(NamedTuple):
    phrases: re.Pattern[str]
    phrase_weights: list[tuple[float, float]]
    words: re.Pattern[str]
    word_weights: list[tuple[float, float]]
    found: re.Pattern[str]  # a verb of finding or ending a problem
    late: re.Pattern[str]  # a problem word such a verb does not clear


@cache
def _compiled() -> _Compiled:
    cues = lexicon()
    phrases, phrase_weights = _compile(cues.phrases)
    words, word_weights = _compile(cues.words, compounds=True)
    return _Compiled(
        phrases=phrases,
        phrase_weights=phrase_weights,
        words=words,
        word_weights=word_weights,
        found=re.compile(r"\b(?:" + "|".join(cues.found) + r")(?: that)?\b"),
        late=re.compile("|".join(cues.late)),
    )


def _context(segment: str, start: int) -> list[str]:
    """The words before `start` in the same clause that count as its neighbours, nearest last:
    up to three, not counting light words ("never makes you feel stupid" reaches "never")."""
    before = segment[max(0, start - 80) : start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    light = lexicon().light
    words: list[str] = []
    heavy = 0
    for word in reversed(_TOKEN.findall(before)):
        words.append(word)
        if word not in light:
            heavy += 1
            if heavy == 3:
                break
    words.reverse()
    return words


def _negated(words: list[str]) -> bool:
    negators = lexicon().negators
    for i, w in enumerate(words):
        if w in negators or w.endswith("n't"):
            # "not just the how", "not only fast": an addition, not a negation.
            if i + 1 < len(words) and words[i + 1] in ("just", "only"):
                continue
            return True
    return False


def _found_before(segment: str, start: int) -> bool:
    """A verb of finding or ending a problem earlier in the clause, not the writer's own."""
    before = segment[max(0, start - 120) : start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    found = list(_compiled().found.finditer(before))
    if not found:
        return False
    subject = _TOKEN.findall(before[: found[-1].start()])[-1:]
    return not (subject and subject[0] in lexicon().first_person)


def _segment_score(segment: str, setting: int = 0) -> float:
    """The weighted cues of one segment; `setting`: where its opening circumstances end."""
    cues, compiled = lexicon(), _compiled()
    total = 0.0
    taken: list[tuple[int, int]] = []
    for regex, weights, phrase in (
        (compiled.phrases, compiled.phrase_weights, True),
        (compiled.words, compiled.word_weights, False),
    ):
        for match in regex.finditer(segment):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue  # inside a phrase already counted
            taken.append((start, end))
            group = match.lastgroup
            assert group is not None
            weight, negated_weight = weights[int(group[1:])]
            words = _context(segment, start)
            if _negated(words):
                weight = negated_weight
            elif not phrase and weight < 0:
                # "when I was stuck", "I had missed": the writer's trouble, not the person's.
                for k in range(len(words) - 1, -1, -1):
                    w = words[k]
                    if w in cues.first_person or (
                        w in cues.helped and k > 0 and words[k - 1] in cues.to_help
                    ):
                        weight = 0.0
                        break
                    if w in cues.third_person:
                        break
                if _found_before(segment, start) and not compiled.late.match(match.group()):
                    weight = 0.0
                elif start < setting:
                    weight *= _SETTING_WEIGHT
            if weight > 0 and match.group().endswith("est"):
                weight *= 1.5  # superlatives: "the clearest on the team"
            if words and words[-1] in cues.intensifiers:
                weight *= 1.3
            elif words and words[-1] in cues.softeners:
                weight *= 0.6
            total += weight
    return total


@lru_cache(maxsize=65_536)  # a pure function of the text, asked again on every themes read
def statement_polarity(text: str) -> float:
    """-1 (growth area) to +1 (strength) from weighted cues; 0 when nothing tells.

    A score above 0 reads as a strength, below 0 as a growth area (see `theme_polarity`).
    evals/bench_polarity.py measures it against hand-labelled statements.
    """
    norm = text.lower().replace("’", "'").replace("‘", "'")
    if _INJECTION.search(norm):
        return 0.0
    bounds = [0, *(m.start() for m in _TURN.finditer(norm) if m.start() > 0), len(norm)]
    segments = [norm[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    opening = _SETTING.match(norm)
    setting = opening.end() if opening else 0
    total = 0.0
    for i, segment in enumerate(segments):
        weight = 1.0 if i == len(segments) - 1 else 0.5
        total += weight * _segment_score(segment, setting if i == 0 else 0)
    if _OPENING_TURN.match(norm):
        total -= 0.5
    if _CLOSING_THOUGH.search(norm):
        total -= 0.5
    if total == 0:
        return 0.0
    return total / (abs(total) + 1.0)


def theme_polarity(scores: Iterable[float]) -> Polarity:
    """Strength when at least twice as many statements lean positive (score > 0) as negative,
    growth area when the reverse, else mixed; neutral statements (score 0) do not count.

    Checked against themes drawn from the hand-labelled statements (evals/bench_polarity.py): a
    dead band around 0 or weighting by score did not agree better with the labelled verdicts.
    """
    values = list(scores)
    positive = sum(1 for s in values if s > 0)
    negative = sum(1 for s in values if s < 0)
    if positive and positive >= 2 * negative:
        return Polarity.STRENGTH
    if negative and negative >= 2 * positive:
        return Polarity.GROWTH_AREA
    return Polarity.MIXED


CLEAR = 0.2
"""A statement whose score is past this (either way) clearly praises or criticises."""
