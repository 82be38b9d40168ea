"""Mixed API load against a real `synth serve`: closed-loop clients at two concurrency levels.

A fresh data dir in a temporary directory; this process starts its embedded PostgreSQL,
migrates it and seeds an organisation through the services (a director, three managers with
ten engineers each, a period in review, a key per person and an HR key), then runs
`synth serve` on 127.0.0.1 on the same data dir (it joins that server), posts the first
feedback and six synthesis requests through the API and waits for the in-process worker to
embed and draft them. Each level then runs N clients (`evals/loadgen.py`) for a warm-up and a
measured window, each drawing from `MIX` (70% reads, 30% writes) with the key of the person
who would make the request. The server's worker keeps embedding the feedback the clients
post, as it does in production, so its CPU is part of what is measured (`--no-worker` leaves
it out). After each level the run waits for that backlog to drain. Levels share one database,
so each runs on what the ones before it wrote (it prints how much); `--fresh` gives every
level a freshly seeded data dir and server instead.

Any 500 or transport error is printed loudly and makes the run exit 1; the throughput bar
(`TARGET_RPS`) is reported, not enforced. `--py-spy DIR` records py-spy profiles of the
server during each level (`pip install py-spy`; see `profile`).

    python -m evals.bench_load [--levels 20 50] [--duration 30] [--warmup 5] [--fresh]
                               [--no-worker] [--processes N] [--py-spy DIR]
"""

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Self

import httpx
from sqlalchemy import Engine, exists, func, select, text
from sqlalchemy.orm import Session

from evals.benchdb import review_period
from evals.loadgen import EXPECTED, Level, Request, cpu_now, print_level, run_level
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.auth.service import create_key
from synth.bootstrap import prepare
from synth.cycles.models import PeerFeedback
from synth.db.engine import make_engine, session_factory, transaction
from synth.db.server import embedded_url, stop_embedded
from synth.drafting.models import Draft, DraftStatus
from synth.people import service as people
from synth.people.models import Person, Track
from synth.people.schemas import PersonCreate
from synth.themes.embedders import get_embedder
from synth.themes.ingest import pending_count
from synth.themes.models import Statement

BASELINE_RPS = 70.0  # the figure measured at 20 clients before the issue
TARGET_RPS = 3 * BASELINE_RPS
TEAMS, TEAM_SIZE = 3, 10
START_TIMEOUT_S = 180.0
SETTLE_TIMEOUT_S = 600.0
SENTENCES = (
    "Her code reviews are thorough and caught a race in the ledger before release.",
    "He explained the migration plan clearly and the rollout went without surprises.",
    "She could share design decisions earlier; we learned about the schema change late.",
    "Runs incident reviews calmly and the follow-up actions actually get done.",
    "The on-call handover notes were detailed, but the runbook links were often stale.",
    "Mentored two new hires through their first releases with patience.",
    "Pushed back on scope creep in the billing project and kept the launch date.",
    "Tests for the payments service are flaky; he has not prioritised fixing them.",
)


# --- the organisation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A person and their API key's Authorization header."""

    id: str
    auth: dict[str, str]


@dataclass(frozen=True)
class Team:
    manager: Member
    engineers: tuple[Member, ...]


@dataclass(frozen=True)
class Org:
    period_id: str
    teams: tuple[Team, ...]
    hr: dict[str, str]

    @property
    def everyone(self) -> list[str]:
        return [m.id for t in self.teams for m in (t.manager, *t.engineers)]


def _person(db: Session, email: str, name: str, **extra: Any) -> str:
    data = PersonCreate(email=email, name=name, start_date=date(2024, 1, 8), **extra)
    person = people.create(db_session=db, principal=Principal.system(), data=data)
    db.flush()
    return str(person.id)


def _key(db: Session, role: Role, person_id: str | None = None) -> dict[str, str]:
    new = create_key(
        db_session=db,
        principal=Principal.system(),
        role=role,
        person_id=uuid.UUID(person_id) if person_id else None,
    )
    return {"Authorization": f"Bearer {new.token}"}


def seed_org(engine: Engine) -> Org:
    """People, a period in review and keys, through the services (no feedback yet)."""
    with transaction(session_factory(engine)) as db:
        director = _person(
            db, "director@load.test", "Dana Director", level="director", track=Track.MANAGEMENT
        )
        teams = []
        for t in range(TEAMS):
            manager = _person(
                db,
                f"manager{t}@load.test",
                f"Manager {t}",
                manager=director,
                level="em",
                track=Track.MANAGEMENT,
            )
            engineers = tuple(
                Member(id=e, auth=_key(db, Role.ENGINEER, e))
                for e in (
                    _person(db, f"e{t}.{i}@load.test", f"Engineer {t}.{i}", manager=manager)
                    for i in range(TEAM_SIZE)
                )
            )
            teams.append(Team(Member(manager, _key(db, Role.MANAGER, manager)), engineers))
        period = review_period()
        db.add(period)
        db.flush()
        return Org(str(period.id), tuple(teams), _key(db, Role.HR))


# --- the request mix -------------------------------------------------------------------------


@dataclass
class Client:
    """One simulated user session: a random team, a random member of it, and a counter."""

    org: Org
    rng: random.Random
    tag: str
    sent: int = 0

    def team(self) -> Team:
        return self.rng.choice(self.org.teams)

    def next_tag(self) -> str:
        """Unique to this request in the run: its idempotency key, and in what it writes."""
        self.sent += 1
        return f"{self.tag}-{self.sent}"

    def __call__(self) -> tuple[str, Request]:
        """The next request, drawn from `MIX` by weight."""
        name, _, build = self.rng.choices(MIX, [weight for _, weight, _ in MIX])[0]
        return name, build(self)


def list_people(c: Client) -> Request:
    return ("GET", "/v1/people?limit=50", None, c.rng.choice(c.team().engineers).auth)


def get_person(c: Client) -> Request:
    who = c.rng.choice(c.org.everyone)
    return ("GET", f"/v1/people/{who}", None, c.rng.choice(c.team().engineers).auth)


def list_feedback(c: Client) -> Request:
    team = c.team()
    subject = c.rng.choice(team.engineers).id
    return ("GET", f"/v1/feedback?subject_id={subject}&limit=50", None, team.manager.auth)


def list_drafts(c: Client) -> Request:
    return ("GET", "/v1/drafts?limit=20", None, c.team().manager.auth)


def person_themes(c: Client) -> Request:
    team = c.team()
    path = f"/v1/people/{c.rng.choice(team.engineers).id}/themes?period_id={c.org.period_id}"
    return ("GET", path, None, team.manager.auth)


def post_feedback(c: Client) -> Request:
    author, subject = c.rng.sample(c.team().engineers, 2)
    tag = c.next_tag()
    body = {
        "period_id": c.org.period_id,
        "subject_id": subject.id,
        "relationship": "peer",
        "text": f"{tag}: {c.rng.choice(SENTENCES)}",
    }
    return ("POST", "/v1/feedback", body, {**author.auth, "Idempotency-Key": tag})


def post_person(c: Client) -> Request:
    tag = c.next_tag()
    body = {
        "email": f"{tag}@load.test",
        "name": "New Hire",
        "manager": c.team().manager.id,
        "level": "junior",
        "start_date": "2026-09-01",
    }
    return ("POST", "/v1/people", body, {**c.org.hr, "Idempotency-Key": tag})


# (name, weight, request builder): 70% reads, 30% writes, each with the key that would make it.
MIX: tuple[tuple[str, int, Callable[[Client], Request]], ...] = (
    ("GET people (engineer)", 20, list_people),
    ("GET person (engineer)", 15, get_person),
    ("GET feedback (manager)", 15, list_feedback),
    ("GET drafts (manager)", 10, list_drafts),
    ("GET person themes (manager)", 10, person_themes),
    ("POST feedback (engineer)", 25, post_feedback),
    ("POST people (hr)", 5, post_person),
)

# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """The API under test: `synth serve`, or with `processes` > 1 uvicorn's own workers on
    `create_app` plus a `synth worker` (what a multi-process deployment would run)."""

    procs: list[subprocess.Popen[bytes]]
    log: Path

    @classmethod
    def start(cls, data_dir: Path, port: int, log: Path, *, worker: bool, processes: int) -> Self:
        synth = shutil.which("synth")
        if synth is None:
            raise SystemExit("the synth console script is not installed (pip install -e .)")
        env = {k: v for k, v in os.environ.items() if k != "SYNTH_DATABASE_URL"}
        env |= {"SYNTH_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
        env |= {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}
        commands = [[synth, "serve", "--port", str(port), *([] if worker else ["--no-worker"])]]
        if processes > 1:
            uvicorn = [sys.executable, "-m", "uvicorn", "--factory", "synth.api.app:create_app"]
            commands = [[*uvicorn, "--port", str(port), "--workers", str(processes)]]
            commands += [[synth, "worker"]] if worker else []
        with log.open("wb") as out:
            procs = [
                subprocess.Popen(c, env=env, stdout=out, stderr=subprocess.STDOUT) for c in commands
            ]
        return cls(procs, log)

    def tail(self, lines: int = 60) -> str:
        """The end of its log without the access lines: what it said about a failure."""
        said = self.log.read_text(errors="replace").splitlines()
        return "\n".join([line for line in said if " HTTP/1.1" not in line][-lines:])

    @property
    def pids(self) -> list[int]:
        return [proc.pid for proc in self.procs]

    def poll(self) -> int | None:
        """None while every process runs, else the exit code of one that stopped."""
        codes = [proc.poll() for proc in self.procs]
        return next((code for code in codes if code is not None), None)

    def stop(self) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            proc.wait(timeout=60)


def wait_for(what: str, condition: Callable[[], bool], timeout: float, server: Server) -> float:
    """Poll `condition` until it holds; seconds taken. Exits if the server died or timed out."""
    started = time.monotonic()
    while not condition():
        if server.poll() is not None:
            raise SystemExit(f"the server exited while waiting for {what}:\n{server.tail()}")
        if time.monotonic() - started > timeout:
            raise SystemExit(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - started


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def settled(engine: Engine, drafts: int) -> bool:
    """Every feedback split and embedded, and `drafts` drafts ready for review."""
    with transaction(session_factory(engine)) as db:
        unsplit = db.scalar(
            select(func.count())
            .select_from(PeerFeedback)
            .where(~exists().where(Statement.feedback_id == PeerFeedback.id))
        )
        ready = db.scalar(select(func.count()).where(Draft.status == DraftStatus.READY_FOR_REVIEW))
        return unsplit == 0 and pending_count(db, get_embedder().name) == 0 and ready == drafts


def seed_through_api(base_url: str, org: Org) -> int:
    """Four peers' feedback on every engineer and a synthesis request for two per team;
    returns the number of drafts requested."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        rng = random.Random(7)
        for team in org.teams:
            for i, subject in enumerate(team.engineers):
                for k in range(1, 5):
                    author = team.engineers[(i + k) % len(team.engineers)]
                    body = {
                        "period_id": org.period_id,
                        "subject_id": subject.id,
                        "relationship": "peer",
                        "text": f"Seed {k}: {rng.choice(SENTENCES)}",
                    }
                    response = http.post("/v1/feedback", json=body, headers=author.auth)
                    response.raise_for_status()
            for subject in team.engineers[:2]:
                body = {"kind": "synthesis", "subject_id": subject.id, "period_id": org.period_id}
                response = http.post("/v1/drafts", json=body, headers=team.manager.auth)
                response.raise_for_status()
    return 2 * len(org.teams)


def postmaster_pid(data_dir: Path) -> int | None:
    try:
        first = (data_dir / "pgdata" / "postmaster.pid").read_text().split("\n", 1)[0]
    except OSError:
        return None
    return int(first) if first.strip().isdigit() else None


def profile(serve_pid: int, out: Path, seconds: float) -> list[subprocess.Popen[bytes]]:
    """py-spy recording the server for `seconds` twice over, in collapsed-stack files: every
    thread not idle (`out`), and only the thread holding the GIL (`*-gil.txt`: Python's CPU;
    torch's kernels run without the GIL, so the embedder shows in the first file only)."""
    spy = shutil.which("py-spy")
    if spy is None:
        print("py-spy not installed: no profile")
        return []
    args = [spy, "record", "--pid", str(serve_pid), "--duration", str(int(seconds))]
    args += ["--format", "raw", "--nonblocking", "--subprocesses"]
    gil = out.with_name(f"{out.stem}-gil{out.suffix}")
    return [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for command in ([*args, "--output", str(out)], [*args, "--gil", "--output", str(gil)])
    ]


def data_size(engine: Engine) -> str:
    """How much there is to read: each level adds people and feedback for the next."""
    with transaction(session_factory(engine)) as db:
        counts = [
            db.scalar(select(func.count()).select_from(table)) or 0
            for table in (Person, PeerFeedback, Statement)
        ]
    return "{} people, {} pieces of feedback, {} statements".format(*counts)


def sessions(engine: Engine) -> int:
    """Connections PostgreSQL has accepted so far, on every database."""
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT sum(sessions) FROM pg_stat_database")) or 0)


def run(args: argparse.Namespace, level_clients: Sequence[int], first: int) -> list[Level]:
    """Seed a fresh data dir, start the server and run `level_clients` in turn on it."""
    levels: list[Level] = []
    with tempfile.TemporaryDirectory(prefix="synth-load-") as tmp:
        data_dir = Path(tmp) / "data"
        engine = make_engine(embedded_url(data_dir))
        server: Server | None = None
        try:
            prepare(engine)
            org = seed_org(engine)
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            server = Server.start(
                data_dir,
                port,
                Path(tmp) / "serve.log",
                worker=not args.no_worker,
                processes=args.processes,
            )
            took = wait_for(
                "serve", lambda: answers(f"{base_url}/healthz"), START_TIMEOUT_S, server
            )
            print(f"\nserver (pids {server.pids}) answering after {took:.1f} s")
            drafts = seed_through_api(base_url, org)
            if not args.no_worker:
                took = wait_for(
                    "seed embedded", lambda: settled(engine, drafts), SETTLE_TIMEOUT_S, server
                )
                print(f"seed feedback embedded and {drafts} drafts ready after {took:.1f} s")
            for number, clients in enumerate(level_clients, start=first):
                spies = []
                if args.py_spy is not None:
                    args.py_spy.mkdir(parents=True, exist_ok=True)
                    out = args.py_spy / f"serve-{number}-{clients}.txt"
                    spies = profile(server.pids[0], out, args.warmup + args.duration)
                # Tags differ per level: the same words from the same author are a duplicate.
                users = [
                    Client(org, random.Random(1_000 * number + n), f"L{number}.c{n}")
                    for n in range(clients)
                ]
                size, opened = data_size(engine), sessions(engine)
                level = asyncio.run(
                    run_level(
                        base_url,
                        users,
                        warmup=args.warmup,
                        duration=args.duration,
                        meter=partial(cpu_now, server.pids, postmaster_pid(data_dir)),
                    )
                )
                opened = sessions(engine) - opened  # this process reuses a pooled connection
                for spy in spies:
                    spy.wait(timeout=120)
                print_level(level, [name for name, _, _ in MIX])
                print(f"  at the start: {size}; PostgreSQL connections opened: {opened}")
                levels.append(level)
                if not args.no_worker:
                    took = wait_for(
                        "queue drained", lambda: settled(engine, drafts), SETTLE_TIMEOUT_S, server
                    )
                    print(f"  the worker's embedding backlog drained {took:.1f} s after the level")
        finally:
            if server is not None:
                server.stop()
            engine.dispose()
            stop_embedded()
            if server is not None and any(level.unexpected for level in levels):
                print(f"\n--- the end of the server's log, access lines left out\n{server.tail()}")
    return levels


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds a level")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds first")
    parser.add_argument(
        "--fresh", action="store_true", help="each level on a freshly seeded data dir and server"
    )
    parser.add_argument("--no-worker", action="store_true", help="no embedding worker at all")
    parser.add_argument(
        "--processes", type=int, default=1, help="N > 1: uvicorn --workers N and a synth worker"
    )
    parser.add_argument("--py-spy", type=Path, default=None, help="write raw profiles here")
    args = parser.parse_args()
    if not args.fresh:
        return summarise(run(args, args.levels, 1))
    levels: list[Level] = []
    for number, clients in enumerate(args.levels, start=1):
        levels += run(args, [clients], number)
    return summarise(levels)


def summarise(levels: list[Level]) -> int:
    print(f"\nbar: {TARGET_RPS:.0f} req/s (3x the {BASELINE_RPS:.0f} req/s measured at 20 clients)")
    for level in levels:
        verdict = "meets" if level.ok_rps >= TARGET_RPS else "below"
        print(f"  {level.clients} clients: {level.ok_rps:.1f} 2xx/s, {verdict} the bar")
    first = levels[0] if levels else None
    for level in levels[1:]:
        if first is not None and first.ok_rps:
            ratio = level.ok_rps / first.ok_rps
            print(
                f"  {level.clients}-client / first {first.clients}-client throughput: {ratio:.2f}"
            )
    failures = sum(len(level.unexpected) for level in levels)
    if failures:
        print(f"\n!!! FAIL: {failures} responses outside {sorted(EXPECTED)} (listed above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
