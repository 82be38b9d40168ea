"""The embedded PostgreSQL stops when the last live synth process exits, however it exits.

Real `synth serve` / `synth worker` processes on fresh data dirs, stopped with real signals;
every wait polls against a deadline.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from synth.db.server import process_alive

START_TIMEOUT_S = 120.0  # first start runs initdb and the migrations
STOP_TIMEOUT_S = 30.0
WORKER_READY = "synth worker: embedding with"


class Synth:
    """One `synth` subprocess on a data dir, its output in a log file."""

    def __init__(self, args: list[str], synth_dir: Path, name: str) -> None:
        executable = shutil.which("synth")
        assert executable, "the synth console script is not installed"
        env = {k: v for k, v in os.environ.items() if k != "SYNTH_DATABASE_URL"}
        env |= {
            "SYNTH_DATA_DIR": str(synth_dir),
            "HF_HUB_OFFLINE": "1",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        }
        self.log = synth_dir.parent / f"{name}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [executable, *args],
                cwd=synth_dir.parent,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # signals for pytest's group never reach it
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def signal(self, signum: signal.Signals) -> None:
        self.proc.send_signal(signum)

    def exits(self) -> int:
        """Wait for the process to exit on its own; its return code."""
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"pid {self.pid} still running {STOP_TIMEOUT_S}s later:\n{self.output()}")


def wait_until(condition: Callable[[], bool], timeout: float, what: str, *watch: Synth) -> None:
    """Poll `condition` until it holds; fail at the deadline or if a watched process dies."""
    deadline = time.monotonic() + timeout
    while not condition():
        for synth in watch:
            if synth.proc.poll() is not None:
                pytest.fail(f"{what}: pid {synth.pid} exited early:\n{synth.output()}")
        if time.monotonic() > deadline:
            logs = "\n".join(s.output() for s in watch)
            pytest.fail(f"{what}: not within {timeout}s\n{logs}")
        time.sleep(0.1)


def postmaster_pid(synth_dir: Path) -> int | None:
    """The postmaster's PID from pgdata/postmaster.pid, or None when there is no such file."""
    try:
        first = (synth_dir / "pgdata" / "postmaster.pid").read_text().split("\n", 1)[0]
    except FileNotFoundError:
        return None
    return int(first) if first.strip().isdigit() else None


def handles(synth_dir: Path) -> list[int]:
    """pgserver's list of the PIDs holding the embedded server ([] while it is rewritten)."""
    try:
        value = json.loads((synth_dir / "pgdata" / ".handle_pids.json").read_text() or "[]")
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    return [int(pid) for pid in value]


def server_stopped(synth_dir: Path, postmaster: int) -> bool:
    return postmaster_pid(synth_dir) is None and not process_alive(postmaster)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def serve_answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code < 500
    except httpx.HTTPError:
        return False


@pytest.fixture
def synth_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh data dir; a postmaster a failed test left running on it is stopped."""
    path = tmp_path / "data"
    path.mkdir()
    yield path
    leftover = postmaster_pid(path)
    if leftover is not None and process_alive(leftover):
        os.kill(leftover, signal.SIGINT)  # fast shutdown: this test's own server only


@pytest.fixture
def spawn(synth_dir: Path) -> Iterator[Callable[..., Synth]]:
    """Start synth subprocesses on the test's data dir; any still running are killed after."""
    started: list[Synth] = []

    def start(*args: str) -> Synth:
        synth = Synth(list(args), synth_dir, name=f"synth-{len(started)}")
        started.append(synth)
        return synth

    yield start
    for synth in started:
        if synth.proc.poll() is None:
            synth.proc.kill()
            synth.proc.wait(timeout=STOP_TIMEOUT_S)


def start_workers(spawn: Callable[..., Synth], synth_dir: Path, count: int = 1) -> list[Synth]:
    """`count` workers started together, returned once each holds a handle and is polling."""
    workers = [spawn("worker", "--poll-seconds", "30") for _ in range(count)]
    wait_until(
        lambda: all(WORKER_READY in w.output() and w.pid in handles(synth_dir) for w in workers),
        START_TIMEOUT_S,
        "workers ready",
        *workers,
    )
    return workers


def running_postmaster(synth_dir: Path) -> int:
    pid = postmaster_pid(synth_dir)
    assert pid is not None and process_alive(pid)
    return pid


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_serve_stopped_by_a_signal_stops_the_embedded_server(
    spawn: Callable[..., Synth], synth_dir: Path, signum: signal.Signals
) -> None:
    port = free_port()
    serve = spawn("serve", "--port", str(port))
    wait_until(lambda: serve_answers(port), START_TIMEOUT_S, "serve answering", serve)
    postmaster = running_postmaster(synth_dir)

    serve.signal(signum)

    # A negative code means the signal killed it before any cleanup could run.
    assert serve.exits() >= 0, serve.output()
    wait_until(lambda: server_stopped(synth_dir, postmaster), STOP_TIMEOUT_S, "postmaster gone")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_worker_stopped_by_a_signal_stops_the_embedded_server(
    spawn: Callable[..., Synth], synth_dir: Path, signum: signal.Signals
) -> None:
    (worker,) = start_workers(spawn, synth_dir)
    postmaster = running_postmaster(synth_dir)

    worker.signal(signum)

    assert worker.exits() >= 0, worker.output()
    wait_until(lambda: server_stopped(synth_dir, postmaster), STOP_TIMEOUT_S, "postmaster gone")


def test_last_live_worker_stops_the_server_after_a_sibling_was_killed(
    spawn: Callable[..., Synth], synth_dir: Path
) -> None:
    killed, survivor = start_workers(spawn, synth_dir, count=2)
    postmaster = running_postmaster(synth_dir)
    assert sorted(handles(synth_dir)) == sorted([killed.pid, survivor.pid])

    killed.signal(signal.SIGKILL)
    killed.exits()  # reaped, so its PID is really gone rather than a zombie
    assert process_alive(postmaster), "the survivor still needs the server"
    survivor.signal(signal.SIGTERM)

    assert survivor.exits() >= 0, survivor.output()
    wait_until(lambda: server_stopped(synth_dir, postmaster), STOP_TIMEOUT_S, "postmaster gone")
    assert handles(synth_dir) == []


def test_attaching_process_forgets_the_handles_of_dead_ones(
    spawn: Callable[..., Synth], synth_dir: Path
) -> None:
    (crashed,) = start_workers(spawn, synth_dir)
    crashed.signal(signal.SIGKILL)
    crashed.exits()
    postmaster = running_postmaster(synth_dir)  # orphaned: nobody left to stop it

    (worker,) = start_workers(spawn, synth_dir)

    assert handles(synth_dir) == [worker.pid]
    assert postmaster_pid(synth_dir) == postmaster, "the running server was joined, not restarted"
    worker.signal(signal.SIGTERM)
    assert worker.exits() >= 0, worker.output()
    wait_until(lambda: server_stopped(synth_dir, postmaster), STOP_TIMEOUT_S, "postmaster gone")
