"""The same case about someone else: the engineer's first name and pronouns swapped.

Drafts must not depend on who the engineer is: the parity evaluator compares the structure of
the drafts of a case and of its swapped twin. "she" becomes "he" (and "he" and "they" become
"she"); "her" becomes "his" before a word and "him" at the end of a clause; the first name
is replaced everywhere by one of the other gender from a fixed list, so runs repeat.
"""

import re
from typing import Any

from synth.evaluation.cases import Case

OTHER_NAME = {"she": "Daniel", "he": "Maria", "they": "Maria"}
_SUBJECT = {
    "she": {"she": "he", "herself": "himself", "hers": "his"},
    "he": {"he": "she", "him": "her", "his": "her", "himself": "herself"},
    "they": {},  # "they" stays: their verbs agree with it, and nobody's gender is implied
}
_CLAUSE_END = re.compile(r"^\s*([.,;:!?)\"”]|$|\b(and|or|but|to|for|on|in|with|about|as|at)\b)")


def _swap_pronouns(text: str, pronouns: str) -> str:
    table = _SUBJECT[pronouns]

    def one(m: re.Match[str]) -> str:
        word = m.group(0)
        lower = word.lower()
        if pronouns == "she" and lower == "her":
            rest = text[m.end() :]
            new = "him" if _CLAUSE_END.match(rest) else "his"
        elif lower in table:
            new = table[lower]
        else:
            return word
        return new.capitalize() if word[0].isupper() else new

    return re.sub(r"\b[A-Za-z]+\b", one, text)


def swapped(case: Case) -> Case:
    """The case with the engineer's first name and pronouns swapped, under its own id."""
    first = case.subject.name.split()[0]
    name = OTHER_NAME[case.subject.pronouns]
    pronouns = {"she": "he", "he": "she", "they": "they"}[case.subject.pronouns]

    def change(text: str) -> str:
        text = re.sub(rf"\b{re.escape(first)}\b", name, text)
        return _swap_pronouns(text, case.subject.pronouns)

    data: dict[str, Any] = case.model_dump(mode="json")
    data["id"] = f"{case.id}-swapped"[:80]
    data["subject"] = {**data["subject"], "name": case.subject.name.replace(first, name, 1)}
    data["subject"]["pronouns"] = pronouns
    for item in data["feedback"]:
        item["text"] = change(item["text"])
        for answer in item["expectation_answers"]:
            answer["comment"] = change(answer["comment"])
    if data["self_assessment"] is not None:
        own = data["self_assessment"]
        own["overall"] = change(own["overall"])
        for item in own["expectations"]:
            item["text"] = change(item["text"])
    gold = data["gold"]
    for theme in gold["themes"]:
        for member in theme["members"]:
            member["quote"] = change(member["quote"])
    for member in gold["key_evidence"]:
        member["quote"] = change(member["quote"])
    return Case.model_validate(data)
