"""The worker loop: embed new feedback, then generate queued drafts; repeat.

Wakes on NOTIFY (sent when feedback is stored or a draft is requested) or every few seconds.
Runs as `synth worker` on any number of machines (rows are claimed with SKIP LOCKED), and
inside `synth serve` as a thread so a single-process install needs no separate worker.
"""

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from synth.db.engine import session_factory
from synth.drafting.base import Drafter
from synth.drafting.factory import get_drafter
from synth.drafting.generate import generate_all
from synth.themes.embedders import Embedder
from synth.themes.ingest import IngestReport, ingest
from synth.workflow.events import DRAFTS_CHANNEL, FEEDBACK_CHANNEL

log = logging.getLogger("synth.worker")


def run(
    engine: Engine,
    embedder: Embedder,
    drafter: Drafter | None = None,
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
        listener.execute(f"LISTEN {FEEDBACK_CHANNEL}")
        listener.execute(f"LISTEN {DRAFTS_CHANNEL}")
        while not stop.is_set():
            report: IngestReport = ingest(factory, embedder)
            if on_report is not None:
                on_report(report)
            if report.error:
                log.warning("ingest failed, retrying in %.0fs: %s", poll_seconds, report.error)
            elif drafter is not None:
                generate_all(factory, drafter, embedder, resolve=get_drafter)
            for _ in listener.notifies(timeout=poll_seconds, stop_after=1):
                break
    finally:
        raw.close()


def start_in_background(
    engine: Engine, embedder: Embedder, drafter: Drafter | None = None
) -> threading.Event:
    """Run the loop in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run,
        args=(engine, embedder, drafter),
        kwargs={"stop": stop},
        name="synth-worker",
        daemon=True,
    )
    thread.start()
    return stop
