"""The eval suite: every case through a drafter, every evaluator on it, a gate on the means.

`run_suite` stores the cases in a scratch database of their own (`synth_eval`, recreated each
run), runs them as a pydantic-evals `Dataset` (one task per case: store, embed, draft each
kind, approve and release as the manager would, and again with the engineer's name and
pronouns swapped), and averages each score over the cases that have something to measure.
`gate` holds the means to their floors and to a baseline run; `save_run` keeps the run and
its per-case results (drafts included) in the team's database for the dashboard.
"""

import json
import subprocess
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_core import to_jsonable_python
from pydantic_evals import Case as EvalCase
from pydantic_evals import Dataset
from pydantic_evals.evaluators import Evaluator
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from synth.bootstrap import prepare
from synth.db.base import utcnow
from synth.db.engine import make_engine, recreate_database, session_factory, transaction
from synth.drafting.base import Drafter
from synth.errors import InvalidInput, NotFound
from synth.evaluation.cases import Case
from synth.evaluation.evaluators import evaluators
from synth.evaluation.evaluators.scoring import minilm
from synth.evaluation.metrics import METRIC, METRICS
from synth.evaluation.models import EvalCaseResult, EvalRun
from synth.evaluation.runner import CaseRun, run_case
from synth.evaluation.swap import swapped
from synth.themes.embedders import Embedder

EVAL_DATABASE = "synth_eval"
BASELINE = Path("evals") / "baseline.json"


@dataclass
class CaseResult:
    case_id: str
    tags: list[str]
    scores: dict[str, float]
    run: CaseRun | None
    error: str | None = None


@dataclass
class GateFailure:
    metric: str
    value: float
    limit: float
    reason: str


@dataclass
class Report:
    drafter: str
    results: list[CaseResult]
    summary: dict[str, float] = field(default_factory=dict)
    measured: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, drafter: str, results: list[CaseResult]) -> "Report":
        report = cls(drafter, results)
        for metric in METRICS:
            values = [r.scores[metric.name] for r in results if metric.name in r.scores]
            if values:
                report.summary[metric.name] = sum(values) / len(values)
                report.measured[metric.name] = len(values)
        report.summary["cases_failed"] = float(sum(r.error is not None for r in results))
        report.measured["cases_failed"] = len(results)
        return report

    @property
    def models(self) -> list[str]:
        return sorted(
            {d.model for r in self.results if r.run for d in r.run.drafts.values() if d.model}
        )

    @property
    def prompt_versions(self) -> dict[str, str]:
        return {
            kind.value: d.prompt_version
            for r in self.results
            if r.run
            for kind, d in r.run.drafts.items()
            if d.prompt_version
        }


def run_suite(
    cases: Sequence[Case],
    drafter: Drafter,
    embedder: Embedder,
    *,
    parity: bool = True,
    progress: bool = True,
    extra: Sequence[Evaluator[Case, CaseRun, Any]] = (),
) -> Report:
    """Run every case with `drafter` on a freshly made scratch database; `extra` evaluators
    (the LLM judge) run beside the deterministic ones."""
    engine = make_engine(recreate_database(EVAL_DATABASE))
    try:
        prepare(engine)
        factory = session_factory(engine)

        def task(case: Case) -> CaseRun:
            run = run_case(factory, case, drafter, embedder)
            if parity:
                run.swapped = run_case(factory, swapped(case), drafter, embedder)
            return run

        dataset = Dataset[Case, CaseRun, Any](
            name="synth",
            cases=[EvalCase(name=c.id, inputs=c, metadata={"tags": c.tags}) for c in cases],
            evaluators=[*evaluators(embedder.embed if embedder.local else minilm), *extra],
        )
        evaluated = dataset.evaluate_sync(
            task, name=f"synth eval ({drafter.name})", max_concurrency=1, progress=progress
        )
    finally:
        engine.dispose()
    tags = {c.id: c.tags for c in cases}
    results = [
        CaseResult(
            case_id=c.name,
            tags=tags[c.name],
            scores={k: float(v.value) for k, v in c.scores.items()},
            run=c.output,
            error=(
                "; ".join(f"{f.name}: {f.error_message}" for f in c.evaluator_failures)
                if c.evaluator_failures
                else None
            ),
        )
        for c in evaluated.cases
    ]
    results += [
        CaseResult(case_id=f.name, tags=tags[f.name], scores={}, run=None, error=f.error_message)
        for f in evaluated.failures
    ]
    return Report.of(drafter.name, sorted(results, key=lambda r: r.case_id))


def gate(report: Report, baseline: dict[str, float] | None) -> list[GateFailure]:
    """Every metric below its floor, or worse than the baseline by more than its tolerance;
    any case that could not be run at all."""
    failures: list[GateFailure] = []
    if report.summary.get("cases_failed", 0) > 0:
        failures.append(
            GateFailure("cases_failed", report.summary["cases_failed"], 0, "cases did not run")
        )
    for name, value in report.summary.items():
        metric = METRIC.get(name)
        if metric is None:
            continue
        sign = 1 if metric.higher_is_better else -1
        if metric.floor is not None and sign * (value - metric.floor) < 0:
            failures.append(GateFailure(name, value, metric.floor, "beyond its floor"))
            continue
        if baseline is not None and name in baseline:
            limit = baseline[name] - sign * metric.tolerance
            if sign * (value - limit) < -1e-9:
                failures.append(
                    GateFailure(
                        name, value, limit, f"regressed from the baseline's {baseline[name]:.3f}"
                    )
                )
    return failures


def git_revision() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _drafts(run: CaseRun | None) -> dict[str, Any]:
    if run is None:
        return {}
    return {
        kind.value: {
            "status": d.status.value,
            "output": d.output.model_dump(mode="json") if d.output else None,
            "released": d.released,
            "release_refused": d.release_refused,
            "findings": d.findings,
            "usage": d.usage,
            "model": d.model,
            "prompt_version": d.prompt_version,
            "error": d.error,
        }
        for kind, d in run.drafts.items()
    }


def save_run(
    db: Session,
    report: Report,
    *,
    cases_dir: str,
    failures: list[GateFailure],
    baseline: str | None,
) -> EvalRun:
    """Keep the run and every case's scores and drafts."""
    run = EvalRun(
        drafter=report.drafter,
        models=report.models,
        prompt_versions=report.prompt_versions,
        git_revision=git_revision(),
        cases_dir=cases_dir,
        case_count=len(report.results),
        failed_cases=int(report.summary.get("cases_failed", 0)),
        summary=report.summary,
        gate=[to_jsonable_python(f) for f in failures],
        baseline=baseline,
        passed=not failures,
        finished_at=utcnow(),
    )
    db.add(run)
    db.flush()
    db.add_all(
        EvalCaseResult(
            run_id=run.id,
            case_id=r.case_id,
            tags=r.tags,
            scores=r.scores,
            drafts=_drafts(r.run),
            seconds=r.run.seconds if r.run else 0.0,
            error=r.error,
        )
        for r in report.results
    )
    return run


def load_baseline(reference: str, engine: Engine | None = None) -> dict[str, float]:
    """A baseline's metric means: a JSON file (`summary` as written by `baseline_json`), or
    the id of a stored run."""
    path = Path(reference)
    if path.suffix == ".json" or path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"baseline {reference}: {exc}", code="invalid_baseline") from exc
        summary = data.get("summary") if isinstance(data, dict) else None
        if not isinstance(summary, dict):
            raise InvalidInput(f"baseline {reference} has no summary", code="invalid_baseline")
        return {str(k): float(v) for k, v in summary.items()}
    try:
        run_id = uuid.UUID(reference)
    except ValueError:
        raise InvalidInput(
            f"baseline {reference!r} is neither a JSON file nor a run id", code="invalid_baseline"
        ) from None
    with transaction(session_factory(engine)) as db:
        summary = db.scalar(select(EvalRun.summary).where(EvalRun.id == run_id))
    if summary is None:
        raise NotFound(f"no eval run {run_id}", code="unknown_eval_run")
    return {str(k): float(v) for k, v in summary.items()}


def baseline_json(report: Report) -> str:
    """The committed baseline: the means of this run, rounded, with what produced them."""
    return (
        json.dumps(
            {
                "drafter": report.drafter,
                "prompt_versions": report.prompt_versions,
                "git_revision": git_revision(),
                "cases": len(report.results),
                "summary": {k: round(v, 4) for k, v in sorted(report.summary.items())},
            },
            indent=2,
        )
        + "\n"
    )
