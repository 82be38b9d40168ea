"""What every synth command shares: the typer app, consoles, error printing, sessions."""

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from synth.errors import SynthError
from synth.logs import configure_logging

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

# Locals in tracebacks could print API keys or feedback text: never show them.
app = typer.Typer(
    help="synth: feedback synthesis for engineering performance management.",
    pretty_exceptions_show_locals=False,
)

console = Console()
err = Console(stderr=True)
T = TypeVar("T")


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into SystemExit: its default action kills the process on the spot, so
    neither `finally` blocks nor atexit hooks (which release the embedded PostgreSQL and stop
    it when this is its last user) would run."""
    raise SystemExit(128 + signum)


@app.callback()
def _every_command(ctx: typer.Context) -> None:
    configure_logging()
    # SIGINT already raises KeyboardInterrupt; SIGTERM (systemd, docker stop, kill) should
    # end a command the same orderly way. uvicorn takes both over while it serves and
    # re-raises them after its own graceful shutdown, so `serve` ends through here as well.
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers (and only it receives signals)
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, previous))


def fail(exc: SynthError) -> typer.Exit:
    """Print a SynthError with its per-row details and pick the exit code."""
    err.print(f"[bold red]error[/] {escape(f'[{exc.code}] {exc.message}')}")
    if isinstance(exc.details, list):
        table = Table("row/field", "code", "message")
        for item in exc.details[:200]:
            if isinstance(item, dict):
                where = item.get("row", item.get("loc", ""))
                table.add_row(
                    escape(str(where)),
                    escape(str(item.get("code", item.get("type", "")))),
                    escape(str(item.get("message", ""))),
                )
        err.print(table)
    return typer.Exit(code=2 if exc.status < 500 else 1)


@contextmanager
def session() -> Iterator[Session]:
    """A migrated database session committed on success; SynthErrors exit cleanly."""
    from synth.bootstrap import prepare
    from synth.db.engine import get_engine, session_scope

    try:
        engine = get_engine()
        prepare(engine)
        with session_scope(engine) as db:
            yield db
    except SynthError as exc:
        raise fail(exc) from None


def run(action: Callable[[Session], T]) -> T:
    """Run `action` in a migrated, committed session."""
    with session() as db:
        return action(db)
