"""pgvector access: per-model HNSW indexes and nearest-neighbour queries."""

import hashlib
import re
import uuid
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from pgvector.sqlalchemy import Vector
from sqlalchemy import ColumnElement, cast, select, text
from sqlalchemy.orm import Session

from synth.themes.models import Statement, StatementEmbedding

EF_SEARCH = 100


def index_name(model: str) -> str:
    """A stable, valid index name for a model's partial HNSW index."""
    slug = re.sub(r"[^a-z0-9]+", "_", model.lower()).strip("_")[:40]
    if model == "all-MiniLM-L6-v2":
        return f"hnsw_{slug}"
    return f"hnsw_{slug}_{hashlib.sha1(model.encode()).hexdigest()[:8]}"


def ensure_index(db_session: Session, model: str, dim: int) -> None:
    """Create the model's HNSW cosine index if it does not exist yet."""
    if not 0 < dim <= 2000:
        raise ValueError(f"HNSW indexes take 1-2000 dimensions, not {dim}")
    literal = model.replace("'", "''")
    db_session.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS {index_name(model)} ON statement_embeddings "
            f"USING hnsw ((embedding::vector({dim})) vector_cosine_ops) "
            f"WHERE model = '{literal}'"
        )
    )


def vectors_for(
    db_session: Session, model: str, statement_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, npt.NDArray[np.float32]]:
    """The stored vectors of these statements under `model` (missing ones are absent)."""
    rows = db_session.execute(
        select(StatementEmbedding.statement_id, StatementEmbedding.embedding).where(
            StatementEmbedding.model == model,
            StatementEmbedding.statement_id.in_(statement_ids),
        )
    )
    return {sid: np.asarray(vec, dtype=np.float32) for sid, vec in rows}


def nearest(
    db_session: Session,
    *,
    model: str,
    dim: int,
    query: npt.NDArray[np.float32],
    visible: ColumnElement[bool],
    limit: int,
) -> list[tuple[Statement, float]]:
    """The `limit` visible statements closest to `query` (cosine similarity, best first).

    Uses the model's HNSW index with pgvector's iterative scan, so a narrow permission filter
    still fills the page. A query with no direction (all zeros: text with no words, for some
    embedders) is close to nothing: no hits, rather than NaN similarities.
    """
    if not np.any(query):
        return []
    db_session.execute(text(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, limit)}"))
    db_session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
    typed = cast(StatementEmbedding.embedding, Vector(dim))
    distance = typed.cosine_distance(query.tolist()).label("distance")
    statement = (
        select(Statement, distance)
        .join(StatementEmbedding, StatementEmbedding.statement_id == Statement.id)
        .where(StatementEmbedding.model == model, visible)
        .order_by(distance)
        .limit(limit)
    )
    rows = db_session.execute(statement).all()
    return [(row[0], 1.0 - float(row[1])) for row in rows]
