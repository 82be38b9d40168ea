"""Drafting throughput: N queued drafts, a simulated model with a fixed latency, P worker
processes at concurrency C each, against the ideal N x latency / (P x C).

Every job is real apart from the model: claimed with SKIP LOCKED under a fenced lease,
inputs gathered (themes clustered from pgvector), guards run (MiniLM claim support) and the
result stored and audited. So the overhead per job it reports is the work synth does around
a model call, and on a 2-core machine that CPU work, not the queue, is what bounds
throughput once P x C calls overlap. It checks that every draft ends ready exactly once.

    python -m evals.bench_drafting [--drafts 200] [--processes 2] [--concurrency 16]
"""

import argparse
import logging
import multiprocessing as mp
import statistics
import sys
import time
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from evals.benchdb import engineer, review_period, scratch_engine
from synth.auth.principal import Principal
from synth.cycles.feedback import content_hash
from synth.cycles.models import PeerFeedback, Relationship
from synth.db.engine import make_engine, session_factory, transaction
from synth.drafting import service
from synth.drafting.base import Drafted
from synth.drafting.inputs import SynthesisInputs
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.drafting.offline import OfflineDrafter
from synth.drafting.outputs import Synthesis
from synth.drafting.schemas import DraftRequest
from synth.themes.embedders import LocalEmbedder
from synth.themes.ingest import ingest
from synth.workflow.worker import drain_drafts

TEXTS = (
    "Her code reviews are thorough and catch real bugs before release.",
    "Code reviews from her are careful and detailed; she found a race in the ledger.",
    "She reviews pull requests thoroughly and finds defects early.",
)


class SimulatedModel(OfflineDrafter):
    """The offline drafter's output after a fixed wait, as a hosted model would answer."""

    name = "simulated-model"

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency

    def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
        time.sleep(self.latency)
        return super().synthesis(inputs)


def seed(engine: Engine, drafts: int) -> None:
    """`drafts` engineers with three reviewers each, and a queued synthesis for each."""
    factory = session_factory(engine)
    with transaction(factory) as db:
        manager = engineer("manager@bench.test", "Bench Manager", level="em")
        reviewers = [engineer(f"r{i}@bench.test", f"Reviewer {i}") for i in range(3)]
        period = review_period()
        db.add_all([manager, *reviewers, period])
        db.flush()
        subjects = [engineer(f"e{i}@bench.test", f"Engineer {i}") for i in range(drafts)]
        for subject in subjects:
            subject.manager_id = manager.id
        db.add_all(subjects)
        db.flush()
        for subject in subjects:
            for reviewer, text in zip(reviewers, TEXTS, strict=True):
                db.add(
                    PeerFeedback(
                        period_id=period.id,
                        subject_id=subject.id,
                        author_id=reviewer.id,
                        relationship=Relationship.PEER,
                        text=text,
                        content_hash=content_hash(f"{subject.email}:{text}"),
                        expectation_answers=[],
                    )
                )
        db.flush()
        for subject in subjects:
            service.request(
                db_session=db,
                principal=Principal.system(),
                data=DraftRequest(
                    kind=DraftKind.SYNTHESIS, subject_id=subject.id, period_id=period.id
                ),
                drafter=SimulatedModel.name,
            )
    ingest(factory, LocalEmbedder())


@dataclass(frozen=True)
class Job:
    url: str
    latency: float
    concurrency: int


class Stages(logging.Handler):
    """Collects the per-stage timings each finished job logs (`stages_ms`)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.jobs: list[dict[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        stages = getattr(record, "stages_ms", None)
        if isinstance(stages, dict):
            self.jobs.append(stages)


def work(
    job: Job,
    ready: "mp.synchronize.Barrier",
    done: "mp.queues.Queue[tuple[int, list[dict[str, float]]]]",
) -> None:
    """One worker process: warm up, wait for the others, drain the queue."""
    engine = make_engine(job.url)
    embedder = LocalEmbedder()
    embedder.embed(["warm up"])
    stages = Stages()
    jobs_log = logging.getLogger("synth.drafting")
    jobs_log.addHandler(stages)
    jobs_log.setLevel(logging.DEBUG)
    jobs_log.propagate = False
    ready.wait()
    drafted = drain_drafts(
        session_factory(engine), SimulatedModel(job.latency), embedder, job.concurrency
    )
    done.put((drafted, stages.jobs))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=200)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    with scratch_engine() as engine:
        seed(engine, args.drafts)
        url = engine.url.render_as_string(hide_password=False)
        ctx = mp.get_context("spawn")
        ready = ctx.Barrier(args.processes + 1)
        done: mp.queues.Queue[tuple[int, list[dict[str, float]]]] = ctx.Queue()
        job = Job(url, args.latency, args.concurrency)
        procs = [ctx.Process(target=work, args=(job, ready, done)) for _ in range(args.processes)]
        for p in procs:
            p.start()
        ready.wait()
        started = time.perf_counter()
        results = [done.get(timeout=3600) for _ in procs]
        counted = sum(n for n, _ in results)
        timings = [job for _, jobs in results for job in jobs]
        wall = time.perf_counter() - started
        for p in procs:
            p.join()
        with transaction(session_factory(engine)) as db:
            ready_once = db.scalar(
                select(func.count())
                .select_from(Draft)
                .where(Draft.status == DraftStatus.READY_FOR_REVIEW, Draft.attempts == 1)
            )
    slots = args.processes * args.concurrency
    ideal = args.drafts * args.latency / slots
    overhead = wall * slots / args.drafts - args.latency
    print(
        f"{args.drafts} drafts, {args.processes} processes x {args.concurrency} concurrent, "
        f"model latency {args.latency * 1000:.0f} ms"
    )
    print(f"wall {wall:.1f} s, ideal {ideal:.1f} s: {wall / ideal:.2f}x the ideal")
    print(
        f"throughput {args.drafts / wall:.1f} drafts/s; work around each model call "
        f"{overhead * 1000:.0f} ms of slot time"
    )
    print(f"processed {counted}, ready after exactly one attempt: {ready_once}")
    if timings:
        means = {k: statistics.fmean(t.get(k, 0.0) for t in timings) for k in timings[0]}
        print(
            "per job, mean ms: "
            + ", ".join(f"{k} {v:.0f}" for k, v in means.items())
            + f" (queue overhead, claim: {means.get('claim', 0):.1f} ms)"
        )
    return 0 if counted == args.drafts == ready_once else 1


if __name__ == "__main__":
    sys.exit(main())
