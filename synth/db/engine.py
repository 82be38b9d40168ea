"""Engines and sessions for the configured database."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from synth.config import get_settings
from synth.db.server import embedded_url


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
    """An engine with settings suited to a small service pool."""
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(database_url())


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
