"""Embedding stored text so that who it is about does not move the vector.

Names of the people the texts mention are replaced by one neutral name and emails by
"email", and gendered pronouns by "they" and its forms, before any embedder sees them
(`Redactor.neutral`): "Dana ... her reviews" and "Daniel ... his reviews" embed alike, so
themes, search and every check built on the vectors do not depend on the engineer's name or
gender. A hosted embedder therefore never receives a name or an email either.

Vectors are stored under `vector_key(embedder)`: the model's name plus the version of this
text encoding. When the encoding changes, the version moves, every statement is pending
again under the new key, and `synth themes embed` (or the worker) re-embeds them all once;
vectors of another encoding are never compared with today's, and are deleted on the way.
"""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from synth.guards.pii import Redactor
from synth.people.names import people_named_in
from synth.themes.embedders import Embedder

ENCODING = "neutral-1"
"""Version of the text encoding above; bump it whenever `embed_private` changes its output."""
SEPARATOR = "@"


def vector_key(embedder: Embedder) -> str:
    """The key a statement's vector is stored and looked up under (model + encoding)."""
    return f"{embedder.name}{SEPARATOR}{ENCODING}"


def stale_keys(embedder: Embedder, stored: Sequence[str]) -> list[str]:
    """Stored keys of the same model under an older encoding (or none, as before versions)."""
    current = vector_key(embedder)
    return [
        key
        for key in stored
        if key != current and (key == embedder.name or key.startswith(embedder.name + SEPARATOR))
    ]


def embed_private(
    db_session: Session, embedder: Embedder, texts: Sequence[str]
) -> npt.NDArray[np.float32]:
    """Vectors of `texts` in the stored encoding (names, emails and pronouns neutral)."""
    redactor = Redactor(people_named_in(db_session, texts))
    return embedder.embed([redactor.neutral(text) for text in texts])
