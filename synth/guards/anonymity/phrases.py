"""Identifying phrases: the words that single out one reviewer of a draft.

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
"""

import re
from collections import Counter
from collections.abc import Sequence

from synth.guards.anonymity import Reviewer

SAYS = (
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
    rf"|(?:[^\w.!?;\n]+[\w'’-]+){{0,4}}?[^\w.!?;\n]+{SAYS}\b)"
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
