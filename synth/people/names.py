"""Who a piece of text may name, and every way a person's name can be written.

Themes use it to keep names out of labels and HR excerpts, drafting to find who a draft's
texts name. Folding and the plain variants of a name are text primitives (synth.text), shared
with the guards; what is here knows about people: nicknames, clippings, given names, English
words, the people table.
"""

import re
import uuid
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache

from english_words import get_english_words_set  # type: ignore[import-untyped]
from nicknames import NickNamer
from sqlalchemy import select
from sqlalchemy.orm import Session

from synth.evidence import PersonName
from synth.people.models import Person
from synth.text import EMAIL, fold
from synth.text import name_variants as written_variants

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Fragments of a long name part ("Seun" of "Oluwaseun", "Alex" of "Alexander", "Yemi" of
# "Adeyemi") are what colleagues call people. Four letters is the shortest clipping that is
# still a name in practice; three-letter pieces ("olu", "ade", "ami") are mostly other words,
# and a part under six letters has no clipping left once a fragment keeps four.
MIN_FRAGMENT = 4
MIN_CLIPPED_PART = 6
_HANDLE = re.compile(r"r\d{1,3}|reviewer\s*#?\s*\d{1,3}", re.IGNORECASE)
# Lowercase grammar words that some nickname lists also hold ("will" for William, "may"):
# in lowercase they are never read as a name, so masking them would only break sentences.
_GRAMMAR = frozenset(
    """a an and as at be but by can day do for from in is it may me of on one or see so than
    that the to up us we will""".split()
)


def _written(name: str) -> set[str]:
    """The ways to write the name (`synth.text.name_variants`), as written and folded."""
    return written_variants(name) | written_variants(fold(name))


def _parts(name: str) -> set[str]:
    """Single words of the name, hyphen and apostrophe pieces included, as written and folded."""
    return {v for v in _written(name) if " " not in v}


@cache
def _english() -> frozenset[str]:
    # Webster's second edition: lowercase entries are common words, capitalised ones proper
    # nouns, so "bob" (a float) is English and "Alex" is not. It predates software, so
    # "kubernetes" or "refactoring" are unknown: callers only ask about capitalised words.
    return frozenset(w for w in get_english_words_set(["web2"], alpha=True) if w.islower())


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


@cache
def _given_names() -> frozenset[str]:
    lookup = _nicknamer().nickname_lookup
    return frozenset(lookup) | frozenset(n for names in lookup.values() for n in names)


def _stems(word: str) -> set[str]:
    """`word` and what it may be inflected from: "learns" -> "learn", "copied" -> "copy"."""
    stems = {word}
    for suffix, replacements in (
        ("ies", ("y",)),
        ("es", ("", "e")),
        ("s", ("",)),
        ("ied", ("y",)),
        ("ed", ("", "e")),
        ("ing", ("", "e")),
        ("ers", ("", "e")),
        ("er", ("", "e")),
        ("ly", ("",)),
    ):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            base = word[: -len(suffix)]
            stems.update(base + r for r in replacements)
            if len(base) > 2 and base[-1] == base[-2]:  # "stopped" -> "stop"
                stems.add(base[:-1])
    return stems


def is_english_word(word: str) -> bool:
    """True when `word` (any case) or what it is inflected from is a common English word."""
    return bool(_stems(fold(word).lower().replace("’", "'")) & _english())


def is_given_name(word: str) -> bool:
    """True when `word` is a first name or nickname in the curated nicknames dataset."""
    return fold(word).lower() in _given_names()


def is_handle(word: str) -> bool:
    """True for the pseudonymous reviewer handles drafters see ("R3", "reviewer #2")."""
    return _HANDLE.fullmatch(word.strip()) is not None


def _clippings(part: str) -> set[str]:
    """Prefixes and suffixes of a long name part that are not common English words."""
    if len(part) < MIN_CLIPPED_PART or not part.isalpha():  # "jean-luc" has its own parts
        return set()
    pieces = {part[:n] for n in range(MIN_FRAGMENT, len(part))}
    pieces |= {part[-n:] for n in range(MIN_FRAGMENT, len(part))}
    # "March" of "Marchetti" or "than" of "Raghunathan" would cost real words, and nobody
    # is called by them: a clipping that is a word only counts if it is also a given name.
    # The nickname data also lists a few grammar words ("than", "one") as names.
    return {p for p in pieces if not is_english_word(p) or (is_given_name(p) and p not in _GRAMMAR)}


@lru_cache(maxsize=16_384)  # an org's names are asked for on every themes or guard read
def name_variants(name: str, email: str = "") -> frozenset[str]:
    """Every lowercased way to write or call this person: name parts (accented and folded,
    hyphen and apostrophe pieces), the email local part and its pieces, nicknames both ways
    ("bob" <-> "robert") and clippings of long parts ("seun" of "oluwaseun")."""
    local = email.partition("@")[0].lower()
    parts = {p.lower() for p in _parts(name)}
    parts |= {p for p in re.split(r"[._+\-\d]+", fold(local)) if len(p) >= 2}
    variants = parts | {v.lower() for v in _written(name)}
    variants.update(v for v in (local, fold(local)) if len(v) >= 2)
    for part in {fold(p) for p in parts}:
        variants.update(_nicknamer().nicknames_of(part))
        variants.update(_nicknamer().canonicals_of(part))
        variants.update(_clippings(part))
    return frozenset(v for v in variants if len(v) >= 2)


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \t")
    return not before or before[-1] in ".!?…:;\n\"“‘'(*•>-–—"


def _capitalised(word: str) -> bool:
    # "PRs" and "API" are acronyms, not names; "McDonald" and "O'Brien" are names.
    return word[0].isupper() and not word[1:2].isupper()


def proper_names(texts: Iterable[str]) -> frozenset[str]:
    """Words the texts use as names of people: capitalised mid-sentence in most of their
    mid-sentence occurrences, and no common English word or a known given name (lowercased,
    folded). Words seen only at sentence starts give no evidence and are never included."""
    capitalised: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for text in texts:
        for m in _WORD.finditer(text):
            if _sentence_start(text, m.start()):
                continue
            word = re.sub(r"['’]s?$", "", m.group(0))
            key = fold(word).lower()
            if len(key) < 2:
                continue
            seen[key] += 1
            capitalised[key] += _capitalised(word)
    return frozenset(
        key
        for key, n in seen.items()
        if capitalised[key] * 2 > n and (not is_english_word(key) or is_given_name(key))
    )


def mask_names(text: str, names: Iterable[str], *, mask: str = "[name]") -> str:
    """Every word of `text` that is one of `names` (lowercased, folded) replaced by `mask`;
    lowercase grammar words ("will", "may") are left alone. Emails and handles are masked."""
    wanted = frozenset(names)

    def replace(m: re.Match[str]) -> str:
        word = m.group(0)
        key = fold(re.sub(r"['’]s?$", "", word)).lower()
        if key not in wanted or (word.islower() and key in _GRAMMAR):
            return word
        return mask + word[len(re.sub(r"['’]s?$", "", word)) :]

    text = EMAIL.sub(mask, text)
    text = re.sub(r"\b(?:R\d{1,3}|(?i:reviewer)\s*#?\s*\d{1,3})\b", mask, text)
    return re.sub(r"[^\W\d_]+(?:['’][^\W\d_]+)*", replace, text)


def people_named_in(
    db_session: Session, texts: Iterable[str], *, always: Iterable[uuid.UUID] = ()
) -> tuple[PersonName, ...]:
    """Everyone a name part or email of whom occurs in `texts`, plus `always` (the subject and
    the authors), in a stable order. One pass over people's names and emails."""
    corpus = "\n".join(texts)
    words = set(_WORD.findall(corpus)) | set(_WORD.findall(fold(corpus)))
    # "Dana's", "Jean-Luc's": the name inside a possessive or a hyphenated form counts too.
    words |= {piece for word in list(words) for piece in re.split(r"['’-]", word) if piece}
    lowered = corpus.lower()
    keep = set(always)
    found = []
    for person_id, name, email in db_session.execute(
        select(Person.id, Person.name, Person.email).order_by(Person.email)
    ):
        if person_id in keep or _parts(name) & words or email.lower() in lowered:
            found.append(PersonName(id=person_id, name=name, email=email))
    return tuple(found)
