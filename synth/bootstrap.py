"""Bring a database to a usable state: migrations, then the default ladder if none."""

from sqlalchemy import Engine

from synth.db.engine import session_scope
from synth.db.migrate import upgrade
from synth.people.ladder import ensure_default_ladder


def prepare(engine: Engine) -> None:
    """Migrate to head and seed the default ladder into an empty database."""
    upgrade(engine)
    with session_scope(engine) as session:
        ensure_default_ladder(session)
