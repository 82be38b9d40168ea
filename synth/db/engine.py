"""Engines and sessions for the configured database."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, NullPool, create_engine, event, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from synth.config import get_settings
from synth.db.server import embedded_url

log = logging.getLogger("synth.db")
HEALTH_TIMEOUT_S = 2  # libpq's smallest connect_timeout


def database_url(database: str | None = None) -> str:
    """The URL of the configured server, optionally pointing at another database on it."""
    settings = get_settings()
    if settings.database_url:
        url = make_url(settings.database_url)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        if database is not None:
            url = url.set(database=database)
        return url.render_as_string(hide_password=False)
    return embedded_url(settings.data_dir, database or "postgres")


def make_engine(url: str) -> Engine:
    """An engine whose pool is sized by the SYNTH_DB_* settings and cleans up after borrowers.

    The pool timeout is short on purpose: a request that cannot get a connection soon is
    answered 503 (`overloaded`) rather than left hanging behind the others.
    """
    settings = get_settings()
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        connect_args={"connect_timeout": settings.db_connect_timeout_s},
    )
    event.listen(engine, "checkin", _restore_on_checkin)
    return engine


def _restore_on_checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    """Give the next borrower the connection the pool first handed out.

    SQLAlchemy rolls back and undoes the options it set itself before this runs; code that
    reached for the driver connection (the worker once set `autocommit=True` on one) can
    still leave it in autocommit, another isolation level, read-only or inside a transaction
    SQLAlchemy never saw. Such a connection would commit a later request's "rolled back"
    writes and refuse its savepoints. A connection that cannot be restored is discarded.
    """
    conn = dbapi_connection
    if conn is None or conn.closed:
        return
    try:
        if conn.info.transaction_status != TransactionStatus.IDLE:
            conn.rollback()
        if conn.autocommit:
            log.warning("a pooled connection came back in autocommit mode; restored")
            conn.autocommit = False
        if conn.isolation_level is not None:
            conn.isolation_level = None
        if conn.read_only is not None:
            conn.read_only = None
        if conn.deferrable is not None:
            conn.deferrable = None
    except psycopg.Error as exc:
        # Raising here would keep the connection's slot from returning to the pool.
        record.invalidate(exc)


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(database_url())


def health_engine(engine: Engine) -> Engine:
    """An engine on the same database that opens a fresh connection per use, with short
    timeouts: a health check must not wait behind a busy pool or a hung server."""
    timeout_ms = HEALTH_TIMEOUT_S * 1000
    return create_engine(
        engine.url,
        poolclass=NullPool,
        connect_args={
            "connect_timeout": HEALTH_TIMEOUT_S,
            "options": f"-c statement_timeout={timeout_ms}",
        },
    )


def database_answers(engine: Engine) -> bool:
    """Whether the database behind `engine` answers SELECT 1 (connection errors are False)."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("database health check failed: %s", exc)
        return False
    return True


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    """A sessionmaker bound to the given (or the configured) engine."""
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session on `engine` that commits on success and rolls back on any error."""
    with transaction(session_factory(engine)) as session:
        yield session


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session from `factory` that commits on success and rolls back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def recreate_database(name: str) -> str:
    """Drop and create database `name` on the configured server; return its URL."""
    admin = create_engine(database_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return database_url(name)
