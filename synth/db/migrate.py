"""Run alembic migrations from code (used by `synth db upgrade`, serve, demo and tests)."""

from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

# Package data, so an installed wheel migrates too; alembic wants a directory on disk, which
# synth always is (wheels install unzipped).
MIGRATIONS_DIR = Path(str(files("synth") / "migrations"))


def alembic_config(engine: Engine) -> Config:
    """An alembic Config that runs on the given engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (serialised across processes by an advisory lock)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema down to `revision`."""
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    """The newest revision in synth/migrations/."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
