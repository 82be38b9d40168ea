"""Names and emails out of what a non-local model sees, and back into what it answers.

`Redactor(people).redact(text)` replaces each surface form of those people's names, and every
email address (theirs or anyone's), with a placeholder: `[NAME_3F9A1C]`, `[EMAIL_7B20DE]`.
`restore` puts the forms back, so quotes the model copies are found again in the sources.

Surface forms of a person (`synth.text.name_variants`): the full name, the name without its
last or first word and first and last name of a longer one ("Mei Lin", "Lin Chen", "Mei Chen"
of "Mei Lin Chen"), each name part of two or more letters (middle names; a hyphenated or
apostrophe part whole and split), their accent-folded spellings ("Wisniewski"), decomposed
(NFD) spellings and both apostrophes ("O'Brien", "O’Brien"); their email; and the email's
local part on its own ("hannah.brooks") when it reads as a chat handle (`email_handle`: a
bare "kofi" or "mark" would be an ordinary word). Names match as written and as whole words,
the longest form first, so "Hannah's" keeps its "'s" and a lowercase "grant" or "will" is
never touched; a capitalised "Grant access" is replaced and restored, which is harmless.
Names in scripts written without spaces between words are not found, as nothing marks where a
word ends.

A placeholder is the first six hex digits of the SHA-256 of the exact form, so it is the same
in every draft and process (the draft cache relies on that) and each form, even "Hannah" and
"hannah.brooks", gets its own. The people's forms that collide on six digits all get eight
(then ten, ...), whatever the order of people; an email met later is lengthened only if its
placeholder is taken. This is pseudonymisation, not anonymity: anyone with the org's name
list can hash it. No secret salt, for cache stability: the point is that the provider never
receives a name, and that holds.

Text that already looks like a placeholder ("[NAME_ABCDEF]", also "[EMAIL_", "[ESC_", any
case) gets "ESC_" after its bracket on the way out and loses it on the way back, so restore
never turns what a user wrote into a name and `restore(redact(text)) == text` for any text.
"""

import functools
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

from synth.evidence import PersonName
from synth.text import email_handle, fold, map_strings, name_variants, neutral_pronouns

M = TypeVar("M", bound=BaseModel)

_HEX = 6
_NAME = "NAME"
_EMAIL = "EMAIL"
_EMAIL_PATTERN = r"(?<!\w)\w[\w.%+'-]*@\w[\w-]*(?:\.[\w-]+)*"
_EMAIL_RX = re.compile(_EMAIL_PATTERN)
# What redact escapes: a bracket that starts a placeholder or an escape, in any case.
_RESERVED = r"\[(?i:ESC|NAME|EMAIL)_"
_RESTORE_RX = re.compile(
    r"(?P<esc>\[ESC_)(?=(?i:ESC|NAME|EMAIL)_)|\[(?i:(?P<kind>NAME|EMAIL)_(?P<hex>[0-9A-F]+))\]"
)


def _digest(form: str) -> str:
    return hashlib.sha256(form.encode()).hexdigest().upper()


def _spellings(form: str) -> set[str]:
    spelt = {form, fold(form), unicodedata.normalize("NFD", form)}
    return spelt | {s.replace("'", "’") for s in spelt} | {s.replace("’", "'") for s in spelt}


def _name_forms(name: str) -> set[str]:
    # One word on its own is capitalised: a lowercase word is never a name on its own.
    words = {
        v if " " in v else v[0].upper() + v[1:]
        for v in name_variants(unicodedata.normalize("NFC", name))
    }
    forms = {spelling for word in words for spelling in _spellings(word)}
    return {f for f in forms if " " in f or not f[0].islower()}  # "mark" is a word, not a name


def _handle(email: str) -> set[str]:
    local = email_handle(email)
    if local is None or not _EMAIL_RX.fullmatch(email):
        return set()
    return {local, local.lower()}


def _trie(forms: Iterable[str]) -> str:
    """The forms as one alternation factored by common prefix: longest first, and a position
    costs one branch per distinct next character rather than one per form."""
    root: dict[str, Any] = {}
    for form in forms:
        node = root
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(root)


def _branches(node: dict[str, Any]) -> str:
    alts = [re.escape(char) + _branches(child) for char, child in sorted(node.items()) if char]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{body})?" if "" in node else body  # greedy: the longer form is tried first


def _assign(forms: Iterable[str], length: int = _HEX) -> dict[str, str]:
    """Form -> hex, lengthened only for the forms that share a prefix."""
    by_prefix: defaultdict[str, list[str]] = defaultdict(list)
    for form in forms:
        by_prefix[_digest(form)[:length]].append(form)
    hexes: dict[str, str] = {}
    for prefix, group in by_prefix.items():
        if len(group) == 1:
            hexes[group[0]] = prefix
        else:
            hexes |= _assign(group, length + 2)
    return hexes


@functools.lru_cache(maxsize=16)
def _pattern(names: frozenset[str], odd_emails: frozenset[str]) -> re.Pattern[str]:
    """One regex for everything redact replaces. Cached: building it for a whole org takes
    most of a second, and drafts of one team name the same people."""
    emails = _EMAIL_PATTERN
    if odd_emails:  # addresses the general pattern would miss, as written
        emails += rf"|(?<!\w)(?:{_trie(odd_emails)})(?!\w)"
    pattern = rf"(?P<esc>{_RESERVED})|(?P<email>{emails})"
    if names:
        pattern += rf"|(?P<name>(?<!\w)(?:{_trie(names)})(?!\w))"
    return re.compile(pattern)


def redact_emails(text: str) -> str:
    """Every email replaced, one way: for text nobody restores (embedding uploaded files)."""
    return _EMAIL_RX.sub(lambda m: f"[{_EMAIL}_{_digest(m.group())[:_HEX]}]", text)


NEUTRAL_NAME = "Alex"


class Redactor:
    """Placeholders for the names and emails of `people` (and every other email) in text
    bound for a non-local model, and the way back. Build one per draft: it remembers
    the forms it replaced."""

    def __init__(self, people: Iterable[PersonName]) -> None:
        names: set[str] = set()
        emails: set[str] = set()
        odd_emails: set[str] = set()
        for person in people:
            email = person.email.strip()
            names |= _name_forms(person.name) | _handle(email)
            if email:
                emails.add(email)
                if not _EMAIL_RX.fullmatch(email):
                    odd_emails.add(email)
        names -= emails  # one kind per form: an email is an email even as a display name
        kinds = {_NAME: names, _EMAIL: emails}
        self._tokens = {
            form: f"[{kind}_{hexes}]"
            for kind, forms in kinds.items()
            for form, hexes in _assign(forms).items()
        }
        self._forms = {token: form for form, token in self._tokens.items()}
        self._used: dict[str, str] = {}
        self._rx = _pattern(frozenset(names), frozenset(odd_emails))

    @property
    def mapping(self) -> dict[str, str]:
        """Placeholder -> form for what `redact` has replaced so far: what the provider saw.
        `restore` also knows the placeholders of every form of the people not yet seen."""
        return dict(self._used)

    def redact(self, text: str) -> str:
        """`text` with names and emails replaced and look-alike placeholders escaped."""
        return self._rx.sub(self._replace, text)

    def neutral(self, text: str, name: str = NEUTRAL_NAME) -> str:
        """`text` with every name replaced by the same `name` and every email by "email",
        irreversibly: for embeddings, where who is meant must not move the vector."""

        def one(match: re.Match[str]) -> str:
            if match.group("esc") is not None:
                return match.group()
            return "email" if match.group("email") is not None else name

        return neutral_pronouns(self._rx.sub(one, text))

    def restore(self, text: str) -> str:
        """The inverse of `redact`; placeholders this redactor never made stay as they are.
        A model that lowercases a placeholder still gets it restored."""
        return _RESTORE_RX.sub(self._restore, text)

    def redact_model(self, model: M) -> M:
        """A new `model` with every string inside redacted; exclude=True fields (the people
        themselves) are carried over untouched, at any depth."""
        redacted: M = map_strings(model, self.redact)
        return redacted

    def restore_model(self, model: M) -> M:
        """A new `model` with every string inside restored (a model's structured answer)."""
        restored: M = map_strings(model, self.restore)
        return restored

    def redact_json(self, value: Any) -> Any:
        """Every string in JSON-like data redacted, keys included."""
        return map_strings(value, self.redact)

    def restore_json(self, value: Any) -> Any:
        """Every string in JSON-like data restored, keys included."""
        return map_strings(value, self.restore)

    def _replace(self, match: re.Match[str]) -> str:
        if match.group("esc") is not None:
            return "[ESC_" + match.group()[1:]
        form = match.group()
        token = self._tokens.get(form) or self._new(
            _EMAIL if match.group("email") is not None else _NAME, form
        )
        self._used[token] = form
        return token

    def _new(self, kind: str, form: str) -> str:
        """A form seen for the first time (someone else's email, another casing)."""
        length = _HEX
        while (token := f"[{kind}_{_digest(form)[:length]}]") in self._forms:
            length += 2
        self._tokens[form] = token
        self._forms[token] = form
        return token

    def _restore(self, match: re.Match[str]) -> str:
        if match.group("esc") is not None:
            return "["
        token = f"[{match.group('kind').upper()}_{match.group('hex').upper()}]"
        return self._forms.get(token, match.group())
