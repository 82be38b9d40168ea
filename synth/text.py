"""Text primitives, each written once: folding, name variants, copied runs of words, walkers.

- `fold` / `fold_mapped`: accents and letter variants dropped, the same way everywhere.
- `name_variants`, `email_handle`, `EMAIL`: how a name, a chat handle, an email is written.
- `words`, `shingles`, `copied_runs`: runs of words one text copies from another.
- `walk`, `strings`, `map_strings`, `join`: every node or string of nested models, dicts and
  lists, with its path ("strengths[0].claims[1]").
- `STOPWORDS`: words that say nothing about what a text is about.

The guards (PII, anonymity, citations, two tracks, injection), people's names, themes and the
drafters share these, so "Wisniewski" matches "Wiśniewski" and a copied run is counted alike
in each. A bottom module: it imports nothing from synth.
"""

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

from lemminflect import getAllLemmas
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

# --- folding ----------------------------------------------------------------------------------

# Letters NFKD does not decompose but people type without their mark ("Łukasz", "Søren",
# "Straße").
_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ı": "i"}
    | {"ß": "ss", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "þ": "th", "Þ": "Th"}
)


def fold(text: str) -> str:
    """`text` without accents, case kept: "Wiśniewski" -> "Wisniewski", "Łukasz" -> "Lukasz"."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


@cache
def _fold_char(ch: str) -> str:
    return fold(ch)


def fold_mapped(text: str) -> tuple[str, list[int]]:
    """`fold(text)`, and for each folded character the index in `text` it came from (so a
    match in the folded text is found again in the original)."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = ch if ch.isascii() else _fold_char(ch)
        chars.append(folded)
        origin.extend([i] * len(folded))
    return "".join(chars), origin


# --- names ------------------------------------------------------------------------------------

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")  # an email address anywhere in a text
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_PIECES = re.compile(r"[-'’]")
_HANDLE_MARK = re.compile(r"[._-]")
MIN_HANDLE = 4


def name_variants(name: str, *, min_piece: int = 2) -> set[str]:
    """Ways to write a person's name, cased as `name` is: the whole name; the name without its
    last word and without its first (a two-word first name, "Mei Lin", or surname); the first
    and last word of a longer one; each word; and the pieces of a hyphenated or apostrophe
    word ("Jean" and "Luc" of "Jean-Luc") of `min_piece` letters or more. Folded spellings
    are the caller's choice: `name_variants(fold(name))`."""
    whole = " ".join(name.split())
    words = [w for w in (_EDGE.sub("", word) for word in whole.split()) if w]
    variants = {whole, " ".join(words[:-1]), " ".join(words[1:])}
    if len(words) > 2:
        variants.add(f"{words[0]} {words[-1]}")
    for word in words:
        variants.add(word)
        variants.update(piece for piece in _PIECES.split(word) if len(piece) >= min_piece)
    return {v for v in variants if len(v) >= 2}


def email_handle(email: str) -> str | None:
    """The local part of `email` when it reads as a chat handle ("hannah.brooks": four or more
    characters holding a dot, underscore or hyphen); a bare "kofi" or "mark" is a word."""
    local = email.strip().partition("@")[0]
    if len(local) < MIN_HANDLE or not _HANDLE_MARK.search(local):
        return None
    return local


# --- copied runs of words ---------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Each word of `text` folded and case-folded (how copies are compared), with where it is."""
    return [(fold(m.group(0)).casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]


def words(text: str) -> list[str]:
    """The words of `text`, folded and case-folded."""
    return [word for word, _, _ in word_spans(text)]


def shingles(text: str, n: int) -> set[tuple[str, ...]]:
    """Every run of `n` consecutive `words` of `text`."""
    keys = words(text)
    return {tuple(keys[i : i + n]) for i in range(len(keys) - n + 1)}


def copied_runs(text: str, copied: set[tuple[str, ...]], n: int) -> list[tuple[int, int, int]]:
    """(start, end, words) of each maximal run of `n` or more words of `text` made of runs in
    `copied` (the `shingles` of the texts it may copy from)."""
    spans = word_spans(text)
    keys = [word for word, _, _ in spans]
    runs: list[tuple[int, int]] = []
    for i in range(len(keys) - n + 1):
        if tuple(keys[i : i + n]) in copied:
            last = i + n - 1
            if runs and i <= runs[-1][1]:
                runs[-1] = (runs[-1][0], last)
            else:
                runs.append((i, last))
    return [(spans[a][1], spans[b][2], b - a + 1) for a, b in runs]


STOPWORDS = frozenset(
    """a about above after again against all also always am an and any are aren't as at be
    because been before being below between both but by can can't cannot could couldn't did
    didn't do does doesn't doing don't down during each even ever every few for from further
    get gets getting got had hadn't has hasn't have haven't having he he'd he'll he's her here
    here's hers herself him himself his how how's however i i'd i'll i'm i've if in into is
    isn't it it's its itself just let's lot lots made make makes many me more most much
    mustn't my myself never no nor not now of off often on once one only or other ought our
    ours ourselves out over own quite rather really same shan't she she'd she'll she's should
    shouldn't so some still such than that that's the their theirs them themselves then there
    there's these they they'd they'll they're they've thing things this those though through
    thru to too under until up us very was wasn't way we we'd we'll we're we've well were
    weren't what what's when when's where where's which while who who's whom why why's will
    with won't would wouldn't yet you you'd you'll you're you've your yours yourself
    yourselves great good work working worked team always really also time times like
    something someone person people lot bit able sure think feel felt things one two would
    could will can tends tend hard often usually sometimes seems seem see seen want wants
    needs need makes making done doing goes going gets took take takes thing part half
    year quarter week weeks month months day days last next first new every whole""".split()
)
"""English grammar words, and words too common in feedback to say what it is about."""


# --- walking nested data ----------------------------------------------------------------------


def join(path: str, key: str | int) -> str:
    """`a.b` + `c` is `a.b.c`; `a.b` + 0 is `a.b[0]`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def walk(
    value: Any, path: str = "", *, skip: frozenset[str] = frozenset()
) -> Iterator[tuple[str, Any]]:
    """Every node of nested models, dicts, lists and tuples with its path ("a.b[0].c"), depth
    first: a node before what it holds, fields and keys in order. Fields and keys in `skip`
    are not entered."""
    yield path, value
    items: Iterable[tuple[str | int, Any]]
    if isinstance(value, BaseModel):
        items = ((name, getattr(value, name)) for name in type(value).model_fields)
    elif isinstance(value, dict):
        items = ((str(key), item) for key, item in value.items())
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        if key not in skip:
            yield from walk(item, join(path, key), skip=skip)


def strings(
    value: Any, path: str = "", *, skip: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str]]:
    """Every string in `value` (JSON-like data, models at any depth read as their JSON) with
    its path; keys in `skip` (quotes, ids: not the drafter's own words) are not entered."""
    data = to_jsonable_python(value, fallback=lambda _: None)
    for at, node in walk(data, path, skip=skip):
        if isinstance(node, str):
            yield at, node


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """A copy of `value` with `change` applied to every string in it, dict keys included.
    Models are rebuilt, their `exclude=True` fields carried over untouched; enums are kept."""
    if isinstance(value, str) and not isinstance(value, enum.Enum):
        return change(value)
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return type(value).model_validate(
            {
                name: item if name in fields and fields[name].exclude else map_strings(item, change)
                for name, item in value
            }
        )
    if isinstance(value, dict):
        return {map_strings(k, change): map_strings(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [map_strings(item, change) for item in value]
    if isinstance(value, tuple):
        return tuple(map_strings(item, change) for item in value)
    if isinstance(value, set | frozenset):
        return type(value)(map_strings(item, change) for item in value)
    return value


# --- gendered pronouns ------------------------------------------------------------------------

_GENDERED = re.compile(
    r"\b(?P<pronoun>(?:he|she|him|her|his|hers|himself|herself)(?:['’](?:s|d|ll))?)\b"
    r"(?:(?P<space>\s+)(?P<verb>is|was|has|does|isn['’]t|wasn['’]t|hasn['’]t|doesn['’]t)\b)?",
    re.IGNORECASE,
)
_AGREEMENT = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "isn't": "aren't",
    "wasn't": "weren't",
    "hasn't": "haven't",
    "doesn't": "don't",
}
# "they" then a verb in the third person singular ("she usually shares" -> "they usually
# shares"), an adverb between them allowed: the verb is made to agree.
_THEY_VERB = re.compile(
    r"\b(?P<they>they)(?P<between>\s+(?:[a-z]+ly|always|never|often|still|also|just|"
    r"sometimes|now|rarely|even)\s+|\s+)(?P<verb>[a-z]+s)\b",
    re.IGNORECASE,
)
_NEUTRAL = {
    "he": "they",
    "she": "they",
    "him": "them",
    "his": "their",
    "hers": "theirs",
    "himself": "themselves",
    "herself": "themselves",
    "he's": "they're",
    "she's": "they're",
    "he'd": "they'd",
    "she'd": "they'd",
    "he'll": "they'll",
    "she'll": "they'll",
}
# "her" before a noun is "their" ("her PRs"), before these or at a clause end it is "them".
_OBJECT_FOLLOWERS = frozenset(
    """a about after an and as at before but by during for from in into know of on or out over
    since so than that the through to up when while with without""".split()
)


def neutral_pronouns(text: str) -> str:
    """Gendered pronouns made "they/them/their", with the verb after them agreeing."""

    def replace(m: re.Match[str]) -> str:
        pronoun, verb = m.group("pronoun"), m.group("verb")
        key = pronoun.lower().replace("’", "'")
        if key == "her":
            following = re.match(r"\s*([^\W\d_]+)", text[m.end("pronoun") :])
            object_ = following is None or following.group(1).lower() in _OBJECT_FOLLOWERS
            neutral = "them" if object_ else "their"
        elif key == "his" and verb:  # "his is the cleanest design"
            neutral = "theirs"
        else:
            neutral = _NEUTRAL.get(key, "they")
        out = neutral[0].upper() + neutral[1:] if pronoun[0].isupper() else neutral
        if verb is None:
            return out
        if neutral == "they":
            verb = _AGREEMENT.get(verb.lower().replace("’", "'"), verb)
        return f"{out}{m.group('space')}{verb}"

    return _THEY_VERB.sub(_agree, _GENDERED.sub(replace, text))


def _agree(m: re.Match[str]) -> str:
    verb = m.group("verb")
    lower = verb.lower()
    base = _AGREEMENT.get(lower)
    if base is None:
        lemmas = getAllLemmas(lower).get("VERB", ())
        base = lemmas[0] if lemmas and lemmas[0] != lower else lower
    return f"{m.group('they')}{m.group('between')}{base}"
