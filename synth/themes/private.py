"""Embedding stored text without handing names to a hosted model.

The packaged MiniLM runs here, so it embeds text as written. Any other embedder is a call to
a provider: names of the people the texts mention, and every email address, are replaced
with stable placeholders first (synth.guards.pii), so the same person always embeds as the
same token and the vectors stay comparable.
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
    if embedder.local:
        return embedder.embed(texts)
    redactor = Redactor(people_named_in(db_session, texts))
    return embedder.embed([redactor.redact(text) for text in texts])
