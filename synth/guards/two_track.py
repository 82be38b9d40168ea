"""The two-track guard: the engineer-facing version never mentions pay or talent decisions.

Feedback (for the engineer) and talent assessment (for the manager and their thought partner)
are separate tracks. `check_two_track` scans every string of `engineer_version(...)` output
and reports each mention of compensation, ratings, promotion, level changes, level alignment,
calibration, performance plans or talent assessment, with its path; and any key that only
talent assessment content has. Every finding blocks release and none can be overridden: the
split is enforced in code, so only an edit that takes the words out clears it.

What counts as a mention is data: `two_track_lexicon.yaml` lists the phrasings per code
(with inflections, compounds and amounts near pay words) and the near misses that clear a hit
they contain ("pay down tech debt", "promoted the flag to default", "calibrated the alert
thresholds"). Level names come from the ladder, so "ready for senior" or an organisation's
own "ready for Wayfinder" is a level decision, while "senior engineers on the team" is not.
The labelled examples and the bar are in evals/data/two_track.jsonl and
evals/bench_two_track.py.
"""

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from synth.guards.findings import Finding
from synth.text import join, shingles, strings, walk

GUARD = "two_track"
LEXICON = Path(__file__).with_name("two_track_lexicon.yaml")
# Read as a file, not through synth.people: guards sit below every domain package.
DEFAULT_LADDER = Path(__file__).parents[1] / "people" / "ladders" / "default.yaml"

# Keys only talent assessment content carries: their presence means it flowed in.
TALENT_KEYS = frozenset(
    {
        "assessment_id",
        "level_alignment",
        "recommended_level",
        "confidence",
        "growth_potential",
        "role_fit",
        "development_needs",
    }
)


# --- the lexicon ----------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LexiconRule(_Strict):
    """Phrasings that make a mention, with the reason they do."""

    why: str
    match: list[str] = Field(min_length=1)


class LexiconCode(_Strict):
    """One finding code: what it is about in plain words, and its rules."""

    topic: str = Field(description='how a flag names it: "pay", "promotion"')
    rules: list[LexiconRule] = Field(min_length=1)


class NearMiss(_Strict):
    """Ordinary phrases that share a word with a mention; a hit inside one is not a mention."""

    why: str
    codes: list[str] = Field(default_factory=list, description="empty: every code")
    match: list[str] = Field(min_length=1)


class Lexicon(_Strict):
    """The two-track vocabulary, as loaded from `two_track_lexicon.yaml`."""

    version: int
    irregular: dict[str, list[str]]
    generic_level_words: list[str]
    default_ratings: list[str] = Field(min_length=1)
    fragments: dict[str, str]
    codes: dict[str, LexiconCode] = Field(min_length=1)
    near_misses: list[NearMiss]

    @model_validator(mode="after")
    def _compiles(self) -> "Lexicon":
        unknown = {c for n in self.near_misses for c in n.codes} - set(self.codes)
        if unknown:
            raise ValueError(f"near misses name unknown codes: {sorted(unknown)}")
        reserved = {"level", "level_target", "rating"} & set(self.fragments)
        if reserved:
            raise ValueError(f"fragments {sorted(reserved)} are built from the ladder")
        _compile(self, LadderTerms(levels=("senior engineer", "wayfinder")))
        return self


@cache
def lexicon() -> Lexicon:
    """The packaged lexicon, read and checked once."""
    return Lexicon.model_validate(yaml.safe_load(LEXICON.read_text(encoding="utf-8")))


# --- ladder vocabulary ----------------------------------------------------------------------


@dataclass(frozen=True)
class LadderTerms:
    """The words of one ladder that name a level or a rating, as the matcher uses them."""

    levels: tuple[str, ...] = ()
    ratings: tuple[str, ...] = ()


class LevelLike(Protocol):
    """A ladder level as any layer holds it: a `LevelSpec`, a `Level` row."""

    @property
    def key(self) -> str: ...

    @property
    def name(self) -> str: ...


_CONNECTORS = frozenset({"of", "in", "for", "the", "and", "&"})


def ladder_terms(levels: Iterable[LevelLike], *, ratings: Iterable[str] = ()) -> LadderTerms:
    """Names, keys and short forms ("Senior Engineer": "senior") of a ladder's levels, and
    its rating words; generic words alone ("Engineer") never count as a level."""
    generic = {w.lower() for w in lexicon().generic_level_words}
    terms: set[str] = set()
    for level in levels:
        for term in (level.name, level.key.replace("_", " ")):
            words = term.lower().split()
            terms.add(" ".join(words))
            while words and (words[-1] in generic or words[-1] in _CONNECTORS):
                words.pop()
            terms.add(" ".join(words))
    return LadderTerms(
        levels=tuple(sorted(t for t in terms if t and t not in generic)),
        ratings=tuple(sorted({r.strip().lower() for r in ratings if r.strip()})),
    )


class _Level(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    key: str
    name: str


class _Ladder(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    levels: list[_Level] = Field(min_length=1)


@cache
def default_ladder_terms() -> LadderTerms:
    """The shipped ladder's levels, read from its YAML (no database needed)."""
    ladder = _Ladder.model_validate(yaml.safe_load(DEFAULT_LADDER.read_text(encoding="utf-8")))
    return ladder_terms(ladder.levels)


# --- compiling patterns ---------------------------------------------------------------------

_FRAGMENT = re.compile(r"\{([a-z_]+)\}")
_WORD_FORMS = re.compile(r"<([a-z]+)>")
_GAP = r"[\s\-]+"  # a space in a pattern: spaces or hyphens ("pay rise", "pay-rise")
_LEVEL_CODES = r"(?:L|IC)\d{1,2}|level[\s\-]+\d{1,2}"
# What may follow a bare level word used as a destination ("ready for senior by June"), so
# "senior engineers", "staff meeting" and "a senior voice" are not decisions.
_AFTER_LEVEL = (
    r"(?=\s*(?:$|[.,;:!?)\"'”’]|[—–-]\s)|\s+(?:engineer|manager|em|ic|title|role|level|"
    r"position|band|grade|rank|track|by|in|within|next|this|now|tomorrow|yet|already|after|"
    r"before|if|when|once|soon|at|and|or|for|from|on|is|was|with|as|eventually|later|then|"
    r"too|either|right)\b)"
)
_NOT_PLURAL = r"(?![\w\-])"
# Patterns start at a word's start, or at a clitic ("he'd", "she's").
_START = r"(?:(?<!\w)|(?=['’]))"


def _alternation(terms: Iterable[str]) -> str:
    spelled = sorted({t for t in terms if t}, key=lambda t: (-len(t), t))
    return "|".join(_GAP.join(re.escape(w) for w in t.split()) for t in spelled)


def _level_fragments(terms: LadderTerms, generic: frozenset[str]) -> dict[str, str]:
    """{level}: any level word; {level_target}: one used as a decision's destination."""
    full = [t for t in terms.levels if t.split()[-1] in generic]
    short = [t for t in terms.levels if t.split()[-1] not in generic]
    any_level = "|".join(p for p in (_alternation(terms.levels), _LEVEL_CODES) if p)
    targets = [rf"(?:{_alternation(full)}){_NOT_PLURAL}"] if full else []
    bare = "|".join(p for p in (_alternation(short), _LEVEL_CODES) if p)
    targets.append(rf"(?:{bare})(?:[\s\-]+level)?{_NOT_PLURAL}{_AFTER_LEVEL}")
    return {"level": f"(?:{any_level})", "level_target": f"(?:{'|'.join(targets)})"}


def _forms(word: str, irregular: dict[str, list[str]]) -> list[str]:
    """The word and its regular (or listed irregular) inflections."""
    if word in irregular:
        return [word, *irregular[word]]
    if word.endswith("e"):
        return [word, f"{word}s", f"{word}d", f"{word[:-1]}ing"]
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return [word, f"{word[:-1]}ies", f"{word[:-1]}ied", f"{word}ing"]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return [word, f"{word}es", f"{word}ed", f"{word}ing"]
    return [word, f"{word}s", f"{word}ed", f"{word}ing"]


def _expand(pattern: str, fragments: dict[str, str], irregular: dict[str, list[str]]) -> str:
    def fragment(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in fragments:
            raise ValueError(f"unknown fragment {{{name}}} in {pattern!r}")
        return f"(?:{_expand(fragments[name], fragments, irregular)})"

    def forms(m: re.Match[str]) -> str:
        return "(?:" + "|".join(sorted(_forms(m.group(1), irregular), key=len, reverse=True)) + ")"

    expanded = _WORD_FORMS.sub(forms, _FRAGMENT.sub(fragment, pattern))
    return expanded.replace(" ?", r"[\s\-]*").replace(" ", _GAP)


@dataclass(frozen=True)
class _Code:
    code: str
    # The code's rules in one pattern: most text mentions nothing, and one scan says so.
    any_rule: re.Pattern[str]
    rules: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class _Matcher:
    codes: tuple[_Code, ...]
    near_misses: tuple[tuple[frozenset[str], re.Pattern[str]], ...]


def _compile(lex: Lexicon, terms: LadderTerms) -> _Matcher:
    generic = frozenset(w.lower() for w in lex.generic_level_words)
    fragments = dict(lex.fragments)
    fragments.update(_level_fragments(terms, generic))
    fragments["rating"] = _alternation((*lex.default_ratings, *terms.ratings))

    def whole(pattern: str) -> str:
        # Whole words only; a hyphen joins words ("the pay-in flow" is one thing).
        return rf"(?:{_expand(pattern, fragments, lex.irregular)})(?!\w)(?!-\w)"

    def regex(pattern: str) -> re.Pattern[str]:
        try:
            return re.compile(_START + whole(pattern), re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from exc

    codes = []
    for code, spec in lex.codes.items():
        patterns = [p for rule in spec.rules for p in rule.match]
        one_by_one = tuple(map(regex, patterns))  # first, so a broken pattern is named
        every = re.compile(f"{_START}(?:{'|'.join(map(whole, patterns))})", re.IGNORECASE)
        codes.append(_Code(code, every, one_by_one))
    near = tuple((frozenset(n.codes), regex(p)) for n in lex.near_misses for p in n.match)
    return _Matcher(codes=tuple(codes), near_misses=near)


@lru_cache(maxsize=16)
def _matcher(terms: LadderTerms) -> _Matcher:
    return _compile(lexicon(), terms)


# --- finding mentions -----------------------------------------------------------------------


class Mention(NamedTuple):
    """One off-limits mention: its code, the words and where they are in the text."""

    code: str
    words: str
    start: int
    end: int


def find_mentions(text: str, *, ladder: LadderTerms | None = None) -> list[Mention]:
    """Every talent-track mention in `text`, in order; overlapping hits of one code count once."""
    matcher = _matcher(ladder if ladder is not None else default_ladder_terms())
    candidates = [
        (c.code, m.start(), m.end())
        for c in matcher.codes
        if c.any_rule.search(text)
        for rx in c.rules
        for m in rx.finditer(text)
    ]
    if not candidates:
        return []
    misses = [
        (codes, m.start(), m.end()) for codes, rx in matcher.near_misses for m in rx.finditer(text)
    ]
    hits = sorted(
        (start, -end, code)
        for code, start, end in candidates
        if not any(
            (not codes or code in codes) and lo <= start and end <= hi for codes, lo, hi in misses
        )
    )
    kept: list[Mention] = []
    reach: dict[str, int] = {}
    for start, neg_end, code in hits:
        if start < reach.get(code, -1):
            continue
        reach[code] = -neg_end
        kept.append(Mention(code, text[start:-neg_end], start, -neg_end))
    return kept


def forbidden_mentions(text: str, *, ladder: LadderTerms | None = None) -> list[tuple[str, str]]:
    """(code, matched words) for every off-limits mention in `text`, in order."""
    return [(m.code, m.words) for m in find_mentions(text, ladder=ladder)]


def talent_track_topics(text: str, *, ladder: LadderTerms | None = None) -> list[str]:
    """What `text` says that belongs to the talent track ("pay", "promotion"), each once."""
    codes = lexicon().codes
    return list(dict.fromkeys(codes[m.code].topic for m in find_mentions(text, ladder=ladder)))


def mentions_talent_track(text: str, *, ladder: LadderTerms | None = None) -> bool:
    """Does `text` (feedback, a draft sentence) mention pay, ratings, promotion or the like?"""
    if ladder is None:
        return _mentions_without_ladder(text)
    return bool(find_mentions(text, ladder=ladder))


@lru_cache(maxsize=65_536)  # the same statements are asked about on every themes read
def _mentions_without_ladder(text: str) -> bool:
    return bool(find_mentions(text))


# --- the guard ------------------------------------------------------------------------------


def _keys(value: Any) -> Iterator[tuple[str, str]]:
    """(path, key) of every key of every dict in `value`."""
    for path, node in walk(value):
        if isinstance(node, dict):
            for key in map(str, node):
                yield join(path, key), key


COPIED_WORDS = 5  # a run this long from a talent assessment is its content, not a coincidence


def _copies(text: str) -> set[tuple[str, ...]]:
    return shingles(text, COPIED_WORDS)


def _copied(text: str, talent_texts: Sequence[str], public: set[tuple[str, ...]]) -> str | None:
    """The first run of `COPIED_WORDS` words `text` shares with a talent assessment and with
    nothing `public` (the feedback and expectations the draft is made from): the assessment
    and the feedback often name the same facts ("iOS offline mode on time")."""
    runs = _copies(text) - public
    for source in talent_texts:
        for run in sorted(_copies(source) & runs):
            return " ".join(run)
    return None


def check_two_track(
    engineer_text: dict[str, Any],
    *,
    talent_texts: Sequence[str] = (),
    public_texts: Sequence[str] = (),
    ladder: LadderTerms | None = None,
) -> list[Finding]:
    """Findings for the engineer-facing version of a draft (as `engineer_version` returns).

    `talent_texts` are the engineer's talent assessments of the period (strengths, development
    needs, coaching plan): words found only there, not in `public_texts` (the feedback and
    expectations drafted from), are talent content too. `ladder` names the organisation's
    levels (default: the shipped ladder's)."""
    public = set().union(*(_copies(t) for t in public_texts)) if talent_texts else set()

    def block(code: str, message: str, path: str) -> Finding:
        return Finding(
            guard=GUARD, code=code, blocking=True, overridable=False, message=message, path=path
        )

    found = [
        block(
            "talent_content",
            f"talent assessment field {key!r} in the engineer-facing version",
            path,
        )
        for path, key in _keys(engineer_text)
        if key in TALENT_KEYS
    ]
    for path, text in strings(engineer_text):
        copied = _copied(text, talent_texts, public) if talent_texts else None
        if copied is not None:
            message = f"words from the talent assessment in engineer-facing text: {copied!r}"
            found.append(block("talent_content", message, path))
        for code, words in forbidden_mentions(text, ladder=ladder):
            found.append(block(code, f"the engineer-facing text mentions {words!r}", path))
    return found
