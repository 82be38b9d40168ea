"""Setting instructions aside in fifteen more languages (Hindi in two scripts), and asking
the draft to "say that": verbs x objects read from `lexicon.yaml`, which says how entries are
written and matched.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, RootModel

LEXICON = Path(__file__).with_name("lexicon.yaml")


class _Language(BaseModel):
    """One language's verbs that set instructions aside, what they set aside, and "say that"."""

    words: bool = True
    verbs: list[str]
    objects: list[str]
    qualifiers: list[str]
    told: list[str] = []
    say: list[str] = []


class _Lexicon(RootModel[dict[str, _Language]]):
    pass


# Where a dictating imperative can start in any language: a clause start, or after "and".
_SAY_LEAD = (
    r"(?:^|[.!?;:\n¡¿(\"“]\s*|\b(?:y|e|et|und|en|i|и|і|och|aur|και|and|then|also|bitte"
    r"|por\s+favor|per\s+favore)\s+)"
)


# Between a verb and what it sets aside: no clause break and no "and" or "but" (in "she
# ignored the alerts and wrote new instructions" the instructions belong to another verb).
_FAR = 60
_CLAUSE_BREAK = re.compile(
    r"[.!?;\n。！？，、]|\b(?:and|but|y|e|et|und|en|i|и|і|och|ve|aur|και|pero|mais|aber|ma|mas|maar"
    r"|ale|но|але|men|ama|lekin)\b|और|并|还|然后|そして",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _SetAside:
    """One language's verbs, and the instructions (qualified objects, "what you were told")."""

    verb: re.Pattern[str]
    target: re.Pattern[str]

    def search(self, text: str) -> bool:
        """A verb and a target close together in one clause, in either order."""
        targets = [m.span() for m in self.target.finditer(text)]
        for verb in self.verb.finditer(text) if targets else ():
            for start, end in targets:
                lo, hi = (verb.end(), start) if verb.start() <= start else (end, verb.start())
                gap = text[lo:hi]
                if len(gap) <= _FAR and not _CLAUSE_BREAK.search(gap):
                    return True
        return False


def _literal_prefix(pattern: str) -> str:
    """The text every match of `pattern` starts with: "instrukcj" of "instrukcj\\w*"."""
    match = re.match(r"[^\\\[(?*+{|.^$]*", pattern)
    prefix = match.group(0) if match else ""
    rest = pattern[len(prefix) :]
    # "instructions?": the last letter before an optional mark is not certain
    return prefix[:-1] if rest[:1] in ("?", "*", "{") else prefix


@cache
def multilingual_rules() -> tuple[frozenset[str], list[_SetAside], re.Pattern[str]]:
    """(the objects' literal stems, each language's set-aside rule, dictates the draft).

    The stems are a cheap filter (substring tests, far faster than a regex of a hundred
    branches): most feedback names no instructions, rules or prompts at all.
    """
    lexicon = _Lexicon.model_validate(yaml.safe_load(LEXICON.read_text(encoding="utf-8")))
    near = r"[^.!?;\n。！？，、]{0,25}?"
    rules, says, stems = [], [], set()
    for lang in lexicon.root.values():
        b = r"\b" if lang.words else ""

        def alt(items: list[str], b: str = b) -> str:
            return b + "(?:" + "|".join(items) + ")" + b

        obj, qual = alt(lang.objects), alt(lang.qualifiers)
        target = f"{qual}{near}{obj}|{obj}{near}{qual}"
        target += f"|{alt(lang.told)}" if lang.told else ""
        rules.append(_SetAside(re.compile(alt(lang.verbs), re.I), re.compile(target, re.I)))
        stems |= {_literal_prefix(item) for item in lang.objects + lang.told}
        says += [alt(lang.say)] if lang.say else []
    return (
        frozenset(stem.lower() for stem in stems),
        rules,
        re.compile(_SAY_LEAD + "(?:" + "|".join(says) + ")", re.IGNORECASE),
    )
