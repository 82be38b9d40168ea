"""HR's eval dashboard: the runs over time, one run, two runs compared, one case drilled into.

Reads what `synth eval` kept (synth.evaluation.suite.save_run). Eval cases are synthetic
periods written for the suite, never anyone's real feedback, so a drill-down may show a
case's feedback and the drafts made of it. HR and admins only, like the rest of HR's
dashboard: `readable_runs` is the one place that says so.
"""

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.db.queries import visible_one
from synth.errors import NotFound
from synth.evaluation.cases import Case, CaseError, load_case
from synth.evaluation.metrics import METRIC, METRICS
from synth.evaluation.models import EvalCaseResult, EvalRun
from synth.guards.findings import Finding
from synth.text import walk

# What a case cost, not how good its drafts are: on scales of their own (tokens, dollars,
# seconds) they would swamp the quality scores when ranking the cases that changed most.
COSTS = frozenset({"input_tokens", "output_tokens", "cost_usd", "seconds"})
# The gate fails a run on any case that did not run (suite.gate): fewer is better.
CASES_FAILED = "cases_failed"
SAME = 1e-9


class Change(enum.StrEnum):
    BETTER = "better"
    WORSE = "worse"
    SAME = "same"


@dataclass(frozen=True)
class RunRow:
    """One eval run as the dashboard lists it."""

    id: uuid.UUID
    at: datetime
    drafter: str
    models: list[str]
    prompt_versions: dict[str, str]
    passed: bool | None
    case_count: int
    failed_cases: int
    summary: dict[str, float]

    @property
    def prompts(self) -> str:
        """The prompt versions in one phrase: one version, or each kind's."""
        versions = sorted(set(self.prompt_versions.values()))
        if len(versions) <= 1:
            return versions[0] if versions else "no prompt"
        return ", ".join(f"{k} {v}" for k, v in sorted(self.prompt_versions.items()))

    @property
    def group(self) -> str:
        """What a chart's line follows: the drafter (or model) and its prompt versions."""
        return f"{self.drafter} · {self.prompts}"

    @property
    def label(self) -> str:
        """Short and unique: the time and the start of the id."""
        return f"{self.at:%Y-%m-%d %H:%M} #{self.id.hex[:6]}"


@dataclass(frozen=True)
class Point:
    run_id: uuid.UUID
    x: str
    y: float


@dataclass(frozen=True)
class Series:
    """One line of a chart: the runs of one drafter and prompt version, oldest first."""

    group: str
    points: list[Point]


@dataclass(frozen=True)
class MetricSeries:
    """One evaluator's chart: a line per drafter and prompt version."""

    name: str
    description: str
    higher_is_better: bool
    series: list[Series]


@dataclass(frozen=True)
class Timeline:
    runs: list[RunRow]  # oldest first
    metrics: list[MetricSeries]


@dataclass(frozen=True)
class Score:
    name: str
    description: str
    value: float
    higher_is_better: bool | None
    floor: float | None


@dataclass(frozen=True)
class GateRow:
    metric: str
    value: float
    limit: float
    reason: str


@dataclass(frozen=True)
class CaseRow:
    case_id: str
    tags: list[str]
    scores: dict[str, float]
    seconds: float
    error: str | None


@dataclass(frozen=True)
class RunView:
    run: RunRow
    git_revision: str | None
    cases_dir: str
    baseline: str | None
    gate: list[GateRow]
    scores: list[Score]
    cases: list[CaseRow]


@dataclass(frozen=True)
class Delta:
    metric: str
    description: str
    a: float | None
    b: float | None
    delta: float | None
    change: Change | None  # None: measured in one run only, or no known direction


@dataclass(frozen=True)
class CaseDelta:
    """One case in both runs: its quality scores that moved, the biggest move first."""

    case_id: str
    deltas: list[Delta]
    better: int
    worse: int

    @property
    def biggest(self) -> float:
        return max((abs(d.delta or 0.0) for d in self.deltas), default=0.0)


@dataclass(frozen=True)
class Comparison:
    a: RunRow
    b: RunRow
    metrics: list[Delta]
    cases: list[CaseDelta]
    only_in_a: list[str]
    only_in_b: list[str]


@dataclass(frozen=True)
class CitationRow:
    """A quoted span in a draft, with the case's feedback key it comes from when found."""

    path: str
    source_id: str
    quote: str
    start: int
    end: int
    feedback_key: str | None


@dataclass(frozen=True)
class CaseDraftView:
    kind: str
    status: str
    model: str | None
    prompt_version: str | None
    error: str | None
    release_refused: str | None
    output: dict[str, Any] | None
    citations: list[CitationRow]
    findings: list[Finding]
    usage: dict[str, Any]


@dataclass(frozen=True)
class Drilldown:
    run: RunRow
    case_id: str
    tags: list[str]
    scores: list[Score]
    seconds: float
    error: str | None
    case: Case | None
    case_problem: str | None  # why the case file could not be read, when it could not
    drafts: list[CaseDraftView]


def readable_runs(principal: Principal) -> Select[EvalRun]:
    """Eval runs: HR and admins read every one (their cases are synthetic); nobody else any."""
    principal.require(Role.HR)
    return select(EvalRun)


def _run(db_session: Session, principal: Principal, run_id: uuid.UUID) -> EvalRun:
    found: EvalRun = visible_one(
        db_session,
        readable_runs(principal).where(EvalRun.id == run_id),
        message=f"no eval run with id {run_id}",
        code="eval_run_not_found",
    )
    return found


def _row(run: EvalRun) -> RunRow:
    return RunRow(
        id=run.id,
        at=run.finished_at or run.created_at,
        drafter=run.drafter,
        models=list(run.models or []),
        prompt_versions=dict(run.prompt_versions or {}),
        passed=run.passed,
        case_count=run.case_count,
        failed_cases=run.failed_cases,
        summary={k: float(v) for k, v in (run.summary or {}).items()},
    )


def higher_is_better(metric: str) -> bool | None:
    """Which way a score should move, as the gate holds it; None for a name it does not know."""
    if metric == CASES_FAILED:
        return False
    known = METRIC.get(metric)
    return known.higher_is_better if known is not None else None


def _description(metric: str) -> str:
    if metric == CASES_FAILED:
        return "cases that could not be run"
    known = METRIC.get(metric)
    return known.description if known is not None else ""


def _ordered(names: set[str]) -> list[str]:
    """Metric names in the suite's order, unknown ones after them by name."""
    order = [CASES_FAILED, *(m.name for m in METRICS)]
    return [n for n in order if n in names] + sorted(names - set(order))


def runs(*, db_session: Session, principal: Principal, limit: int = 200) -> list[RunRow]:
    """The latest `limit` runs, oldest first."""
    statement = readable_runs(principal).order_by(EvalRun.created_at.desc(), EvalRun.id)
    latest = [_row(r) for r in db_session.scalars(statement.limit(limit))]
    return sorted(latest, key=lambda r: (r.at, r.id.hex))


def timeline(*, db_session: Session, principal: Principal, limit: int = 200) -> Timeline:
    """The runs over time and, per evaluator, a line per drafter and prompt version."""
    rows = runs(db_session=db_session, principal=principal, limit=limit)
    metrics: list[MetricSeries] = []
    for metric in METRICS:
        groups: dict[str, list[Point]] = {}
        for row in rows:
            if metric.name in row.summary:
                point = Point(row.id, row.label, row.summary[metric.name])
                groups.setdefault(row.group, []).append(point)
        if groups:
            series = [Series(group, points) for group, points in groups.items()]
            metrics.append(
                MetricSeries(metric.name, metric.description, metric.higher_is_better, series)
            )
    return Timeline(rows, metrics)


def _scores(values: dict[str, float]) -> list[Score]:
    return [
        Score(
            name=name,
            description=_description(name),
            value=float(values[name]),
            higher_is_better=higher_is_better(name),
            floor=METRIC[name].floor if name in METRIC else None,
        )
        for name in _ordered(set(values))
    ]


def _results(db_session: Session, run_id: uuid.UUID) -> list[EvalCaseResult]:
    return list(
        db_session.scalars(
            select(EvalCaseResult)
            .where(EvalCaseResult.run_id == run_id)
            .order_by(EvalCaseResult.case_id)
        )
    )


def run_view(*, db_session: Session, principal: Principal, run_id: uuid.UUID) -> RunView:
    """One run: what produced it, its means, the gate's verdict row by row, and every case."""
    run = _run(db_session, principal, run_id)
    return RunView(
        run=_row(run),
        git_revision=run.git_revision,
        cases_dir=run.cases_dir,
        baseline=run.baseline,
        gate=[
            GateRow(str(g["metric"]), float(g["value"]), float(g["limit"]), str(g["reason"]))
            for g in run.gate or []
        ],
        scores=_scores(run.summary or {}),
        cases=[
            CaseRow(r.case_id, list(r.tags), dict(r.scores), r.seconds, r.error)
            for r in _results(db_session, run.id)
        ],
    )


def _delta(metric: str, a: float | None, b: float | None) -> Delta:
    direction = higher_is_better(metric)
    if a is None or b is None:
        return Delta(metric, _description(metric), a, b, None, None)
    moved = b - a
    change: Change | None = None
    if abs(moved) <= SAME:
        change = Change.SAME
    elif direction is not None:
        change = Change.BETTER if (moved > 0) == direction else Change.WORSE
    return Delta(metric, _description(metric), a, b, moved, change)


def compare(
    *, db_session: Session, principal: Principal, a: uuid.UUID, b: uuid.UUID, top: int = 10
) -> Comparison:
    """Run `b` against run `a`: each mean's move and whether it is better, and the `top`
    cases whose quality scores moved most."""
    run_a, run_b = _run(db_session, principal, a), _run(db_session, principal, b)
    sa, sb = run_a.summary or {}, run_b.summary or {}
    metrics = [_delta(m, sa.get(m), sb.get(m)) for m in _ordered(set(sa) | set(sb))]
    cases_a = {r.case_id: r for r in _results(db_session, run_a.id)}
    cases_b = {r.case_id: r for r in _results(db_session, run_b.id)}
    moved: list[CaseDelta] = []
    for case_id in sorted(set(cases_a) & set(cases_b)):
        scores_a, scores_b = cases_a[case_id].scores, cases_b[case_id].scores
        deltas = [
            _delta(m, scores_a[m], scores_b[m])
            for m in _ordered((set(scores_a) & set(scores_b)) - COSTS)
        ]
        deltas = [d for d in deltas if d.change is not None and d.change is not Change.SAME]
        if deltas:
            deltas.sort(key=lambda d: -abs(d.delta or 0.0))
            better = sum(d.change is Change.BETTER for d in deltas)
            moved.append(CaseDelta(case_id, deltas, better, len(deltas) - better))
    moved.sort(key=lambda c: (-c.biggest, c.case_id))
    return Comparison(
        a=_row(run_a),
        b=_row(run_b),
        metrics=metrics,
        cases=moved[:top],
        only_in_a=sorted(set(cases_a) - set(cases_b)),
        only_in_b=sorted(set(cases_b) - set(cases_a)),
    )


def _case_file(run: EvalRun, case_id: str) -> tuple[Case | None, str | None]:
    """The gold case from the folder the run recorded (relative to where synth runs)."""
    path = Path(run.cases_dir) / f"{case_id}.yaml"
    if not path.is_file():
        return None, f"{path} is not there any more (the run recorded {run.cases_dir})"
    try:
        return load_case(path), None
    except CaseError as exc:
        return None, exc.message


def _citations(output: dict[str, Any] | None, case: Case | None) -> list[CitationRow]:
    """Every cited span in a stored draft, with the case feedback it quotes when the text
    is found there (the run's feedback ids belonged to its scratch database)."""
    found: list[CitationRow] = []
    for path, node in walk(output):
        if not (isinstance(node, dict) and {"source_id", "quote", "start", "end"} <= node.keys()):
            continue
        quote = str(node["quote"])
        key = next((f.key for f in case.feedback if quote in f.text), None) if case else None
        found.append(
            CitationRow(
                path, str(node["source_id"]), quote, int(node["start"]), int(node["end"]), key
            )
        )
    return found


def _draft_view(kind: str, stored: dict[str, Any], case: Case | None) -> CaseDraftView:
    output = stored.get("output")
    return CaseDraftView(
        kind=kind,
        status=str(stored.get("status", "")),
        model=stored.get("model"),
        prompt_version=stored.get("prompt_version"),
        error=stored.get("error"),
        release_refused=stored.get("release_refused"),
        output=output,
        citations=_citations(output, case),
        findings=[Finding.model_validate(f) for f in stored.get("findings") or []],
        usage=dict(stored.get("usage") or {}),
    )


def drilldown(
    *, db_session: Session, principal: Principal, run_id: uuid.UUID, case_id: str
) -> Drilldown:
    """One case of one run: the gold case, its scores, and each draft with its citations and
    guard findings."""
    run = _run(db_session, principal, run_id)
    result = db_session.scalar(
        select(EvalCaseResult).where(
            EvalCaseResult.run_id == run.id, EvalCaseResult.case_id == case_id
        )
    )
    if result is None:
        raise NotFound(f"no case {case_id!r} in eval run {run_id}", code="eval_case_not_found")
    case, problem = _case_file(run, result.case_id)
    return Drilldown(
        run=_row(run),
        case_id=result.case_id,
        tags=list(result.tags),
        scores=_scores(result.scores),
        seconds=result.seconds,
        error=result.error,
        case=case,
        case_problem=problem,
        drafts=[_draft_view(kind, stored, case) for kind, stored in sorted(result.drafts.items())],
    )
