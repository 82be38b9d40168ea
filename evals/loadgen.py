"""Closed-loop HTTP load for `bench_load`: clients, samples, percentiles and CPU accounting.

Every client keeps one request in flight; after a 503 it waits Retry-After, as the README
asks of clients. Samples count when they finish inside the measured window (after the
warm-up); anything but 200, 201 or 503, and every transport error, is kept as `unexpected`
whether or not it fell in the window. CPU is read from procfs (Linux) at both ends of the
window: the server process, the PostgreSQL postmaster and its children, this process and the
whole machine, so a run on a shared machine says how much of it was someone else's.
"""

import asyncio
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

EXPECTED = frozenset({200, 201, 503})
Request = tuple[str, str, dict[str, Any] | None, dict[str, str]]  # method, path, body, headers
NextRequest = Callable[[], tuple[str, Request]]  # one client's next (action name, request)
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Sample:
    action: str
    status: int | str  # an int from the server, or the name of a transport error
    seconds: float


@dataclass(frozen=True)
class Cpu:
    """CPU seconds used so far by the server, PostgreSQL, this client and the machine."""

    serve: float
    postgres: float
    client: float
    machine: float
    at: float

    def __sub__(self, other: "Cpu") -> "Cpu":
        return Cpu(
            self.serve - other.serve,
            self.postgres - other.postgres,
            self.client - other.client,
            self.machine - other.machine,
            self.at - other.at,
        )


def _stat_fields(pid: int | str) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:  # gone, or no procfs
        return None


def _process_cpu(pid: int, *, reaped: bool = False) -> float:
    """utime + stime of `pid`; with `reaped`, also that of its children that have exited."""
    fields = _stat_fields(pid)
    if not fields:
        return 0.0
    return sum(int(fields[i]) for i in ((11, 12, 13, 14) if reaped else (11, 12))) / TICKS


def _children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        if fields := _stat_fields(stat.parent.name):
            found.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return found


def _tree(root: int, children: dict[int, list[int]]) -> list[int]:
    """`root` and every process below it."""
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def cpu_now(server_pids: Sequence[int], postmaster: int | None) -> Cpu:
    """A reading of every CPU counter `Cpu` keeps. The server is `server_pids` and all their
    descendants; PostgreSQL is the postmaster, its live children and those it has reaped
    (a backend closed by the pool takes its CPU time into the postmaster's account)."""
    try:
        busy = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        machine = (sum(map(int, busy)) - int(busy[3]) - int(busy[4])) / TICKS  # not idle, iowait
    except OSError:
        machine = 0.0
    children = _children()
    serve = sum(_process_cpu(pid) for root in server_pids for pid in _tree(root, children))
    pg = 0.0
    if postmaster:
        pg = _process_cpu(postmaster, reaped=True)
        pg += sum(_process_cpu(pid) for pid in children.get(postmaster, []))
    return Cpu(serve, pg, time.process_time(), machine, time.monotonic())


@dataclass
class Level:
    """One concurrency level's results."""

    clients: int
    window_s: float
    samples: list[Sample] = field(default_factory=list)  # those that ended in the window
    unexpected: list[str] = field(default_factory=list)  # every one, warm-up included
    cpu: Cpu | None = None  # used during the measured window

    @property
    def statuses(self) -> Counter[int | str]:
        return Counter(s.status for s in self.samples)

    @property
    def rps(self) -> float:
        return len(self.samples) / self.window_s

    @property
    def ok_rps(self) -> float:
        ok = sum(isinstance(s.status, int) and s.status < 300 for s in self.samples)
        return ok / self.window_s


def percentiles(seconds: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds (zeros when there is nothing to rank)."""
    if len(seconds) < 2:
        return (seconds[0] * 1000,) * 3 if seconds else (0.0, 0.0, 0.0)
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


async def run_level(
    base_url: str,
    clients: Sequence[NextRequest],
    *,
    warmup: float,
    duration: float,
    meter: Callable[[], Cpu],
) -> Level:
    """Run every client for `warmup` + `duration` seconds; what the measured window saw."""
    level = Level(clients=len(clients), window_s=duration)
    loop = asyncio.get_running_loop()
    start = loop.time()
    window = (start + warmup, start + warmup + duration)

    async def one_client(next_request: NextRequest, http: httpx.AsyncClient) -> None:
        while loop.time() < window[1]:
            action, (method, path, body, headers) = next_request()
            sent = loop.time()
            status: int | str
            wait = 0.0
            try:
                response = await http.request(method, path, json=body, headers=headers)
                status = response.status_code
                if status == 503:
                    wait = float(response.headers.get("Retry-After", "1"))
                if status not in EXPECTED:
                    level.unexpected.append(f"{action} {path}: {status} {response.text[:300]}")
            except httpx.HTTPError as exc:
                status = type(exc).__name__
                level.unexpected.append(f"{action} {path}: {status} {exc!r}")
            done = loop.time()
            if window[0] <= done <= window[1]:
                level.samples.append(Sample(action, status, done - sent))
            if wait:
                await asyncio.sleep(min(wait, max(0.0, window[1] - loop.time())))

    async def metered() -> None:
        await asyncio.sleep(warmup)
        first = meter()
        await asyncio.sleep(duration)
        level.cpu = meter() - first

    n = len(clients)
    # uvicorn closes a connection idle for 5 s; httpx keeps one for 5 s by default, and a
    # request sent on it as the server closes it fails with ReadError. Expire idle ones first.
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as http:
        await asyncio.gather(metered(), *(one_client(c, http) for c in clients))
    return level


def print_level(level: Level, actions: Sequence[str]) -> None:
    """The level's totals, CPU and a line per action; unexpected answers loudly."""
    p50, p95, p99 = percentiles([s.seconds for s in level.samples])
    codes = ", ".join(f"{k}: {v}" for k, v in sorted(level.statuses.items(), key=str))
    print(
        f"\n{level.clients} clients, {level.window_s:.0f} s: {len(level.samples)} requests, "
        f"{level.rps:.1f} req/s ({level.ok_rps:.1f} 2xx/s); "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms; status {{{codes}}}"
    )
    if level.cpu is not None and level.samples:
        c, n = level.cpu, len(level.samples)
        print(
            f"  CPU over the window ({os.cpu_count()} cores): server {c.serve / c.at:.0%} "
            f"({c.serve / n * 1000:.1f} ms/request), PostgreSQL {c.postgres / c.at:.0%} "
            f"({c.postgres / n * 1000:.1f} ms/request), this client {c.client / c.at:.0%}, "
            f"whole machine {c.machine / c.at:.0%}"
        )
    print(f"  {'action':<30} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for name in actions:
        mine = [s for s in level.samples if s.action == name]
        a50, a95, a99 = percentiles([s.seconds for s in mine])
        counts = dict(Counter(s.status for s in mine))
        print(f"  {name:<30} {len(mine):>6} {a50:>8.0f} {a95:>8.0f} {a99:>8.0f}  {counts}")
    if level.unexpected:
        print(f"\n!!! {len(level.unexpected)} UNEXPECTED RESPONSES (500s, transport errors)")
        for line in level.unexpected[:20]:
            print(f"!!!   {line}")
