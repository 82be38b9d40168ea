"""The anonymity guard: the engineer-facing version never reveals who wrote what.

`check_anonymity` scans every string of `engineer_version(...)` output, with its path, and
reports (all blocking):

- `author_named`: a reviewer's full name, first name or surname, capitalised, as a whole word,
  accents folded ("Wisniewski" for "Wiśniewski"), possessive included, either apostrophe; or
  their dotted email local part ("hana.kobayashi"). Lowercase words that
  happen to equal a name ("grant") are not names. The subject's own name is allowed: it is
  their document, so name parts the subject shares with a reviewer only count in the
  reviewer's full name. A capitalised name at the start of a sentence ("Grant access ...")
  still counts: a false alarm costs an edit, a missed name costs the reviewer's anonymity.
- `email_present`: any email address.
- `reviewer_handle`: the pseudonymous handles drafters see ("R3", "reviewer #2").
- `identifying_detail`: a phrase from `identifying_phrases` (below).
- `verbatim_quote`: a run of `VERBATIM_WORDS` or more consecutive words copied from any
  feedback text; a reviewer's exact words identify them by their style.

What counts as identifying is deliberately conservative, to keep the guard usable:

- Role nouns of non-engineering reviewers ("designer", "product designer", "the design team",
  "PM", "product manager", "data analyst", "HR partner") count on their own, but only when
  exactly one reviewer has that role: naming it singles them out. Plurals ("PMs",
  "designers") and activities ("design review", "design doc") do not.
- A team from a reviewer's title counts only fused with a role ("a Payments PM", "the
  Platform EM"), or in "someone on Payments said"-style attributions; the team name alone
  does not, because the engineer's own team is everywhere in their document.
- Relationship pointers ("your manager", "your skip-level", "one of your reports", "a direct
  report", "your PM", "from the design side") count only when they attribute a statement: a
  reporting verb (said, noted, feels, would like, ...) within a few words in the same
  sentence, "'s feedback", or "according to ...". The released overview's "Your manager will
  go through the examples with you in your 1:1." is the system talking and passes. "A peer
  said" counts only when a single peer reviewed; the level of an engineer ("a principal
  engineer noted") only when one reviewer holds it. "Engineer" alone never counts: drafts
  call the subject "the engineer".
- Self-identification counts with any reviewers: "As the only designer, ..." opening a clause,
  and "the only PM on ..." (a role noun then on/in/from/at/among/who). "You stepped in as the
  only on-call engineer" (not opening a clause) is about the engineer and passes.

`cut_quote` gives the part of a quote that may be shown to the engineer: it drops every clause
that trips the checks above, speaks in the first person or opens with "As the/a/an ...", and
keeps at most `max_words` words (fewer than `VERBATIM_WORDS`, so the cut is never a verbatim
run).
"""

import re
from collections import Counter
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from synth.evidence import PersonName
from synth.guards.findings import Finding
from synth.guards.two_track import mentions_talent_track
from synth.text import (
    EMAIL,
    copied_runs,
    email_handle,
    fold,
    fold_mapped,
    name_variants,
    shingles,
    strings,
)

GUARD = "anonymity"
VERBATIM_WORDS = 8


class Reviewer(BaseModel):
    """One author of feedback on this draft, with what their role says about them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    person: PersonName
    title: str = ""
    function: str = "engineering"
    relationship: str = "peer"


_WORD = re.compile(r"\w+")


# --- names, emails, handles -------------------------------------------------------------------

_HANDLE = re.compile(
    r"\b(?:(?i:reviewers?)\s+)?R\d{1,3}\b|\b(?i:reviewers?)\s*(?:#\s*)?\d{1,3}(?![\w:])"
)


def _name_variants(name: str) -> set[str]:
    """The capitalised ways to write a name, folded; pieces of a hyphenated or apostrophe
    part count from three letters ("Luc" of "Jean-Luc", not "Li" of "Li-Na")."""
    return {v for v in name_variants(fold(name), min_piece=3) if v[0].isupper()}


def _name_pattern(
    reviewers: Sequence[Reviewer], subject: PersonName | None
) -> re.Pattern[str] | None:
    """One pattern for every reviewer name, matched against folded text."""
    return names_pattern([r.person for r in reviewers], subject)


def names_pattern(
    people: Sequence[PersonName], subject: PersonName | None
) -> re.Pattern[str] | None:
    """One pattern for every name of `people` but the subject's own parts, matched against
    folded text (`fold_mapped`)."""
    own = _name_variants(subject.name) if subject else set()
    variants: set[str] = set()
    for person in people:
        if subject is not None and person.id == subject.id:
            continue
        full = " ".join(fold(person.name).split())
        # The subject's name parts are theirs to read; a reviewer's full name never is.
        variants.update(v for v in _name_variants(person.name) if v == full or v not in own)
    if not variants:
        return None
    spelled = variants | {v.upper() for v in variants}
    # A dotted email local part ("hana.kobayashi") is a chat handle; a bare "kofi" is a word.
    spelled |= {fold(handle) for p in people if (handle := email_handle(p.email))}
    alternatives = "|".join(
        "['’]".join(re.escape(part).replace(r"\ ", r"\s+") for part in re.split("['’]", v))
        for v in sorted(spelled, key=lambda v: (-len(v), v))
    )
    return re.compile(rf"(?<!\w)(?:{alternatives})(?![\w@])")


# --- identifying phrases ----------------------------------------------------------------------

_SAYS = (
    r"(?:said|says|say|saying|mentioned|mentions|noted|notes|wrote|writes|feels|felt|thinks|"
    r"thought|observed|observes|pointed\s+out|points\s+out|reported|shared|shares|commented|"
    r"comments|added|adds|remarked|described|describes|praised|praises|credited|credits|"
    r"highlighted|highlights|flagged|flags|told|tells|suggested|suggests|believes|believed|"
    r"appreciated|appreciates|wished|wishes|would\s+like|wants|wanted|asked|asks|found|finds|"
    r"noticed|notices|sees|saw|called|explained|explains|admitted|complained|emphasi[sz]ed|"
    r"stressed|recalled|recalls|singled\s+out)"
)
# Lookahead: a reporting verb within four words in the same sentence, or "'s feedback".
_ATTRIBUTED = (
    r"(?=['’]s\s+(?:feedback|words|comments?|view|take|notes?|review)\b"
    rf"|(?:[^\w.!?;\n]+[\w'’-]+){{0,4}}?[^\w.!?;\n]+{_SAYS}\b)"
)
_SEEN_BY = r"(?:according\s+to|in\s+the\s+words\s+of)\s+"

_ROLES: dict[str, tuple[str, str]] = {
    # function: (title words that mean it outside that function, the nouns that name it)
    "design": (
        r"\bdesign",
        r"(?:(?:senior|lead|staff|principal|product|ux|ui|visual|interaction)\s+)*designer"
        r"|the\s+design\s+team|design\s+(?:lead|partner)",
    ),
    "product": (
        r"\bproduct\s+(?:manager|owner|lead)|\bPM\b",
        r"(?<!\d)(?<!\d\s)(?-i:PM)|(?:senior\s+|lead\s+)?product\s+(?:manager|owner|lead|partner)"
        r"|the\s+product\s+team",
    ),
    "data": (
        r"\banalyst|\bdata\s+scien|\banalytics",
        r"(?:(?:senior|lead|data|product)\s+)*analyst|data\s+scientist"
        r"|the\s+(?:data|analytics)\s+team|data\s+partner",
    ),
    "hr": (
        r"\bHR\b|people\s+partner|human\s+resources",
        r"(?-i:HR)\s+(?:business\s+)?partner|(?-i:HRBP)|people\s+partner|the\s+(?-i:HR)\s+team",
    ),
}
_ROLE_LABELS = {"design": "designer", "product": "PM", "data": "data analyst", "hr": "HR partner"}
_EM_NOUNS = r"(?:engineering\s+)?manager|(?-i:EM)"
_SENIORITY = ("principal", "staff", "senior", "lead", "associate", "junior")
_GENERIC_HEADS = {"manager", "partner", "lead", "engineer", "specialist", "member", "head"}
_ONLY_NOUNS = (
    r"(?:[\w-]+\s+)?(?:designer|(?-i:PM)|product\s+manager|analyst|data\s+scientist|researcher"
    r"|(?-i:HR)\s+(?:business\s+)?partner|(?-i:EM)|manager|director|non[\s-]engineer|writer"
    r"|tester|cross[\s-]functional\s+\w+)"
)
# Pointers at a group that is small by nature; they count whenever they attribute.
_POINTERS: list[tuple[str, str]] = [
    (
        "the engineer's manager",
        r"your\s+(?:line\s+|direct\s+|engineering\s+|people\s+)?manager|(?:your|the)\s+(?-i:EM)"
        r"|(?:an?|the)\s+engineering\s+manager",
    ),
    (
        "the engineer's skip-level",
        r"(?:your|an?|the)\s+skip[\s-]?level(?:\s+manager)?"
        r"|(?:your|the)\s+director(?:\s+of\s+engineering)?",
    ),
    (
        "one of the engineer's reports",
        r"one\s+of\s+your\s+(?:direct\s+)?reports|an?\s+direct\s+report|your\s+(?:direct\s+)?report"
        r"|someone\s+(?:on|in|from)\s+your\s+team|one\s+of\s+your\s+(?:team|engineers)",
    ),
    (
        "a cross-functional reviewer",
        r"an?\s+cross[\s-]functional\s+(?:partner|colleague|reviewer|stakeholder|peer)"
        r"|your\s+(?:(?-i:PM)|product\s+manager|designer|analyst|data\s+analyst"
        r"|(?-i:HR)\s+(?:business\s+)?partner|(?-i:HRBP))"
        r"|(?:from|on)\s+the\s+(?:design|product|data|analytics|(?-i:HR)|people)\s+side"
        r"|someone\s+(?:from|in|on)\s+(?:the\s+)?(?:design|product|data|analytics|(?-i:HR))"
        r"(?:\s+team)?",
    ),
    (
        "a reviewer on a named team",
        r"(?:someone|somebody|a\s+colleague|a\s+person|one\s+person|an?\s+reviewer|one\s+reviewer)"
        r"\s+(?:on|from|in)\s+(?:the\s+)?(?-i:[A-Z][\w-]+)(?:\s+team)?",
    ),
]


def _phrase(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)


# "share it with your manager", "talk to your manager": the pointer is an object, not an author.
_OBJECT = r"(?<!with\s)(?<!to\s)(?<!for\s)"


def _attributed(pattern: str) -> re.Pattern[str]:
    return re.compile(
        rf"\b(?:{_SEEN_BY}(?:{pattern})\b|{_OBJECT}(?:{pattern})\b{_ATTRIBUTED})", re.IGNORECASE
    )


def _role(reviewer: Reviewer) -> str | None:
    """The role key naming `reviewer` on their own: a known function, else their title."""
    function = reviewer.function.strip().lower()
    if function in _ROLES:
        return function
    if function == "engineering":
        return None
    for key, (title_words, _) in _ROLES.items():
        if re.search(title_words, reviewer.title, re.IGNORECASE):
            return key
    return f"title:{_core_title(reviewer.title) or function}"


def _core_title(title: str) -> str:
    """The title without team and seniority: "Senior UX Researcher, Mobile" is "ux researcher"."""
    words = title.split(",")[0].lower().split()
    while words and words[0] in _SENIORITY:
        words = words[1:]
    return " ".join(words)


def _title_nouns(core: str) -> str:
    nouns = [re.escape(core).replace(r"\ ", r"\s+")]
    head = core.split()[-1] if core else ""
    if head and head not in _GENERIC_HEADS:
        nouns.append(re.escape(head))
    return "|".join(nouns)


def _role_nouns(key: str) -> str:
    if key.startswith("title:"):
        core = key.removeprefix("title:")
        return _title_nouns(core) + f"|the\\s+{re.escape(core)}\\s+team"
    return _ROLES[key][1]


def _label(role: str) -> str:
    return _ROLE_LABELS.get(role, role.removeprefix("title:"))


def _team(reviewer: Reviewer) -> str | None:
    """The team in a title ("Senior Product Manager, Payments" -> "Payments")."""
    _, _, team = reviewer.title.partition(",")
    return team.strip() or None


def _is_em(reviewer: Reviewer) -> bool:
    return reviewer.function.lower() == "engineering" and bool(
        re.search(r"\bmanager\b|\bEM\b", reviewer.title, re.IGNORECASE)
    )


def _level(reviewer: Reviewer) -> str | None:
    if reviewer.function.lower() != "engineering" or _is_em(reviewer):
        return None
    words = reviewer.title.lower().split()
    return next((w for w in _SENIORITY if w in words), None)


def _self_identification() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (
            "self-identification",
            re.compile(
                r"(?:^|(?<=[.!?;:,(\n—–]))\s*as\s+(?:the|an?)\s+(?:only|sole|lone)\s+[\w-]+"
                r"(?:\s+(?:on|in|at|from|for)\s+(?:the\s+)?[\w-]+(?:\s+team)?)?",
                re.IGNORECASE,
            ),
        ),
        (
            "self-identification",
            _phrase(rf"the\s+(?:only|sole|lone)\s+{_ONLY_NOUNS}\s+(?:on|in|from|at|among|who)"),
        ),
    ]


def self_identifying(text: str) -> bool:
    """Does a reviewer single themselves out ("As the only designer on the squad, I ...")?
    Such a sentence identifies its author whoever else reviewed."""
    return any(pattern.search(text) for _, pattern in _self_identification())


def identifying_phrases(reviewers: Sequence[Reviewer]) -> list[tuple[str, re.Pattern[str]]]:
    """(what it points at, pattern) for every phrase that singles out one of `reviewers`."""
    phrases = _self_identification()
    roles = {r.person.id: _role(r) for r in reviewers}
    counts = Counter(role for role in roles.values() if role)
    for key, n in sorted(counts.items()):
        if n == 1:
            phrases.append(
                (f"the only {_label(key)} among the reviewers", _phrase(_role_nouns(key)))
            )
    for r in reviewers:
        team, role = _team(r), roles[r.person.id]
        if team is None:
            continue
        if role:
            label, nouns = _label(role), _role_nouns(role)
        elif _is_em(r):
            label, nouns = "engineering manager", _EM_NOUNS
        else:
            continue
        # A team fused with a one-person role is that person, however many share the role.
        phrases.append((f"the {team} {label}", _phrase(rf"{re.escape(team)}\s+(?:{nouns})")))
    for what, pattern in _POINTERS:
        phrases.append((what, _attributed(pattern)))
    if sum(r.relationship == "peer" for r in reviewers) == 1:
        phrases.append(
            (
                "the only peer reviewer",
                _attributed(r"an?\s+peer|your\s+peer|one\s+of\s+your\s+peers|an?\s+teammate"),
            )
        )
    levels = Counter(level for r in reviewers if (level := _level(r)))
    for level, n in sorted(levels.items()):
        if n == 1:
            spelled = "(?:associate|junior)" if level in {"associate", "junior"} else level
            phrases.append(
                (
                    f"the only {level} engineer among the reviewers",
                    _attributed(
                        rf"(?:an?|the|one|your)\s+{spelled}(?:\s+software)?\s+"
                        r"(?:engineer|developer|dev)"
                        # "the Senior Engineer expectation": the ladder, not a person
                        r"(?!\s+(?:level|bar|expectations?|ladder|role|scope|rubric|band|"
                        r"competenc\w*))"
                    ),
                )
            )
    return phrases


# --- hits -------------------------------------------------------------------------------------


class _Hit(NamedTuple):
    start: int
    end: int
    code: str
    message: str


def _hits(
    text: str, names: re.Pattern[str] | None, phrases: list[tuple[str, re.Pattern[str]]]
) -> list[_Hit]:
    """Every name, email, handle and identifying phrase in `text`, without overlaps per code."""
    hits: list[_Hit] = []
    if names is not None:
        folded, origin = fold_mapped(text)
        for m in names.finditer(folded):
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            hits.append(
                _Hit(
                    start,
                    end,
                    "author_named",
                    f"{text[start:end]!r} names a reviewer of this draft: the engineer-facing "
                    "version never says who wrote what",
                )
            )
    for m in EMAIL.finditer(text):
        hits.append(
            _Hit(m.start(), m.end(), "email_present", f"email address {m.group(0)!r}: remove it")
        )
    for m in _HANDLE.finditer(text):
        hits.append(
            _Hit(
                m.start(),
                m.end(),
                "reviewer_handle",
                f"reviewer handle {m.group(0)!r} points at one reviewer: describe the pattern "
                "across reviewers instead",
            )
        )
    for what, pattern in phrases:
        for m in pattern.finditer(text):
            words = m.group(0).strip()
            hits.append(
                _Hit(
                    m.end() - len(m.group(0).lstrip()),
                    m.end(),
                    "identifying_detail",
                    f"{words!r} points at one reviewer ({what}): describe the behaviour, not "
                    "who noticed it",
                )
            )
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if not any(k.code == hit.code and k.start < hit.end and hit.start < k.end for k in kept):
            kept.append(hit)
    return kept


def check_anonymity(
    engineer_text: dict[str, Any],
    *,
    reviewers: Sequence[Reviewer],
    feedback_texts: Sequence[str],
    subject: PersonName | None = None,
    known: Collection[str] = (),
) -> list[Finding]:
    """Findings for the engineer-facing version of a draft (as `engineer_version` returns).

    Strings equal to one of `known` are the engineer's own agreed texts (expectation titles
    such as "Mentor Nadia through her first on-call"), not drafted words: they are skipped."""
    names = _name_pattern(reviewers, subject)
    phrases = identifying_phrases(reviewers)
    grams = set().union(*(shingles(source, VERBATIM_WORDS) for source in feedback_texts))
    found: list[Finding] = []
    for path, text in strings(engineer_text):
        if text in known:
            continue
        found += relationships_stated(text, path)
        for hit in _hits(text, names, phrases):
            found.append(
                Finding(guard=GUARD, code=hit.code, blocking=True, message=hit.message, path=path)
            )
        for start, end, n in copied_runs(text, grams, VERBATIM_WORDS):
            copied = text[start:end]
            shown = copied if len(copied) <= 60 else copied[:57] + "…"
            found.append(
                Finding(
                    guard=GUARD,
                    code="verbatim_quote",
                    blocking=True,
                    message=f"{n} words copied verbatim from feedback ({shown!r}): a "
                    "reviewer's exact words identify them by their style; paraphrase it or cut "
                    "it to the non-identifying part",
                    path=path,
                )
            )
    return found


# --- who said it: relationship groups ---------------------------------------------------------

# Fields that describe what reviewers said (not the engineer's own instructions: key steps may
# well say "ask two peers for a review").
_DESCRIBING = frozenset({"theme", "summary", "overview", "note", "rationale", "relevant", "source"})
_GROUP = (
    r"(?:management\s+chain|(?:line\s+|engineering\s+|direct\s+)?managers?"
    r"|skip[\s-]?levels?(?:\s+managers?)?|directors?|peers?|cross[\s-]functional(?:\s+[\w-]+)?"
    r"|(?:direct\s+)?reports|(?:people|someone)\s+(?:they|you|he|she)\s+manages?"
    r"|(?:product|design|data|analytics)\s+(?:partners?|side|colleagues?|team))"
)
_REVIEWERISH = re.compile(
    rf"\b(?:reviewers?|feedback|raised?|raises|name[sd]?|agree[sd]?|{_SAYS})\b", re.IGNORECASE
)
_WHO_SAID = [
    # "Three reviewers, including their management chain, raise ..."
    re.compile(
        rf"\b(?:including|incl\.|among\s+them|from|across|both|spanning)\s+(?:[\w-]+\s+){{0,3}}?"
        rf"{_GROUP}\b",
        re.IGNORECASE,
    ),
    # "peers and their management chain", "a peer, a cross-functional partner and ..."
    re.compile(
        rf"\b{_GROUP}\b(?:\s+[\w-]+){{0,2}}?\s*(?:,|and|&)\s+(?:[\w-]+\s+){{0,2}}?{_GROUP}\b",
        re.IGNORECASE,
    ),
    # "cross-functional partners describe ...", "peers say ..."
    re.compile(
        rf"\b{_GROUP}\b(?:\s+[\w'’-]+){{0,3}}?\s+(?:raise[sd]?|name[sd]?|agree[sd]?|{_SAYS})\b",
        re.IGNORECASE,
    ),
]
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def _states_relationship(sentence: str) -> str | None:
    if not _REVIEWERISH.search(sentence):
        return None
    for pattern in _WHO_SAID:
        hit = pattern.search(sentence)
        if hit is not None:
            return hit.group(0)
    return None


def without_relationships(text: str) -> str:
    """`text` without the sentences that say which relationships said what: what the
    engineer reads never carries them, whatever an override accepted."""
    kept = [s for s in _SENTENCE.findall(text) if _states_relationship(s) is None]
    return "".join(kept).strip()


def relationships_stated(text: str, path: str) -> list[Finding]:
    """A describing field that says which relationships said what ("including their
    management chain", "peers and a cross-functional partner raise ..."): released text
    gives how many reviewers, never who."""
    if path.rpartition(".")[2].split("[")[0] not in _DESCRIBING:
        return []
    for sentence in _SENTENCE.findall(text):
        said = _states_relationship(sentence)
        if said is not None:
            return [
                Finding(
                    guard=GUARD,
                    code="relationship_stated",
                    blocking=True,
                    message=f"says who gave the feedback ({said!r}): say how many reviewers, "
                    "never which relationships; the engineer's version drops the sentence",
                    path=path,
                )
            ]
    return []


# --- cutting quotes ---------------------------------------------------------------------------

# Clause boundaries: sentence ends, and commas, colons, semicolons, dashes and brackets.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)]*(?=\s|$)|[,;:](?=\s|$)|[()\[\]—–]|\s-\s|\n")
_FIRST_PERSON = re.compile(r"\bI\b|\b(?i:me|my|mine|myself)\b")
_OPENS_AS = re.compile(r"\s*[\"'“‘(]?as\s+(?:the|an?)\b", re.IGNORECASE)
_DANGLING = " \t\n,;:-–—(["
_OPENING = "\"'“‘"


def _clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause, its closing punctuation included."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if _WORD.search(text, s, e)]


def _fullest_run(
    quote: str, clauses: list[tuple[int, int]], dropped: set[int], max_words: int
) -> tuple[int, int] | None:
    """The first run of consecutive kept clauses with the most words, up to `max_words`."""
    runs: list[tuple[int, int]] = []
    for i in range(len(clauses)):
        if i in dropped:
            continue
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))

    def size(run: tuple[int, int]) -> int:
        words = _WORD.findall(quote, clauses[run[0]][0], clauses[run[1]][1])
        return min(len(words), max_words)

    return max(runs, key=size) if runs else None


def cut_quote(quote: str, *, reviewers: Sequence[Reviewer], max_words: int = 7) -> str | None:
    """The non-identifying part of `quote`, at most `max_words` words; None if nothing is."""
    names = _name_pattern(reviewers, None)
    phrases = identifying_phrases(reviewers)
    clauses = _clauses(quote)
    dropped = {
        i
        for i, (s, e) in enumerate(clauses)
        if _FIRST_PERSON.search(quote, s, e) or _OPENS_AS.match(quote, s)
    }
    for hit in _hits(quote, names, phrases):
        dropped.update(i for i, (s, e) in enumerate(clauses) if s < hit.end and hit.start < e)
    while True:
        best = _fullest_run(quote, clauses, dropped, max_words)
        if best is None:
            return None
        start, end = clauses[best[0]][0], clauses[best[1]][1]
        while quote[start].isspace():
            start += 1
        words = list(_WORD.finditer(quote, start, end))
        cut = len(words) > max_words
        if cut:
            end = words[max_words].start()
            space = max(quote.rfind(" ", start, end), quote.rfind("\n", start, end))
            end = space if space > words[0].start() else words[max_words - 1].end()
        core = quote[start:end].rstrip(_DANGLING + _OPENING + ".!?" if cut else _DANGLING)
        text = core + ("…" if cut else "")
        late = _hits(text, names, phrases)
        if not late:
            return text if _WORD.search(text) else None
        # Cutting can put a pointer next to a verb; drop what it touched and choose again.
        for hit in late:
            a, b = start + min(hit.start, len(core) - 1), start + min(hit.end, len(core))
            dropped.update(i for i, (s, e) in enumerate(clauses) if s < b and a < e)


_LEADING = re.compile(r"^(?:and|but|so|or|because|also|though)\s+", re.IGNORECASE)
EXAMPLE_MIN_WORDS = 4  # "and she always helps." says nothing on its own


def example_cut(quote: str, *, reviewers: Sequence[Reviewer]) -> str | None:
    """What a reader outside the 1:1 (the engineer, HR) may see of a reviewer's sentence: its
    non-identifying part (`cut_quote`), without a leading conjunction, at least four words,
    and never one that talks about pay, ratings or promotion (the other track's business)."""
    cut = cut_quote(quote, reviewers=reviewers)
    if cut is None:
        return None
    cut = _LEADING.sub("", cut)
    if len(cut.rstrip("…").split()) < EXAMPLE_MIN_WORDS or mentions_talent_track(cut):
        return None
    return cut
