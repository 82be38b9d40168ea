"""The worker loop: embed new feedback, then generate queued drafts; repeat.

Wakes on NOTIFY (sent when feedback is stored or a draft is requested) or every few seconds.
Runs as `synth worker` on any number of machines (rows are claimed with SKIP LOCKED), and
inside `synth serve` as a thread so a single-process install needs no separate worker.

The loop is supervised: whatever goes wrong in one round (the database going away, an
embedder or drafter raising), the round is logged and recorded in `Health`, and the loop
starts again after a backoff that doubles up to a minute, reconnecting from scratch. LISTEN
runs on a dedicated connection of its own, never one from the pool, so its autocommit mode
can never leak into a request's transaction.
"""

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from synth.config import get_settings
from synth.cycles.flagging import refresh_stale
from synth.db.engine import session_factory, transaction
from synth.drafting.base import Drafter
from synth.drafting.factory import get_drafter
from synth.events import delivery
from synth.events.service import EVENTS_CHANNEL
from synth.idempotency.service import purge_expired
from synth.themes.embedders import Embedder
from synth.themes.ingest import IngestReport, ingest
from synth.workflow.events import DRAFTS_CHANNEL, FEEDBACK_CHANNEL
from synth.workflow.jobs import generate_all, release_in_hand

log = logging.getLogger("synth.worker")
MAX_BACKOFF_S = 60.0
BATCH_WINDOW_S = 0.25
STOP_SLICE_S = 0.5


@dataclass
class Health:
    """What the worker reports about itself (`/healthz`, `/v1/ingest`)."""

    running: bool = False
    restarts: int = 0
    rounds: int = 0
    last_round_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        with self._changed:
            return {
                "running": self.running,
                "restarts": self.restarts,
                "rounds": self.rounds,
                "last_round_at": self.last_round_at,
                "last_error": self.last_error,
                "last_error_at": self.last_error_at,
            }

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float) -> bool:
        """Block until `predicate(snapshot)` holds or `timeout` passes; whether it held."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self.snapshot()), timeout)

    def _update(self, **changes: Any) -> None:
        with self._changed:
            for name, value in changes.items():
                setattr(self, name, value)
            self._changed.notify_all()

    def failed(self, error: str, *, restart: bool = False) -> None:
        self._update(
            last_error=error,
            last_error_at=time.time(),
            restarts=self.restarts + int(restart),
        )

    def round_done(self) -> None:
        self._update(rounds=self.rounds + 1, last_round_at=time.time())

    def set_running(self, running: bool) -> None:
        self._update(running=running)


def _listen(engine: Engine) -> psycopg.Connection[Any]:
    """A connection of the worker's own, outside the pool, listening on both channels."""
    url = engine.url.set(drivername="postgresql")
    conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
    conn.execute(f"LISTEN {FEEDBACK_CHANNEL}")
    conn.execute(f"LISTEN {DRAFTS_CHANNEL}")
    conn.execute(f"LISTEN {EVENTS_CHANNEL}")
    return conn


def _notified(listener: psycopg.Connection[Any], stop: threading.Event, timeout: float) -> bool:
    """Wait up to `timeout` for a NOTIFY; True when one came. Waits in short slices, so a
    stop request (a signal handler setting `stop`) is seen within STOP_SLICE_S."""
    deadline = time.monotonic() + timeout
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        for _ in listener.notifies(timeout=min(left, STOP_SLICE_S), stop_after=1):
            return True
    return False


def run(
    engine: Engine,
    embedder: Embedder,
    drafter: Drafter | None = None,
    *,
    stop: threading.Event,
    poll_seconds: float = 5.0,
    on_report: Callable[[IngestReport], None] | None = None,
    health: Health | None = None,
    concurrency: int = 1,
) -> None:
    """Ingest and draft until `stop` is set, waking early whenever a NOTIFY arrives. Errors
    end the current round only; the loop reconnects after a backoff. Up to `concurrency`
    drafts are generated at once (model calls wait on the network, not the CPU); each is
    still claimed with SKIP LOCKED, fenced and finished exactly once. Webhooks are sent by a
    thread of their own, so a slow receiver never holds up drafting."""
    health = health or Health()
    factory = session_factory(engine)
    backoff = poll_seconds
    health.set_running(True)
    wake_deliveries = threading.Event()
    deliveries = threading.Thread(
        target=delivery.run,
        args=(factory,),
        kwargs={"stop": stop, "wake": wake_deliveries, "on_error": health.failed},
        name="synth-webhooks",
        daemon=True,
    )
    deliveries.start()
    try:
        while not stop.is_set():
            listener: psycopg.Connection[Any] | None = None
            try:
                listener = _listen(engine)
                while not stop.is_set():
                    report: IngestReport = ingest(factory, embedder)
                    if on_report is not None:
                        on_report(report)
                    if report.error:
                        health.failed(f"ingest: {report.error}")
                        log.warning(
                            "ingest failed, retrying in %.0fs: %s", poll_seconds, report.error
                        )
                    elif drafter is not None:
                        drain_drafts(factory, drafter, embedder, concurrency, stop=stop)
                    with transaction(factory) as db:
                        purge_expired(db, limit=1_000)  # idempotency records past their TTL
                    with transaction(factory) as db:
                        refresh_stale(db)  # flags stored by older guards
                    health.round_done()
                    backoff = poll_seconds
                    if _notified(listener, stop, poll_seconds):
                        wake_deliveries.set()  # cheap: it looks once and sleeps again
                        # Let a burst of writes land first: one batch to embed, not many.
                        stop.wait(BATCH_WINDOW_S)
            except Exception as exc:  # supervised: one bad round never ends the worker
                health.failed(f"{type(exc).__name__}: {exc}", restart=True)
                log.exception("worker round failed; restarting in %.0fs", backoff)
                stop.wait(backoff)
                backoff = min(MAX_BACKOFF_S, backoff * 2)
            finally:
                if listener is not None:
                    try:
                        listener.close()
                    except Exception:
                        log.debug("closing the listener failed", exc_info=True)
    finally:
        wake_deliveries.set()
        deliveries.join(timeout=get_settings().webhook_timeout_s + 5)
        health.set_running(False)


def drain_drafts(
    factory: sessionmaker[Session],
    drafter: Drafter,
    embedder: Embedder,
    concurrency: int,
    *,
    stop: threading.Event | None = None,
) -> int:
    """Drain the draft queue with `concurrency` parallel claimers until it is empty or `stop`
    is set (drafts in progress are finished); returns drafts processed."""

    def drain() -> int:
        return generate_all(factory, drafter, embedder, resolve=get_drafter, stop=stop)

    if concurrency <= 1:
        return drain()
    with ThreadPoolExecutor(concurrency, thread_name_prefix="synth-draft") as pool:
        futures = [pool.submit(drain) for _ in range(concurrency)]
        return sum(f.result() for f in futures)


@dataclass
class Background:
    """A worker running in a thread of this process."""

    stop: threading.Event
    thread: threading.Thread
    health: Health
    engine: Engine

    def shutdown(self, timeout: float = 10.0) -> None:
        """Ask the loop to stop and wait up to `timeout` for the current round to end; drafts
        still being written then are handed back to the queue for another worker, rather
        than left under a lease until it runs out."""
        self.stop.set()
        self.thread.join(timeout)
        if self.thread.is_alive():
            handed_back = release_in_hand(session_factory(self.engine))
            if handed_back:
                log.warning("handed %d draft(s) in progress back to the queue", handed_back)


def start_in_background(
    engine: Engine,
    embedder: Embedder,
    drafter: Drafter | None = None,
    *,
    poll_seconds: float = 5.0,
) -> Background:
    """Run the supervised loop in a daemon thread."""
    stop, health = threading.Event(), Health()
    thread = threading.Thread(
        target=run,
        args=(engine, embedder, drafter),
        kwargs={"stop": stop, "health": health, "poll_seconds": poll_seconds},
        name="synth-worker",
        daemon=True,
    )
    thread.start()
    return Background(stop=stop, thread=thread, health=health, engine=engine)
