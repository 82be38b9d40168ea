"""Alembic environment: runs on the engine synth hands over, under an advisory lock."""

from alembic import context
from sqlalchemy import Engine, text

from synth.db.base import Base, load_all_models

load_all_models()
target_metadata = Base.metadata
# Two processes upgrading one database at once wait for each other instead of racing.
MIGRATION_LOCK_KEY = 7_316_001


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Per-model HNSW indexes are made at run time (themes.store), not by autogenerate."""
    return not (type_ == "index" and (name or "").startswith("hnsw_"))


def run_migrations_online() -> None:
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                include_object=include_object,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
            connection.commit()


run_migrations_online()
