"""HR's pages: eval quality over time, one run, two runs compared, one case drilled into, and
production acceptance with cycle completion per team.

Faces only: who may read what, and that HR reads aggregates only, is decided in
synth.evaluation.dashboard and synth.drafting.acceptance. Charts are Chart.js configs built
here and drawn by /app/static/charts.js.
"""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from synth.api.deps import SessionDep
from synth.auth.models import Role
from synth.drafting import acceptance
from synth.drafting.models import DraftStatus
from synth.errors import InvalidInput
from synth.evaluation import dashboard
from synth.web.deps import ViewerDep
from synth.web.render import page

router = APIRouter(prefix="/app/hr", include_in_schema=False)


def _uuid(value: str | None, field: str) -> uuid.UUID | None:
    """A filter's id, or None for "all" (an empty choice); 422 for anything else."""
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"{field} must be an id", code="invalid_filter") from None


def line_chart(metric: dashboard.MetricSeries, labels: list[str]) -> dict[str, Any]:
    """One evaluator across runs: a line per drafter and prompt version on a shared axis of
    runs, each point placed by its run's label."""
    better = "higher" if metric.higher_is_better else "lower"
    return {
        "type": "line",
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "label": s.group,
                    "data": [{"x": p.x, "y": p.y} for p in s.points],
                    "spanGaps": True,
                }
                for s in metric.series
            ],
        },
        "options": {
            "animation": False,
            "responsive": True,
            "maintainAspectRatio": False,
            "plugins": {
                "title": {"display": True, "text": f"{metric.name} ({better} is better)"},
                "legend": {"position": "bottom"},
            },
            "scales": {
                "x": {"title": {"display": True, "text": "run"}},
                "y": {"title": {"display": True, "text": metric.name}},
            },
        },
    }


# Draft statuses in the order a draft moves through them, for the stacked bars.
STATUS_ORDER = tuple(status.value for status in DraftStatus)


def status_chart(figures: acceptance.Acceptance) -> dict[str, Any]:
    """Drafts by status, one stacked bar per period, team and model: how far managers have
    got with what was drafted, and how much of it they turned down."""
    labels = [
        f"{figures.period_label(g.period_id)} · {figures.team_label(g.team_id)} · {g.model}"
        for g in figures.groups
    ]
    present = {status for g in figures.groups for status in g.figures.by_status}
    statuses = [s for s in STATUS_ORDER if s in present] + sorted(present - set(STATUS_ORDER))
    return {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "label": status.replace("_", " "),
                    "data": [g.figures.by_status.get(status, 0) for g in figures.groups],
                }
                for status in statuses
            ],
        },
        "options": {
            "indexAxis": "y",
            "plugins": {
                "title": {"display": True, "text": "Drafts by status"},
                "legend": {"position": "bottom"},
            },
            "scales": {
                "x": {"stacked": True, "title": {"display": True, "text": "drafts"}},
                "y": {"stacked": True},
            },
        },
    }


@router.get("", response_class=HTMLResponse)
def home(
    request: Request,
    viewer: ViewerDep,
    db: SessionDep,
    period: str = "",
    team: str = "",
    model: str = "",
) -> HTMLResponse:
    """The dashboard: a chart per evaluator, the runs, acceptance and cycle completion."""
    viewer.require(Role.HR)
    principal = viewer.principal
    timeline = dashboard.timeline(db_session=db, principal=principal)
    labels = [r.label for r in timeline.runs]
    charts = [(m, f"chart-{m.name}", line_chart(m, labels)) for m in timeline.metrics]
    period_id, team_id = _uuid(period, "period"), _uuid(team, "team")
    figures = acceptance.acceptance(
        db_session=db,
        principal=principal,
        period_id=period_id,
        team_id=team_id,
        model=model or None,
    )
    completion = None
    chosen = period_id or (uuid.UUID(figures.periods[0].value) if figures.periods else None)
    if chosen is not None:
        completion = acceptance.completion(db_session=db, principal=principal, period_id=chosen)
    return page(
        request,
        "hr/dashboard.html",
        viewer,
        timeline=timeline,
        runs=list(reversed(timeline.runs)),
        charts=charts,
        acceptance=figures,
        status_chart=status_chart(figures),
        completion=completion,
        items=_items(completion),
        done=_done(completion),
    )


# What each stable code of the period status (synth.cycles.status) means once it is done.
ITEM_LABELS = {
    "no_expectations_yet": "Expectations proposed",
    "too_few_agreed_expectations": "3+ expectations agreed",
    "new_hire_first_meeting": "New hire: first meeting",
    "new_hire_check_in": "New hire: check-in",
    "open_feedback_requests": "Feedback requests answered",
    "missing_self_assessment": "Self-assessment written",
    "too_little_feedback": "Enough feedback",
    "synthesis_not_drafted": "Synthesis drafted",
    "synthesis_not_reviewed": "Synthesis reviewed",
    "synthesis_not_released": "Synthesis released",
}


# The status names only the first missing step of the synthesis: one never drafted is not
# reviewed or released either.
SYNTHESIS_STEPS = ("synthesis_not_drafted", "synthesis_not_reviewed", "synthesis_not_released")


def _done(completion: acceptance.Completion | None) -> dict[uuid.UUID | None, dict[str, int]]:
    """Team (its manager's id) -> code -> engineers with that item done."""
    if completion is None:
        return {}
    table: dict[uuid.UUID | None, dict[str, int]] = {}
    for team in completion.teams:
        row = table.setdefault(team.team_id, {})
        for code in ITEM_LABELS:
            lacking = team.missing.get(code, 0)
            if code in SYNTHESIS_STEPS:
                earlier = SYNTHESIS_STEPS[: SYNTHESIS_STEPS.index(code)]
                lacking += sum(team.missing.get(step, 0) for step in earlier)
            row[code] = team.engineers - lacking
    return table


def _items(completion: acceptance.Completion | None) -> list[tuple[str, str]]:
    """(code, label) of every item some team still lacks, in the order of the cycle."""
    if completion is None:
        return []
    codes = {code for team in completion.teams for code in team.missing}
    order = list(ITEM_LABELS)
    ranked = sorted(codes, key=lambda c: (order.index(c) if c in order else len(order), c))
    return [(code, ITEM_LABELS.get(code, code.replace("_", " "))) for code in ranked]


@router.get("/evals/compare", response_class=HTMLResponse)
def compare(
    request: Request, viewer: ViewerDep, db: SessionDep, a: str = "", b: str = ""
) -> HTMLResponse:
    """Two runs side by side; without both, the form to choose them."""
    viewer.require(Role.HR)
    runs = dashboard.runs(db_session=db, principal=viewer.principal)
    run_a, run_b = _uuid(a, "a"), _uuid(b, "b")
    found = None
    if run_a is not None and run_b is not None:
        found = dashboard.compare(db_session=db, principal=viewer.principal, a=run_a, b=run_b)
    return page(
        request,
        "hr/compare.html",
        viewer,
        runs=list(reversed(runs)),
        a=a,
        b=b,
        comparison=found,
    )


@router.get("/evals/{run_id}", response_class=HTMLResponse)
def run(request: Request, viewer: ViewerDep, db: SessionDep, run_id: uuid.UUID) -> HTMLResponse:
    """One run: what produced it, its gate and its cases."""
    viewer.require(Role.HR)
    found = dashboard.run_view(db_session=db, principal=viewer.principal, run_id=run_id)
    return page(request, "hr/run.html", viewer, view=found)


@router.get("/evals/{run_id}/cases/{case_id}", response_class=HTMLResponse)
def case(
    request: Request, viewer: ViewerDep, db: SessionDep, run_id: uuid.UUID, case_id: str
) -> HTMLResponse:
    """One case of a run: the synthetic case, each draft, its citations and guard findings."""
    viewer.require(Role.HR)
    found = dashboard.drilldown(
        db_session=db, principal=viewer.principal, run_id=run_id, case_id=case_id
    )
    return page(request, "hr/case.html", viewer, drill=found)
