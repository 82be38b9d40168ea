"""A scratch database for benchmarks: its own embedded server in a temporary directory."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from synth.bootstrap import prepare
from synth.cycles.models import PeriodKind, PeriodStatus, ReviewPeriod
from synth.db.engine import make_engine
from synth.db.server import embedded_url, stop_embedded
from synth.people.models import Function, Person, Track


@contextmanager
def scratch_engine() -> Iterator[Engine]:
    """A migrated database on a throwaway embedded PostgreSQL, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as tmp:
        engine = make_engine(embedded_url(Path(tmp)))
        try:
            prepare(engine)
            yield engine
        finally:
            engine.dispose()
            stop_embedded()


def engineer(email: str, name: str, level: str = "mid") -> Person:
    """An engineer row for benchmarks (not yet added to a session)."""
    return Person(
        email=email,
        name=name,
        level=level,
        title="Engineer",
        function=Function.ENGINEERING,
        track=Track.IC,
        start_date=date(2024, 1, 1),
    )


def review_period() -> ReviewPeriod:
    """The 2026 H2 period, in review (not yet added to a session)."""
    return ReviewPeriod(
        name="Bench",
        kind=PeriodKind.HALF_YEAR,
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 12, 31),
        status=PeriodStatus.IN_REVIEW,
    )


def two_people_and_a_period(db: Session) -> tuple[Person, Person, ReviewPeriod]:
    """The minimum a feedback row needs: an author, a subject and a period."""
    author = engineer("author@bench.test", "Author")
    subject = engineer("subject@bench.test", "Subject")
    period = review_period()
    db.add_all([author, subject, period])
    db.flush()
    return author, subject, period
