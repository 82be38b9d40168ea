"""Test fixtures: one real embedded PostgreSQL + pgvector per run, migrated by alembic.

Each test runs inside an outer transaction that is rolled back, so tests see a clean,
migrated database without recreating it; services commit to savepoints inside it.
"""

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.pop("SYNTH_DATABASE_URL", None)

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Connection, Engine  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from synth.api.app import create_app  # noqa: E402
from synth.bootstrap import prepare  # noqa: E402
from synth.db.engine import make_engine  # noqa: E402
from synth.db.server import embedded_url, stop_embedded  # noqa: E402


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real model or provider requests are blocked: only local sockets may connect."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if self.family == socket.AF_UNIX or host in ("127.0.0.1", "::1", "localhost"):
            return real_connect(self, address)  # type: ignore[arg-type]
        raise RuntimeError(f"network access blocked in tests: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("synth-data")
    yield path
    stop_embedded()


@pytest.fixture(scope="session")
def engine(data_dir: Path) -> Iterator[Engine]:
    """The embedded server, migrated to head and seeded with the default ladder."""
    engine = make_engine(embedded_url(data_dir))
    prepare(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def client(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(engine)
    app.state.session_factory = sessions
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """Replayed requests must carry today's bodies (see tests/cassettes/__init__.py)."""
    from tests.cassettes import json_body, json_body_any_ids

    vcr.register_matcher("json_body", json_body)
    vcr.register_matcher("json_body_any_ids", json_body_any_ids)
