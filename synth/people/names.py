"""Who a piece of text may name: a person's id, display name and email, nothing else.

Guards use it to keep names out of what a provider or the engineer sees (PII placeholders,
the anonymity guard); it carries no level, manager or anything else about the person.
"""

import re
import unicodedata
import uuid
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from synth.people.models import Person

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


class PersonName(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID
    name: str
    email: str


def fold(text: str) -> str:
    """Accents dropped: "Wiśniewski" -> "Wisniewski"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _parts(name: str) -> set[str]:
    words = set(_WORD.findall(name))
    words |= {part for word in words for part in re.split(r"[-'’]", word)}
    return {w for w in words | {fold(w) for w in words} if len(w) >= 2}


def people_named_in(
    db_session: Session, texts: Iterable[str], *, always: Iterable[uuid.UUID] = ()
) -> tuple[PersonName, ...]:
    """Everyone a name part or email of whom occurs in `texts`, plus `always` (the subject and
    the authors), in a stable order. One pass over people's names and emails."""
    corpus = "\n".join(texts)
    words = set(_WORD.findall(corpus)) | set(_WORD.findall(fold(corpus)))
    lowered = corpus.lower()
    keep = set(always)
    found = []
    for person_id, name, email in db_session.execute(
        select(Person.id, Person.name, Person.email).order_by(Person.email)
    ):
        if person_id in keep or _parts(name) & words or email.lower() in lowered:
            found.append(PersonName(id=person_id, name=name, email=email))
    return tuple(found)
