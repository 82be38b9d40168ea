"""Reviewer names as one pattern, matched against folded text (`fold_mapped`).

A reviewer's full name, first name or surname, capitalised, as a whole word, accents folded
("Wisniewski" for "Wiśniewski"), possessive included, either apostrophe; or their dotted
email local part ("hana.kobayashi"). Lowercase words that happen to equal a name ("grant") are
not names. The subject's own name is allowed: it is their document, so name parts the subject
shares with a reviewer only count in the reviewer's full name. A capitalised name at the start
of a sentence ("Grant access ...") still counts: a false alarm costs an edit, a missed name
costs the reviewer's anonymity.
"""

import re
from collections.abc import Sequence

from synth.evidence import PersonName
from synth.guards.anonymity import Reviewer
from synth.text import email_handle, fold, name_variants


def _name_variants(name: str) -> set[str]:
    """The capitalised ways to write a name, folded; pieces of a hyphenated or apostrophe
    part count from three letters ("Luc" of "Jean-Luc", not "Li" of "Li-Na")."""
    return {v for v in name_variants(fold(name), min_piece=3) if v[0].isupper()}


def reviewer_names_pattern(
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
