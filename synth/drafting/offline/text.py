"""Wording and evidence helpers shared by the offline drafter's three drafts.

Citations are built from `Quote` objects only, so every quote is verbatim by construction;
quotes that cannot be cited safely (inconsistent offsets, pay or promotion talk, text
addressed to a machine) are dropped before any sentence is written around them.
"""

import enum
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from synth.drafting.inputs import FeedbackItem, Quote, ThemeInput
from synth.drafting.outputs import Citation, SourceKind
from synth.evidence import PersonName
from synth.guards.anonymity.names import names_pattern
from synth.guards.anonymity.phrases import self_identifying
from synth.guards.bias import bias_terms
from synth.guards.injection.detect import detect_injection
from synth.guards.two_track import forbidden_mentions
from synth.text import STOPWORDS, fold_mapped
from synth.themes.polarity import CLEAR, Polarity, statement_polarity

LEAN = CLEAR  # |polarity| above which a statement counts as praise or criticism
_NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve".split()
_FILLER = frozenset(_NUMBERS) | {"lot", "lots", "bit", "couple", "few", "several", "many"}
_TOKEN = re.compile(r"[a-z][a-z0-9'’-]*[a-z0-9]", re.IGNORECASE)
# Words too common in feedback to tell two topics apart.
_GENERIC = frozenset(
    """engineer engineers review period half project projects change changes team's
    always really example examples better much more everyone anyone""".split()
)


# --- other people's names -------------------------------------------------------------------

# "from Sofia", "with Dev as mentor": a phrase that only says who else was involved.
_WITH_SOMEONE = re.compile(r"\s+(?:from|with|by|alongside|and)\s+$", re.IGNORECASE)
_AS_ROLE = re.compile(r"^(?:['’]s)?\s+as\s+(?:(?:a|an|the|my|their)\s+)?[a-z-]+", re.IGNORECASE)


def without_names(text: str, people: Sequence[PersonName], subject_id: uuid.UUID) -> str:
    """`text` (an expectation's or objective's own words, quoted in a draft) without anyone's
    name but the subject's: a phrase that only says who else was involved goes ("... rollout
    from Sofia", "with Dev as mentor"), any other mention becomes "a colleague". The anonymity
    guard blocks every reviewer's name in what the engineer reads, whatever text it came
    from, so the drafter does not quote one."""
    subject = next((p for p in people if p.id == subject_id), None)
    pattern = names_pattern(people, subject)
    if pattern is None:
        return text
    folded, origin = fold_mapped(text)
    spans = [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(folded)]
    for start, end in reversed(spans):
        before, after = text[:start], text[end:]
        joined = _WITH_SOMEONE.search(before)
        if joined is not None:
            role = _AS_ROLE.match(after)
            text = before[: joined.start()] + after[role.end() if role else 0 :]
        else:
            text = before + "a colleague" + after
    return " ".join(text.split())


# --- citations ------------------------------------------------------------------------------


def citable(quote: Quote) -> bool:
    """A quote whose offsets match its text: the citation guard would reject anything else."""
    return (
        bool(quote.text.strip())
        and quote.end > quote.start >= 0
        and (quote.end - quote.start == len(quote.text))
    )


def engineer_safe(quote: Quote) -> bool:
    """Citable, and fit for an engineer-facing draft: nothing the two-track guard forbids
    (pay, ratings, promotion), nothing addressed to a model (the injection guard), and no
    remark about who someone is rather than what they did (the bias guard: "bossy" is
    never evidence, least of all filed with praise), and no reviewer singling themselves out
    ("As the only designer on the squad, I ...": quoted, it names its author)."""
    return (
        citable(quote)
        and not forbidden_mentions(quote.text)
        and not detect_injection(quote.text)
        and not bias_terms(quote.text)
        and not (quote.source_kind is SourceKind.PEER_FEEDBACK and self_identifying(quote.text))
    )


_FIRST_PERSON = re.compile(r"\bI\b|\bI['’](?:m|ve|d|ll)\b|\b(?:me|my|mine|myself)\b", re.IGNORECASE)


def first_person(text: str) -> bool:
    """Does the writer speak of themselves? Such details can identify them."""
    return bool(_FIRST_PERSON.search(text))


def cite(quote: Quote) -> Citation:
    return Citation(
        source_id=quote.source_id,
        source_kind=quote.source_kind,
        quote=quote.text,
        start=quote.start,
        end=quote.end,
    )


def cite_all(quotes: Iterable[Quote]) -> list[Citation]:
    """Citations in order, each span once."""
    seen: set[tuple[str, int, int]] = set()
    result: list[Citation] = []
    for quote in quotes:
        key = (str(quote.source_id), quote.start, quote.end)
        if key not in seen:
            seen.add(key)
            result.append(cite(quote))
    return result


def sub_quote(whole: Quote, start: int, end: int) -> Quote:
    """The span [start, end) of `whole.text` as a quote of the same source."""
    return Quote(
        source_id=whole.source_id,
        source_kind=whole.source_kind,
        start=whole.start + start,
        end=whole.start + end,
        text=whole.text[start:end],
        reviewer=whole.reviewer,
    )


def is_peer(quote: Quote) -> bool:
    return quote.source_kind is SourceKind.PEER_FEEDBACK


def reviewer_of(quote: Quote, feedback: Mapping[uuid.UUID, FeedbackItem]) -> str:
    """The reviewer behind a quote: its handle, else its feedback's, else the source itself."""
    if quote.reviewer:
        return quote.reviewer
    item = feedback.get(quote.source_id)
    return item.reviewer if item else str(quote.source_id)


def clip(text: str, limit: int = 220) -> str:
    """`text` cut at a word boundary when longer than `limit` (citations keep it whole)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 20].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut} …"


# --- counting and naming --------------------------------------------------------------------


def number(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def count(n: int, singular: str, plural: str | None = None) -> str:
    """ "three reviewers", "one statement"."""
    return f"{number(n)} {singular if n == 1 else (plural or singular + 's')}"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def join(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def day(when: date) -> str:
    return f"{when.day} {when:%B %Y}"


def theme_name(label: str) -> str:
    """A keyphrase label ("design doc · failover") as a short name ("Design doc and failover")."""
    parts = [p.strip() for p in re.split(r"\s*[·|;]\s*", label) if p.strip()]
    parts = [p for p in parts if not p.startswith("(")]
    # Keyphrases that are only counting words ("three") say nothing about the theme.
    meaningful = [p for p in parts if not set(p.lower().split()) <= _FILLER]
    parts = meaningful or parts
    return cap(join(parts)) if parts else "Unnamed theme"


def quoted(label: str) -> str:
    """A theme's name inside a sentence: quoted, since keyphrases are not prose; lowercase
    but for an acronym ("PRs have got much cleaner")."""
    name = theme_name(label)
    first, _, rest = name.partition(" ")
    if first[1:2].isupper():
        return f"“{name}”"
    return f"“{first.lower()}{' ' if rest else ''}{rest}”"


# Relationship groups as they may be named to an engineer. The manager and skip level are one
# group, "their management chain", so a sentence never singles out one identifiable person.
_GROUPS: dict[str, tuple[str, str, str]] = {
    "peer": ("peers", "a peer", "peers"),
    "cross_functional": (
        "cross-functional",
        "a cross-functional partner",
        "cross-functional partners",
    ),
    "report": ("reports", "someone they manage", "people they manage"),
    "manager": ("chain", "their management chain", "their management chain"),
    "skip_level": ("chain", "their management chain", "their management chain"),
}


def _group_counts(relationships: Mapping[str, int]) -> dict[str, tuple[str, str, int]]:
    groups: dict[str, tuple[str, str, int]] = {}
    for key in ("peer", "cross_functional", "report", "manager", "skip_level"):
        n = relationships.get(key, 0)
        if n <= 0:
            continue
        group, one, many = _GROUPS[key]
        _, _, before = groups.get(group, (one, many, 0))
        groups[group] = (one, many, before + n)
    return groups


def relationship_mix(relationships: Iterable[str]) -> str:
    """ "peers, a cross-functional partner and their management chain"."""
    counts: dict[str, int] = {}
    for rel in relationships:
        counts[rel] = counts.get(rel, 0) + 1
    parts = []
    for group, (one, many, k) in _group_counts(counts).items():
        parts.append(one if k == 1 or group == "chain" else many)
    return join(parts)


# --- words and overlap ----------------------------------------------------------------------


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s?$", "", word)
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def keywords(text: str) -> set[str]:
    """Content words of `text`, lightly stemmed: "Decisions" and "decision" meet."""
    words = (w.lower() for w in _TOKEN.findall(text))
    return {
        _stem(w)
        for w in words
        if w not in STOPWORDS and w not in _GENERIC and len(w) >= 4 and not w.isdigit()
    }


def theme_keywords(theme: ThemeInput) -> tuple[set[str], set[str]]:
    """A theme's label words, and the words its representatives share with the label or
    with each other (what the theme is about, beyond one reviewer's wording)."""
    label = keywords(theme.label)
    seen: dict[str, int] = {}
    for quote in theme.representatives:
        for word in keywords(quote.text):
            seen[word] = seen.get(word, 0) + 1
    shared = {w for w, k in seen.items() if k >= 2}
    return label, label | shared


def about(text: str, theme: ThemeInput) -> bool:
    """Is `text` about `theme`? At least one label word, and two theme words when the theme
    has enough of them (one common word such as "checkout" is not enough)."""
    label, words = theme_keywords(theme)
    found = keywords(text)
    if not found & label:
        return False
    return len(found & words) >= (2 if len(words) >= 4 else 1)


# --- placing themes -------------------------------------------------------------------------


class Place(enum.Enum):
    STRENGTH = "strength"
    GROWTH = "growth"
    SPLIT = "split"  # reviewers divided: shown with growth areas, phrased as a split view


def theme_place(theme: ThemeInput) -> Place:
    """Strength or growth area. A mixed theme goes where most of its representative
    statements (the only ones a drafter sees) lean; a tie is a split view, shown with the
    growth areas and worded as such, since a theme reviewers disagree on is worth a
    conversation either way."""
    if theme.polarity is Polarity.STRENGTH:
        return Place.STRENGTH
    if theme.polarity is Polarity.GROWTH_AREA:
        return Place.GROWTH
    scores = [statement_polarity(q.text) for q in theme.representatives]
    praise = sum(1 for s in scores if s > LEAN)
    criticism = sum(1 for s in scores if s < -LEAN)
    if praise > criticism:
        return Place.STRENGTH
    if criticism > praise:
        return Place.GROWTH
    return Place.SPLIT


# --- a theme's statements as evidence -------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…](?=[\"'”’)\]]*(?:\s|$))")


@dataclass(frozen=True)
class Statement:
    """One statement of a theme as citable evidence: the whole sentence it sits in, its own
    polarity (decided per statement, not per theme) and who wrote it."""

    quote: Quote
    score: float
    reviewer: str
    order: int


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole sentence(s) of `text` holding [start, end): a clause is never quoted cut
    off from the rest of its sentence."""
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    left = before[-1] if before else 0
    after = _SENTENCE_END.search(text, max(start, end - 1))
    right = after.end() if after else len(text)
    while left < start and text[left].isspace():
        left += 1
    while right > end and text[right - 1].isspace():
        right -= 1
    return min(left, start), max(right, end)


def theme_statements(
    theme: ThemeInput, feedback: Mapping[uuid.UUID, FeedbackItem]
) -> list[Statement]:
    """Every statement of a theme, each quoted as its whole sentence, with its own polarity
    (the gathered one, else its cues). Inputs without statement spans fall back to the
    theme's representatives."""
    found: list[Statement] = []
    for order, span in enumerate(theme.spans):
        item = feedback.get(span.source_id)
        if item is None or not 0 <= span.start < span.end <= len(item.text):
            continue
        own = item.text[span.start : span.end]
        start, end = sentence_around(item.text, span.start, span.end)
        quote = Quote(
            source_id=span.source_id,
            source_kind=SourceKind.PEER_FEEDBACK,
            start=start,
            end=end,
            text=item.text[start:end],
            reviewer=item.reviewer,
        )
        score = span.polarity or statement_polarity(own)
        found.append(Statement(quote, score, item.reviewer, order))
    if found:
        return found
    return [
        Statement(q, statement_polarity(q.text), reviewer_of(q, feedback), order)
        for order, q in enumerate(theme.representatives)
        if is_peer(q)
    ]
