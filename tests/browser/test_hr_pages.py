"""In Chromium: HR's dashboard charts the seeded eval runs, a comparison and a case drill-down
open, acceptance figures filter by team, and no HR page holds feedback or a reject reason;
managers and engineers are refused."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.db.engine import session_factory
from synth.drafting import service as drafting
from synth.drafting.factory import get_drafter
from synth.drafting.models import DraftKind
from synth.drafting.schemas import DraftRequest
from synth.workflow.jobs import generate_all
from tests.browser.conftest import Live, shot, sign_in
from tests.browser.seed import EVAL_CASE_IDS
from tests.embedders import minilm

# A manager's reason quoting a reviewer: HR may read its category, never its words.
REASON = "Inaccurate: Pia Product never said the quetzal migration slipped."
COUNT_POINTS = """canvas => {
  const chart = Chart.getChart(canvas);
  let points = 0;
  for (let i = 0; i < chart.data.datasets.length; i++) {
    points += chart.getDatasetMeta(i).data.length;
  }
  return points;
}"""


@pytest.fixture(scope="module")
def rejected(live: Live) -> Iterator[str]:
    """Otto's suggested expectations, drafted and rejected with a reason by his manager."""
    o = live.seed.org
    factory = session_factory(live.engine)
    boss = Principal(role=Role.MANAGER, person_id=o.other_manager.id)
    with factory() as db:
        data = DraftRequest(
            kind=DraftKind.EXPECTATIONS, subject_id=o.outsider.id, period_id=o.period.id
        )
        draft, _ = drafting.request(db_session=db, principal=boss, data=data, drafter="offline")
        db.commit()
    generate_all(factory, get_drafter("offline"), minilm())
    with factory() as db:
        drafting.reject(db_session=db, principal=boss, draft_id=draft.id, reason=REASON)
        db.commit()
    yield REASON


def _no_private_text(page: Page, live: Live, reason: str) -> None:
    html = page.content()
    leaked = [t for t in [*live.seed.feedback_texts, reason] if t in html]
    assert leaked == []


def test_hr_sees_a_chart_per_evaluator_with_a_point_per_seeded_run(
    page: Page, live: Live, rejected: str
) -> None:
    sign_in(page, live, live.key(Role.HR))
    page.goto(f"{live.url}/app/hr")
    expect(page.get_by_role("heading", name="HR dashboard")).to_be_visible()
    canvases = page.locator("canvas[data-chart]")
    expect(canvases.first).to_have_attribute("data-rendered", "true")
    assert canvases.count() >= 10  # one per evaluator the suite measured
    for name in ("chart-key_evidence_recall", "chart-leaks"):
        canvas = page.locator(f'canvas[data-chart="{name}"]')
        assert canvas.evaluate(COUNT_POINTS) == len(live.seed.eval_runs)
    runs = page.get_by_role("table").filter(has_text="Prompt versions")
    expect(runs.locator("tbody tr")).to_have_count(len(live.seed.eval_runs))
    figures = page.locator("table.figures")
    expect(figures).to_contain_text("inaccurate: 1")  # the reason, as its category only
    # The drafts by status: a bar per period, team and model in each status's stack, and
    # the stacks add up to every draft the figures count.
    bars = page.locator('canvas[data-chart="chart-acceptance"]')
    groups = page.get_by_role("table").filter(has_text="Edit distance (mean)")
    shown = bars.evaluate(
        "c => Chart.getChart(c).data.datasets.map((d, i) => "
        "[Chart.getChart(c).getDatasetMeta(i).data.length, d.data.reduce((a, b) => a + b, 0)])"
    )
    assert all(n == groups.locator("tbody tr").count() for n, _ in shown)
    drafts = figures.get_by_role("row", name="Drafts").locator("td").inner_text()
    assert sum(total for _, total in shown) == int(drafts.split()[0]) >= 5
    shot(page, "hr-dashboard")
    _no_private_text(page, live, rejected)


def test_acceptance_filters_by_team_with_labelled_controls(
    page: Page, live: Live, rejected: str
) -> None:
    sign_in(page, live, live.key(Role.HR))
    page.goto(f"{live.url}/app/hr")
    page.get_by_label("Team", exact=True).select_option(label=live.seed.org.other_manager.name)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(
        f"{live.url}/app/hr?period=&team={live.seed.org.other_manager.id}&model="
    )
    figures = page.locator("table.figures")
    expect(figures.get_by_role("row", name="Drafts")).to_contain_text("1 (rejected: 1)")
    completion = page.get_by_role("table", name="Cycle completion per team")
    maya = completion.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=live.seed.org.manager.name)
    )
    expect(maya).to_contain_text("of 2")  # Eli and Tara
    expect(completion.get_by_role("columnheader", name="Synthesis reviewed")).to_be_visible()
    _no_private_text(page, live, rejected)


def test_a_run_a_comparison_and_a_case_open_from_the_dashboard(
    page: Page, live: Live, rejected: str
) -> None:
    first, second = live.seed.eval_runs
    sign_in(page, live, live.key(Role.HR))
    page.goto(f"{live.url}/app/hr/evals/{second}")
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()
    expect(page.get_by_role("link", name=EVAL_CASE_IDS[0])).to_be_visible()
    shot(page, "hr-run")

    page.goto(f"{live.url}/app/hr/evals/compare")
    page.get_by_label("Run A (before)").select_option(str(first))
    page.get_by_label("Run B (after)").select_option(str(second))
    page.get_by_role("button", name="Compare").click()
    metrics = page.get_by_role("table").filter(has_text="B − A")
    expect(metrics.get_by_role("row", name="key_evidence_recall")).to_contain_text("same")
    shot(page, "hr-compare")
    _no_private_text(page, live, rejected)

    page.goto(f"{live.url}/app/hr/evals/{first}/cases/{EVAL_CASE_IDS[1]}")
    expect(page.get_by_role("heading", name=f"Eval case {EVAL_CASE_IDS[1]}")).to_be_visible()
    synthesis = page.get_by_role("region", name="Synthesis")
    expect(synthesis.locator("mark").first).to_be_visible()  # a cited span
    expect(synthesis.get_by_role("heading", name="Guard findings")).to_be_visible()
    expect(page.locator("#feedback-f1")).to_be_visible()  # the synthetic case's feedback
    shot(page, "hr-case")
    _no_private_text(page, live, rejected)


@pytest.mark.parametrize("who", ["manager", "engineer"])
def test_managers_and_engineers_are_refused_hr_pages(page: Page, live: Live, who: str) -> None:
    o = live.seed.org
    role, person = (Role.MANAGER, o.manager) if who == "manager" else (Role.ENGINEER, o.engineer)
    sign_in(page, live, live.key(role, person))
    for path in (
        "/app/hr",
        f"/app/hr/evals/{live.seed.eval_runs[0]}",
        "/app/hr/evals/compare",
        f"/app/hr/evals/{live.seed.eval_runs[0]}/cases/{EVAL_CASE_IDS[0]}",
    ):
        response = page.goto(f"{live.url}{path}")
        assert response is not None and response.status == 403, path
        expect(page.locator("code")).to_have_text("forbidden")
    shot(page, f"hr-refused-{who}")
