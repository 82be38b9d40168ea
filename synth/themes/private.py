"""Embedding stored text so that who it is about does not move the vector.

Names of the people the texts mention are replaced by one neutral name and emails by
"email", and gendered pronouns by "they" and its forms, before any embedder sees them
(`Redactor.neutral`): "Dana ... her reviews" and "Daniel ... his reviews" embed alike, so
themes, search and every check built on the vectors do not depend on the engineer's name or
gender. A hosted embedder therefore never receives a name or an email either.
"""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from synth.guards.pii import Redactor
from synth.people.names import people_named_in
from synth.themes.embedders import Embedder


def embed_private(
    db_session: Session, embedder: Embedder, texts: Sequence[str]
) -> npt.NDArray[np.float32]:
    redactor = Redactor(people_named_in(db_session, texts))
    return embedder.embed([redactor.neutral(text) for text in texts])
