"""Migrations run for real: up from empty, down to nothing, up again; pgvector is there."""

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, insert, inspect, text
from sqlalchemy.exc import DBAPIError

from synth.audit.models import AuditEvent
from synth.db.base import Base, load_all_models
from synth.db.engine import make_engine
from synth.db.migrate import current_revision, downgrade, head_revision, upgrade


@pytest.fixture
def scratch(engine: Engine) -> Iterator[Engine]:
    """An empty database of its own on the test server."""
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "synth_migrations" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "synth_migrations"'))
    scratch = make_engine(engine.url.set(database="synth_migrations").render_as_string(False))
    yield scratch
    scratch.dispose()
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "synth_migrations" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_empty_creates_every_table_and_pgvector(scratch: Engine) -> None:
    assert current_revision(scratch) is None
    upgrade(scratch)
    assert current_revision(scratch) == head_revision(scratch)
    load_all_models()
    assert set(Base.metadata.tables) <= set(inspect(scratch).get_table_names())
    with scratch.connect() as conn:
        assert conn.scalar(text("SELECT extversion FROM pg_extension WHERE extname='vector'"))


def test_downgrade_to_base_then_upgrade_again(scratch: Engine) -> None:
    upgrade(scratch)
    downgrade(scratch, "base")
    assert "people" not in inspect(scratch).get_table_names()
    upgrade(scratch)
    assert current_revision(scratch) == head_revision(scratch)


def test_upgrade_twice_is_a_no_op(scratch: Engine) -> None:
    upgrade(scratch)
    upgrade(scratch)
    assert current_revision(scratch) == head_revision(scratch)


def test_models_match_the_migrations(engine: Engine) -> None:
    """Autogenerate finds nothing to add: the ORM and synth/migrations/ describe one schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    load_all_models()

    def include(obj: object, name: str | None, type_: str, *_: object) -> bool:
        return not (type_ == "index" and (name or "").startswith("hnsw_"))

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_audit_log_refuses_updates_and_deletes(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(
            insert(AuditEvent).values(
                id=uuid.uuid4(),
                actor_role="admin",
                action="test.appended",
                entity_type="test",
                entity_id="1",
            )
        )
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"), conn.begin_nested():
                conn.execute(text(statement))
        conn.rollback()
