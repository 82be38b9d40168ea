"""The ingest loop: wakes on NOTIFY (sent when feedback is stored) or every few seconds.

Runs as `synth worker` on any number of machines, and inside `synth serve` as a thread so a
single-process install embeds new feedback without a separate worker.
"""

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from synth.db.engine import session_factory
from synth.themes.embedders import Embedder
from synth.themes.ingest import IngestReport, ingest

CHANNEL = "synth_feedback"
log = logging.getLogger("synth.worker")


def notify_feedback_stored(db_session: Session) -> None:
    """Tell workers that feedback changed; delivered when the transaction commits."""
    db_session.execute(text(f"NOTIFY {CHANNEL}"))


def run(
    engine: Engine,
    embedder: Embedder,
    *,
    stop: threading.Event,
    poll_seconds: float = 5.0,
    on_report: Callable[[IngestReport], None] | None = None,
) -> None:
    """Ingest until `stop` is set, waking early whenever a NOTIFY arrives."""
    factory = session_factory(engine)
    raw = engine.raw_connection()
    try:
        listener = raw.driver_connection
        assert listener is not None
        listener.autocommit = True
        listener.execute(f"LISTEN {CHANNEL}")
        while not stop.is_set():
            report: IngestReport = ingest(factory, embedder)
            if on_report is not None:
                on_report(report)
            if report.error:
                log.warning("ingest failed, retrying in %.0fs: %s", poll_seconds, report.error)
            for _ in listener.notifies(timeout=poll_seconds, stop_after=1):
                break
    finally:
        raw.close()


def start_in_background(engine: Engine, embedder: Embedder) -> threading.Event:
    """Run the loop in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run, args=(engine, embedder), kwargs={"stop": stop}, name="synth-ingest", daemon=True
    )
    thread.start()
    return stop
