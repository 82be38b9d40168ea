"""Candidate theme titles: phrases a person could have written, cut from the statements.

A candidate is a run of 2-7 words inside one clause ("code reviews arrive late", "tends to
quietly absorb extra work"). Which runs read as a phrase is decided by word classes from
lemminflect's English lexicon (every part of speech a word can take), not by a parser, so it
is cheap, deterministic and offline:

- a run does not cut a noun phrase: it neither starts right after a word that modifies it
  ("[webhook] handler met ...") nor stops before the noun its last word modifies
  ("quietly absorb extra [work]", "had a full [week]");
- a run that stops inside its clause does not stop on a verb that only works with what
  follows ("card controls went [out early]"); at the end of the clause it may ("crash-free
  rate dipped");
- it does not join a noun phrase to a verb phrase ("build environment and explained the
  signing"), nor keep a demonstrative that points outside it ("change that with a demo");
- who is named goes: a possessive ("her work is invisible", "Rowan's pull requests") becomes
  "the", a subject pronoun or name only ever starts the clause and is left out, and a run
  holding any other pronoun, role, name or number is no candidate;
- in a clause mostly of words the lexicon does not know (another language) only the rules
  without word classes apply;
- the usual hedges, connectives and function words neither start nor end a title.
"""

import re
from functools import cache

from lemminflect import getAllLemmas

from synth.people.names import is_english_word, is_given_name, is_handle
from synth.text import STOPWORDS, fold

MIN_TITLE_WORDS, MAX_TITLE_WORDS = 2, 7

_CLAUSE = re.compile(r"[,;:.!?()\[\]\"“”—–]+|\s-\s|\b(?:but|though|although|because|while|which)\b")
_DIGIT = re.compile(r"\d")
TITLE_WORD = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)  # a word as titles cut them
POSSESSIVE = re.compile(r"'s?$")

# Words a title does not start on: beyond the stopwords, the hedges and adverbs feedback is
# full of ("really", "often", "still") and connectives.
_WEAK = frozenset(
    "also always often still really very quite just maybe perhaps sometimes usually never "
    "honestly generally especially particularly mostly slightly probably definitely actually "
    "however though although overall so then when where which who whose whom what how why "
    "one ones thing things something someone way lot lots kind sort "
    "since until like than per via towards toward across around without within into onto upon "
    "despite unlike along among".split()
)
# Stopwords that are nouns a title may end on ("absorb extra work", "the whole team").
_NOUN_STOPWORDS = frozenset(
    "work team time times people person day days week weeks month months year quarter".split()
)
# Verbs among the stopwords a title may start on, right after the subject it leaves out
# ("she tends to ...", "he gets defensive ...").
_VERB_STARTS = frozenset("tends tend gets get makes make takes take needs".split())
_SUBJECTS = frozenset("i we you he she they it".split())
_POSSESSIVES = frozenset("my our your his her their its".split())
_DEMONSTRATIVES = frozenset("this that these those".split())
# A title is about the work, not about who: no pronoun (and no number: "11 feature modules"
# names one statement, not the theme).
_PERSONAL = frozenset(
    "i me my mine myself we us our ours you your yours he him his himself she her hers herself "
    "they them their theirs themselves it its".split()
    # Roles point at people too, and a role only one reviewer holds names them ("Designer ...").
    + "designer designers analyst analysts pm pms manager managers director directors "
    "recruiter recruiters reviewer reviewers peer peers colleague colleagues teammate "
    "teammates".split()
)
# A title holds at most one of these ("Agents onto harbor with very little" strings two
# phrases together) and never starts on one ("Outside mobile have no idea").
_PREPOSITIONS = frozenset(
    "about above across after against along among around at before behind below beneath "
    "beside between beyond by during except for from in inside into near of off on onto out "
    "outside over past since through throughout to toward towards under until up upon with "
    "within without".split()
)
# Amounts, not things: a title does not end on them ("... with very little").
_AMOUNTS = frozenset("little much few fewer more less enough lot lots plenty".split())
# Nouns and verbs that end like an adverb; any other "-ly" word ("weekly", "quickly") leaves a
# title hanging: "Pages into weekly".
_LY_NOUNS = frozenset("reply supply apply family assembly anomaly monopoly rally ally".split())
_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
# "App and storybook", "tests or docs": bare words joined by a conjunction are two keywords,
# not a phrase a person would title a theme with.
_COORDINATION = re.compile(r"^[\w'’-]+(?:\s+(?:and|or|&|plus)\s+[\w'’-]+)+$", re.IGNORECASE)
_AND = frozenset("and or plus".split())
# Counts name one statement's facts, not the theme ("five postmortem actions").
NUMBERS = frozenset(
    "two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "hundred hundreds thousand thousands million half-day".split()
)


@cache
def classes(word: str) -> frozenset[str]:
    """Every part of speech lemminflect's lexicon gives `word` (lowercase); a word it does
    not know ("webhook", "dbt") is taken for a noun: feedback's unknown words are names of
    things."""
    found = frozenset(getAllLemmas(word)) - {"PROPN"}
    return found or frozenset({"NOUN"})


_NOMINAL = frozenset({"NOUN", "ADJ"})


def _nominal(word: str) -> bool:
    """Can be part of a noun phrase before its head: a noun or an adjective."""
    return word not in STOPWORDS and bool(classes(word) & _NOMINAL)


def _verb_only(word: str) -> bool:
    return classes(word) <= {"VERB", "AUX"}


def _noun(word: str) -> bool:
    return (word not in STOPWORDS or word in _NOUN_STOPWORDS) and "NOUN" in classes(word)


def _dangling(word: str) -> bool:
    return (
        (word.endswith("ly") and word not in _LY_NOUNS)
        or word in _AMOUNTS
        or (word in STOPWORDS and word not in _NOUN_STOPWORDS)
        or word in _WEAK
        or len(word) < 3
    )


def _cased(word: str) -> str:
    """Lowercase, but an acronym keeps its case ("PRs", "API")."""
    return word if word[1:2].isupper() else word.lower()


def _maybe_name(word: str, key: str) -> bool:
    """A capitalised word (not an acronym such as "PRs") that is a given name or no common
    English word: "Kofi said ..." at a sentence start, where `proper_names` has no evidence."""
    capitalised = word[:1].isupper() and not word[1:2].isupper()
    return capitalised and key not in _CALENDAR and (is_given_name(key) or not is_english_word(key))


def _named(word: str, key: str, names: frozenset[str]) -> bool:
    return key in names or fold(key) in names or is_handle(key) or _maybe_name(word, key)


def _words(clause: str, names: frozenset[str]) -> tuple[list[str], list[str], int]:
    """The clause's words and their lowercase keys with possessives dropped ("her work",
    "Rowan's pull requests"), and where a title may start: after a subject pronoun or name
    opening the clause."""
    raw = [w.strip("'’-") for w in TITLE_WORD.findall(clause)]
    raw = [w for w in raw if w]
    words: list[str] = []
    keys: list[str] = []
    for i, word in enumerate(raw):
        lower = word.lower().replace("’", "'")
        if lower == "own" and keys[-1:] == ["the"]:
            continue  # "their own cloud bill" -> "the cloud bill"
        key = POSSESSIVE.sub("", lower)
        # A possessive before a noun phrase becomes "the" ("when his PRs are challenged"),
        # opening the clause or with more after it; at the clause's end it says whose
        # ("her confidence is his work"), so it stays (and no title holds it).
        room = i == 0 or i + 2 < len(raw)
        possessive = lower in _POSSESSIVES or (
            lower.endswith(("'s", "s'")) and _named(word, key, names)
        )
        if possessive and i + 1 < len(raw):
            # "help her be heard", "reviews from his are careful": no noun follows, so it
            # is not whose.
            following = raw[i + 1].lower()
            possessive = following not in STOPWORDS and bool(classes(following) & _NOMINAL)
        if possessive and room and i + 1 < len(raw):
            word = key = "the"
        words.append(word)
        keys.append(key)
    start = 0
    while start < len(keys) and (
        keys[start] in _SUBJECTS or _named(words[start], keys[start], names)
    ):
        start += 1
    return words, keys, start


def candidates(text: str, names: frozenset[str]) -> list[str]:
    """Every candidate title in `text` (see above); `names` are lowercase words never in one."""
    found: list[str] = []
    for clause in _CLAUSE.split(text):
        words, keys, opening = _words(clause or "", names)
        known = sum(bool(getAllLemmas(k)) for k in keys)
        english = 2 * known >= len(keys)  # else word classes say nothing: no class rule
        bad = [
            (k in _PERSONAL and not (w.isupper() and len(w) > 1))  # "US" is no pronoun
            or k in NUMBERS
            or bool(_DIGIT.search(k))
            or _named(w, k, names)
            for w, k in zip(words, keys, strict=True)
        ]
        for i in range(opening, len(keys)):
            if bad[i] or not _starts(keys, i, opening, english):
                continue
            for j in range(i + MIN_TITLE_WORDS - 1, min(len(keys), i + MAX_TITLE_WORDS)):
                span = keys[i : j + 1]
                if any(bad[i : j + 1]) or sum(k in _PREPOSITIONS for k in span) > 1:
                    break
                if not _ends(keys, j, english) or (english and not _reads(span)):
                    continue
                if j + 1 < len(keys) and any(k in _AND for k in span):
                    continue  # "stays calm in incidents and the team [follows her]"
                phrase = " ".join(_cased(w) for w in words[i : j + 1])
                if not _COORDINATION.match(phrase):
                    found.append(phrase)
    return found


def _starts(keys: list[str], i: int, opening: int, english: bool) -> bool:
    word = keys[i]
    if i == opening and word in _VERB_STARTS and opening > 0:
        return True  # "[she] tends to quietly absorb extra work"
    if (word in STOPWORDS and word not in _NOUN_STOPWORDS) or word in _WEAK:
        return False
    if word in _PREPOSITIONS:
        return False
    # Not inside a noun phrase: "[webhook] handler met the November date".
    return i == opening or not english or not (_nominal(keys[i - 1]) and _nominal(word))


def _ends(keys: list[str], j: int, english: bool) -> bool:
    word = keys[j]
    if _dangling(word):
        return False
    if j + 1 == len(keys) or not english:
        return True  # the clause ends here: "crash-free rate dipped"
    following = keys[j + 1]
    if following == "than" and j > 0 and not _verb_only(keys[j - 1]):
        return False  # "failover faster [than I expected]", but "onboarding went faster"
    # Not before the noun it modifies ("absorb extra [work]"), nor on a verb that needs what
    # follows ("card controls went [out]").
    return not (_nominal(word) and _noun(following)) and not _verb_only(word)


def _reads(span: list[str]) -> bool:
    for k, word in enumerate(span[:-1]):
        after = span[k + 1]
        # "the review he ran produced the rule": a relative clause without its "that".
        if _verb_only(word) and _verb_only(after) and not {word, after} & STOPWORDS:
            return False
        # "build environment and explained the signing": a noun phrase joined to a verb.
        if word in _AND and _verb_only(after) and not _verb_only(span[0]):
            return False
        # "nicest people to work with and a strong incident responder": a stranded preposition.
        if word in _PREPOSITIONS and after in _AND:
            return False
        # "change that with a demo": a demonstrative pointing outside the title.
        if word in _DEMONSTRATIVES and not _noun(after):
            return False
    return span[-1] not in _DEMONSTRATIVES
