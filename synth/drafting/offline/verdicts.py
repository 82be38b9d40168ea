"""An explicit verdict on an expectation read from one text: "Partially met.", "four of the
eleven alerts have runbooks", "19 minutes against a target of 12", "costs went up 12%".

Met, partly met or missed; None when the text states no outcome (tone is no verdict: praise
of the person says nothing about one expectation among several). Rules, not a model, so the
status note can say exactly which words it rests on.
"""

import re

_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen
        fourteen fifteen sixteen seventeen eighteen nineteen twenty""".split()
    )
}
_NUMBER = r"(?:\d+|" + "|".join(_NUMBER_WORDS) + ")"
_OWNER = r"(?:the |his |her |their |our |its |my |your )?"

_VERDICT_START = re.compile(
    r"^\W*(?P<partial>partial(?:ly)?|partly|half)|^\W*(?P<missed>missed|not met|not done)"
    r"|^\W*(?P<met>(?:fully )?met|done|achieved|delivered|completed|yes)\b",
    re.IGNORECASE,
)
# "Four of the eleven alerts", "15 out of 17", "Of his 17 pages, 15 were acknowledged".
_SHARE = re.compile(
    rf"\b(?P<done>{_NUMBER}|none|all) (?:out )?of {_OWNER}(?P<total>{_NUMBER})\b"
    rf"|\bof {_OWNER}(?P<total2>{_NUMBER}) [\w-]+(?: [\w-]+)?, (?P<done2>{_NUMBER}|none|all) "
    r"(?:were|are|was|had|have|got)\b",
    re.IGNORECASE,
)
_MEMBER = re.compile(r"\b(?:is|are|was|were|as|among|be)\s+$", re.IGNORECASE)
_ALL = re.compile(rf"\b(?:all |every one of {_OWNER}){_NUMBER}\b(?! of\b)", re.IGNORECASE)
_SMALL_SHARE = 0.25  # "only two of nine": at most a quarter done is a miss, not a partial
_PARTIAL = re.compile(
    r"\b(?:partial(?:ly)?|partly|mostly|halfway|short of|not (?:yet |fully |quite )"
    r"(?:met|done|there|finished)|some progress|still in progress|(?:the )?remaining gap"
    r"|(?:only )?the exceptions? (?:was|were|is|are)|(?:was|were|got) paused|on hold"
    r"|(?:and )?then stopped|still (?:on|at) (?:\d|static|the old|v\d))\b",
    re.IGNORECASE,
)
_MISSED = re.compile(
    r"\b(?:missed|not met|did(?: not|n't) happen(?!(?: \w+){0,3} before)|never happened"
    r"|not started|no progress"
    r"|(?:against|versus|vs\.?) (?:a |the |our )?target of"
    r"|(?:well |far )?(?:above|below) (?:the |our |its )?[\d.,]+ ?\w* (?:target|goal)"
    r"|not the (?:[\w.%]+ ){1,2}(?:we|they|i) (?:had )?(?:agreed|committed|promised|asked for)"
    r"|(?:did not|didn't) (?:\w+ ){0,4}the way (?:the expectation|we|it) (?:asked|agreed))"
    r"|, not (?:under |below |above )?[\d.,]+ ?(?:%|s|ms|minutes?|hours?|days?)?(?=\s*[.;]|$)",
    re.IGNORECASE,
)
# "without a missed status", "which we had missed in design": no verdict on the work.
_NOT_A_MISS = re.compile(
    r"(?:\b(?:without|no|never|not|not a single|zero)|n't) (?:a |any |one )?missed\b"
    r"|\b(?:i|we|you)(?: had| have|'d|'ve)? missed\b",
    re.IGNORECASE,
)
_MET = re.compile(
    r"\b(?:exactly what we agreed|fully met|on time|ahead of schedule|(?:hit|met|beat|beating"
    r"|exceeded) (?:the|its|our|their|his|her|this|that) (?:[\w-]+ ){0,2}(?:target|goal|date"
    r"|deadline|bar)|(?:delivered|completed|achieved) (?:the|all|every)\b)",
    re.IGNORECASE,
)
# Part of the work stated as done: "Orders and payments are live; inventory has not started."
_DONE = re.compile(
    r"\b(?:live|shipped|launched|retired|published|approved|done|completed|finished|merged"
    r"|rolled out|adopted|(?:are|is|went) (?:on|live))\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r";|\bbut\b|\bwhile\b|\bwhereas\b", re.IGNORECASE)
# The way a number was meant to move, against the way it went.
_DOWN_GOAL = re.compile(r"\b(?:cut|reduce|lower|bring down|decrease|shrink)\b", re.IGNORECASE)
_UP_GOAL = re.compile(r"\b(?:increase|raise|grow|lift|double|triple)\b", re.IGNORECASE)
_WENT_UP = re.compile(r"\b(?:went up|rose|increased|grew|climbed|doubled)\b", re.IGNORECASE)
_WENT_DOWN = re.compile(r"\b(?:went down|fell|dropped|decreased|declined|shrank)\b", re.IGNORECASE)


def _count(word: str) -> int | None:
    lowered = word.lower()
    if lowered.isdigit():
        return int(lowered)
    return _NUMBER_WORDS.get(lowered)


def _shares(text: str) -> list[tuple[int, int]]:
    """(done, total) for each share of the work the text states."""
    found = []
    for match in _SHARE.finditer(text):
        if _MEMBER.search(text[: match.start()]):
            continue  # "Checkout is one of the five services not yet on it": who, not how much
        done_word = match.group("done") or match.group("done2")
        total = _count(match.group("total") or match.group("total2"))
        if not total:
            continue
        lowered = done_word.lower()
        done = 0 if lowered == "none" else total if lowered == "all" else _count(done_word)
        if done is not None and done <= total:
            found.append((done, total))
    return found


def share_class(text: str, title: str = "") -> str | None:
    """A verdict from a share of the work done ("four of the eleven", "all six of them"),
    against the share the title asks for when it names one ("at least six of the eight")."""
    wanted = {total: done for done, total in _shares(title)}
    for done, total in _shares(text):
        if done >= wanted.get(total, total):
            return "met"
        return "missed" if done / total <= _SMALL_SHARE else "partial"
    return None


def verdict_class(text: str, title: str = "", *, shares: bool = True) -> str | None:
    """An explicit verdict on an expectation ("Partially met.", "not started", "on time",
    "four of the eleven"), if the text gives one; `title`, the expectation's, tells which way
    its number was meant to move; `shares`: whether a share of the work ("four of the
    eleven") counts, which it does not in a sentence that may be about other work."""
    start = _VERDICT_START.search(text)
    if start:
        return next(k for k in ("partial", "missed", "met") if start.group(k))
    share = share_class(text, title) if shares else None
    if share is not None:
        return share
    if _PARTIAL.search(text):
        return "partial"
    if _MISSED.search(_NOT_A_MISS.sub("", text)):
        clauses = _CLAUSE.split(text)
        done = any(_DONE.search(c) and not _MISSED.search(c) for c in clauses)
        return "partial" if len(clauses) > 1 and done else "missed"
    if title and (
        (_DOWN_GOAL.search(title) and _WENT_UP.search(text))
        or (_UP_GOAL.search(title) and _WENT_DOWN.search(text))
    ):
        return "missed"
    if _MET.search(text) or (shares and _ALL.search(text)):
        return "met"
    return None
