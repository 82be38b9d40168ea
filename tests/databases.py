"""Databases of a test's own, beside the shared one whose tests roll back."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from synth.bootstrap import prepare
from synth.db.engine import make_engine


@contextmanager
def own_database(engine: Engine, prefix: str) -> Iterator[Engine]:
    """A migrated database on `engine`'s server, dropped afterwards: for work that runs in
    several threads or commits for real (the shared test connection is one transaction)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    own = make_engine(engine.url.set(database=name).render_as_string(hide_password=False))
    try:
        prepare(own)
        yield own
    finally:
        own.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
