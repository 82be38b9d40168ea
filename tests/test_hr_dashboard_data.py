"""The data behind HR's dashboard: eval runs over time, one run, two compared, a case drilled
into; production acceptance per period, team and model, and cycle completion per team; HR
and admins only, and nothing of anyone's feedback, drafts, reviewers or reasons in it."""

import dataclasses
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.config import get_settings
from synth.cycles import status
from synth.cycles.models import Relationship
from synth.drafting import acceptance as acc
from synth.drafting import service as drafts
from synth.drafting.base import Drafted
from synth.drafting.inputs import SynthesisInputs
from synth.drafting.models import Draft, DraftKind
from synth.drafting.offline import OfflineDrafter
from synth.drafting.outputs import Synthesis
from synth.drafting.schemas import DraftRequest
from synth.errors import Forbidden, NotFound
from synth.evaluation import dashboard
from synth.evaluation.cases import load_case
from synth.evaluation.metrics import METRICS
from synth.evaluation.models import EvalRun
from synth.evaluation.suite import Report, gate, run_suite, save_run
from synth.guards.findings import Finding
from synth.themes.ingest import ingest
from synth.workflow.jobs import generate_all
from tests import factories as f
from tests.drafters import CountingDrafter
from tests.embedders import minilm

CASES = Path(__file__).parent / "data" / "eval_cases"
CASE_ID = "senior-defensive-in-review"
HR = Principal(role=Role.HR)
ADMIN = Principal(role=Role.ADMIN)


class Forgetful(OfflineDrafter):
    """The offline drafter with a bug: it forgets the growth areas and every expectation."""

    name = "offline-forgetful"

    def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
        drafted = super().synthesis(inputs)
        output = drafted.output.model_copy(update={"growth_areas": [], "expectations": []})
        return dataclasses.replace(drafted, output=output)


@pytest.fixture(scope="module")
def reports(engine: Engine) -> Iterator[tuple[Report, Report]]:
    """One real run of the example case by the offline drafter, and one by a worse one."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNTH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        get_settings.cache_clear()
        try:
            case = [load_case(CASES / f"{CASE_ID}.yaml")]
            good = run_suite(case, OfflineDrafter(), minilm(), parity=False, progress=False)
            bad = run_suite(case, Forgetful(), minilm(), parity=False, progress=False)
        finally:
            get_settings.cache_clear()
    yield good, bad


@pytest.fixture
def saved(db: Session, reports: tuple[Report, Report]) -> tuple[EvalRun, EvalRun]:
    """Both runs kept as `synth eval` keeps them; the worse one gated against the first."""
    good, bad = reports
    first = save_run(db, good, cases_dir=str(CASES), failures=gate(good, None), baseline=None)
    second = save_run(
        db, bad, cases_dir=str(CASES), failures=gate(bad, good.summary), baseline=str(first.id)
    )
    db.flush()
    return first, second


# ---------------------------------------------------------------------------- eval runs


def test_runs_over_time_give_each_evaluator_a_line_per_drafter_and_prompt_version(
    db: Session, saved: tuple[EvalRun, EvalRun]
) -> None:
    first, second = saved
    found = dashboard.timeline(db_session=db, principal=HR)
    assert [r.id for r in found.runs] == [first.id, second.id]
    assert found.runs[0].group.startswith("offline · ") and found.runs[0].prompts != "no prompt"
    charted = {m.name: m for m in found.metrics}
    assert set(charted) == {m.name for m in METRICS if m.name in first.summary}
    accuracy = charted["expectation_status_accuracy"]
    assert [s.group for s in accuracy.series] == [r.group for r in found.runs]
    assert [[p.y for p in s.points] for s in accuracy.series] == [
        [first.summary["expectation_status_accuracy"]],
        [second.summary["expectation_status_accuracy"]],
    ]
    assert sum(len(s.points) for s in accuracy.series) == 2


def test_one_run_shows_the_gate_row_by_row_and_every_case(
    db: Session, saved: tuple[EvalRun, EvalRun]
) -> None:
    first, second = saved
    view = dashboard.run_view(db_session=db, principal=HR, run_id=second.id)
    assert view.run.passed is False and view.baseline == str(first.id)
    failed = {g.metric: g for g in view.gate}
    assert "expectation_status_accuracy" in failed
    assert "regressed" in failed["expectation_status_accuracy"].reason
    assert [c.case_id for c in view.cases] == [CASE_ID]
    by_name = {s.name: s for s in view.scores}
    assert by_name["leaks"].higher_is_better is False and by_name["leaks"].floor == 0
    assert by_name["cases_failed"].value == 0 and by_name["cases_failed"].higher_is_better is False
    passed = dashboard.run_view(db_session=db, principal=HR, run_id=first.id)
    assert passed.run.passed is True and passed.gate == []


def test_a_comparison_says_which_way_each_metric_moved_and_which_cases_moved_most(
    db: Session, saved: tuple[EvalRun, EvalRun]
) -> None:
    first, second = saved
    found = dashboard.compare(db_session=db, principal=HR, a=first.id, b=second.id)
    moved = {d.metric: d for d in found.metrics}
    accuracy = moved["expectation_status_accuracy"]
    assert accuracy.delta is not None and accuracy.delta < 0
    assert accuracy.change is dashboard.Change.WORSE
    assert moved["leaks"].change is dashboard.Change.SAME
    (case,) = found.cases
    assert case.case_id == CASE_ID and case.worse >= 1
    assert [abs(d.delta or 0) for d in case.deltas] == sorted(
        (abs(d.delta or 0) for d in case.deltas), reverse=True
    )
    assert not {d.metric for d in case.deltas} & dashboard.COSTS
    back = dashboard.compare(db_session=db, principal=HR, a=second.id, b=first.id)
    assert {d.metric: d.change for d in back.metrics}["expectation_status_accuracy"] == "better"


@pytest.mark.parametrize(
    ("metric", "a", "b", "change"),
    [
        ("leaks", 0.0, 1.0, "worse"),  # lower is better
        ("unthemed", 0.4, 0.1, "better"),
        ("key_evidence_recall", 0.4, 0.1, "worse"),  # higher is better
        ("cases_failed", 1.0, 0.0, "better"),
        ("a_score_nobody_defined", 0.1, 0.5, None),
    ],
)
def test_direction_comes_from_the_metrics_table(
    metric: str, a: float, b: float, change: str | None
) -> None:
    assert dashboard._delta(metric, a, b).change == change


def test_a_drilldown_shows_the_case_each_draft_its_citations_and_findings(
    db: Session, saved: tuple[EvalRun, EvalRun], reports: tuple[Report, Report]
) -> None:
    first, _ = saved
    found = dashboard.drilldown(db_session=db, principal=HR, run_id=first.id, case_id=CASE_ID)
    assert found.case is not None and found.case.id == CASE_ID and found.case_problem is None
    assert [d.kind for d in found.drafts] == ["checklist", "expectations", "synthesis"]
    synthesis = found.drafts[-1]
    assert synthesis.output is not None and synthesis.citations
    texts = {item.key: item.text for item in found.case.feedback}
    assert any(c.feedback_key for c in synthesis.citations)
    for citation in synthesis.citations:
        assert citation.path.startswith(
            ("strengths", "growth_areas", "expectations", "self_vs", "flagged")
        )
        if citation.feedback_key is not None:
            assert citation.quote in texts[citation.feedback_key]
    (result,) = reports[0].results
    assert result.run is not None
    made = {kind.value: d for kind, d in result.run.drafts.items()}
    for shown in found.drafts:
        assert [x.fingerprint for x in shown.findings] == [
            Finding.model_validate(x).fingerprint for x in made[shown.kind].findings
        ]
        assert shown.status == made[shown.kind].status.value


def test_a_drilldown_whose_case_file_moved_says_so_and_still_shows_the_drafts(
    db: Session, reports: tuple[Report, Report], tmp_path: Path
) -> None:
    good, _ = reports
    run = save_run(db, good, cases_dir=str(tmp_path), failures=[], baseline=None)
    found = dashboard.drilldown(db_session=db, principal=HR, run_id=run.id, case_id=CASE_ID)
    assert found.case is None and found.case_problem is not None
    assert str(tmp_path) in found.case_problem
    assert found.drafts and all(c.feedback_key is None for d in found.drafts for c in d.citations)


def test_an_unknown_run_or_case_is_404_with_its_code(
    db: Session, saved: tuple[EvalRun, EvalRun]
) -> None:
    with pytest.raises(NotFound) as caught:
        dashboard.run_view(db_session=db, principal=HR, run_id=uuid.uuid4())
    assert caught.value.code == "eval_run_not_found"
    with pytest.raises(NotFound) as caught:
        dashboard.drilldown(db_session=db, principal=HR, run_id=saved[0].id, case_id="nope")
    assert caught.value.code == "eval_case_not_found"


# ---------------------------------------------------------------------------- acceptance

# Distinctive words, so any copy of feedback, a reviewer's name or a reason would show.
ABOUT_ELI = [
    ("teammate", "Eli rebuilt the zanzibar ledger importer and cut the flamingo backlog in half."),
    ("partner", "Eli's zanzibar runbook let the night shift recover the flamingo queue alone."),
    ("pm", "Eli explained the zanzibar cutover plan to support before the flamingo launch."),
]
ABOUT_OTTO = [
    "Otto untangled the quetzal billing cron and documented the marmalade failover.",
    "Otto paired on the quetzal alerts until the marmalade pager stopped at night.",
]
TONE = "The wording about the quetzal pager is harsh; Tara Teammate would hate it."
WRONG = "Inaccurate: Pia Product never said the marmalade failover slipped."
REVIEWERS = ["Tara Teammate", "Theo Partner", "Pia Product"]


@dataclasses.dataclass
class Produced:
    org: f.Org
    edited: Draft
    rejected: list[Draft]
    waiting: Draft
    quoted: str


def _manager(person: Any) -> Principal:
    return Principal(role=Role.MANAGER, person_id=person.id)


def _ask(db: Session, o: f.Org, kind: DraftKind, subject: Any, **extra: Any) -> Draft:
    data = DraftRequest(kind=kind, subject_id=subject.id, period_id=o.period.id, **extra)
    boss = _manager(o.director)
    return drafts.request(db_session=db, principal=boss, data=data, drafter="test")[0]


@pytest.fixture
def produced(db: Session, sessions: sessionmaker[Session]) -> Produced:
    """Drafts through the real gate: Eli's synthesis edited (a bad quote put in and
    overridden) and approved, Tara's approved as drafted, Eli's suggestions and Otto's
    synthesis rejected with reasons, and a checklist left waiting."""
    o = f.reviewed(db, f.org(db), ABOUT_ELI)
    f.feedback(db, o.engineer, o.teammate, o.period, ABOUT_ELI[0][1].replace("Eli", "Tara"))
    f.feedback(db, o.pm, o.teammate, o.period, ABOUT_ELI[2][1].replace("Eli", "Tara"))
    for author, text in zip([o.teammate, o.pm], ABOUT_OTTO, strict=True):
        f.feedback(db, author, o.outsider, o.period, text, relationship=Relationship.PEER)
    assessment = f.assessment(db, o.engineer, o.manager, o.period, partner=o.partner)
    db.commit()
    ingest(sessions, minilm())
    eli = _ask(db, o, DraftKind.SYNTHESIS, o.engineer)
    tara = _ask(db, o, DraftKind.SYNTHESIS, o.teammate)
    otto = _ask(db, o, DraftKind.SYNTHESIS, o.outsider)
    hopes = _ask(db, o, DraftKind.EXPECTATIONS, o.engineer)
    checklist = _ask(db, o, DraftKind.CHECKLIST, o.engineer, assessment_id=assessment.id)
    db.commit()
    generate_all(sessions, CountingDrafter(), minilm())
    db.expire_all()
    boss = _manager(o.director)
    draft = db.get(Draft, eli.id)
    assert draft is not None and draft.output is not None and draft.output["strengths"]
    content = json.loads(json.dumps(draft.output))
    content["overview"] = "A quiet period in brief."
    content["strengths"][0]["claims"][0]["citations"][0]["quote"] = "words nobody wrote"
    drafts.edit(db_session=db, principal=boss, draft_id=eli.id, content=content)
    drafts.override(db_session=db, principal=boss, draft_id=eli.id, reason="checked by hand")
    drafts.approve(db_session=db, principal=boss, draft_id=eli.id)
    drafts.approve(db_session=db, principal=boss, draft_id=tara.id)
    drafts.reject(db_session=db, principal=boss, draft_id=hopes.id, reason=TONE)
    drafts.reject(db_session=db, principal=boss, draft_id=otto.id, reason=WRONG)
    db.commit()
    quoted = draft.output["strengths"][0]["claims"][0]["citations"][0]["quote"]
    return Produced(o, draft, [hopes, otto], checklist, quoted)


def test_acceptance_counts_decisions_reasons_edits_reviews_guards_and_cost(
    db: Session, produced: Produced
) -> None:
    found = acc.acceptance(db_session=db, principal=HR, period_id=produced.org.period.id)
    figures = found.overall
    assert figures.drafts == 5
    assert figures.by_status == {"approved": 2, "ready_for_review": 1, "rejected": 2}
    assert figures.decided == 4 and figures.approval_rate == figures.rejection_rate == 0.5
    assert figures.rejection_reasons == {"inaccurate": 1, "tone": 1}
    assert figures.edited == 1
    assert figures.edit_distance_mean is not None and 0 < figures.edit_distance_mean < 0.5
    assert figures.edit_distance_median == figures.edit_distance_mean  # 0 and d: median d/2
    assert figures.reviewed == 4
    assert figures.review_seconds_median is not None and figures.review_seconds_median > 0
    assert figures.review_seconds_p90 is not None
    assert figures.review_seconds_p90 >= figures.review_seconds_median
    assert figures.blocking_by_guard.get("citations", 0) >= 1
    assert figures.overrides_by_guard == {"citations": 1}
    assert figures.generated == 5 and figures.input_tokens_per_draft == 300 / 5
    assert figures.cost_total == pytest.approx(0.003)


def test_acceptance_groups_and_filters_by_period_team_and_model(
    db: Session, produced: Produced
) -> None:
    o = produced.org
    found = acc.acceptance(db_session=db, principal=HR, period_id=o.period.id)
    groups = {(g.team_id, g.model): g.figures.drafts for g in found.groups}
    assert groups == {
        (o.manager.id, "counting-test-model"): 4,
        (o.other_manager.id, "counting-test-model"): 1,
    }
    assert found.team_label(o.other_manager.id) == "Omar Manager"
    assert "counting-test-model" in found.models
    assert str(o.period.id) in {c.value for c in found.periods}
    theirs = acc.acceptance(
        db_session=db, principal=HR, period_id=o.period.id, team_id=o.other_manager.id
    )
    assert theirs.overall.drafts == 1 and theirs.overall.rejection_reasons == {"inaccurate": 1}
    none = acc.acceptance(db_session=db, principal=HR, model="another-model")
    assert none.overall.drafts == 0 and none.overall.approval_rate is None
    elsewhere = f.period(db)
    empty = acc.acceptance(db_session=db, principal=ADMIN, period_id=elsewhere.id)
    assert empty.overall.drafts == 0 and empty.overall.edit_distance_mean is None


def test_cycle_completion_per_team_is_the_period_status_as_hr_reads_it(
    db: Session, produced: Produced
) -> None:
    o = produced.org
    found = acc.completion(db_session=db, principal=HR, period_id=o.period.id)
    expected = status.view(db_session=db, principal=HR, period_id=o.period.id)
    assert expected.teams is not None
    assert {(t.team_id, t.engineers, tuple(t.missing.items())) for t in found.teams} == {
        (t.manager_id, t.engineers, tuple(t.missing.items())) for t in expected.teams
    }
    mine = next(t for t in found.teams if t.team_id == o.manager.id)
    assert mine.label == "Maya Manager" and mine.engineers == 2
    assert all(mine.done[c] == mine.engineers - n for c, n in mine.missing.items())
    as_admin = acc.completion(db_session=db, principal=ADMIN, period_id=o.period.id)
    assert as_admin.teams == found.teams


def test_hr_figures_carry_no_feedback_draft_text_reviewer_or_reason(
    db: Session, produced: Produced
) -> None:
    o = produced.org
    dumped = json.dumps(
        [
            dataclasses.asdict(acc.acceptance(db_session=db, principal=HR)),
            dataclasses.asdict(acc.acceptance(db_session=db, principal=HR, period_id=o.period.id)),
            dataclasses.asdict(acc.completion(db_session=db, principal=HR, period_id=o.period.id)),
        ],
        default=str,
    ).casefold()
    forbidden = [
        *(text for _, text in ABOUT_ELI),
        *ABOUT_OTTO,
        TONE,
        WRONG,
        *REVIEWERS,
        produced.quoted,
        "zanzibar",
        "flamingo",
        "quetzal",
        "marmalade",
        "a quiet period in brief",
        "checked by hand",
    ]
    assert [w for w in forbidden if w.casefold() in dumped] == []


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("It names the reviewer who wrote the pager remark.", "anonymity"),
        ("Mentions her promotion case.", "two_track"),
        ("The payments claim is wrong.", "inaccurate"),
        ("Too vague: no examples behind the growth area.", "missing_evidence"),
        ("Reads as a judgement of her personality.", "tone"),
        ("Not now.", "other"),
    ],
)
def test_a_reject_reason_reads_as_its_category_only(reason: str, category: str) -> None:
    assert acc.reject_category(reason) == category


def test_edit_distance_is_word_levenshtein_over_the_longer_text() -> None:
    assert acc.edit_distance("a b c d".split(), "a b c d".split()) == 0
    assert acc.edit_distance("a b c d".split(), "a x c d e".split()) == 2 / 5
    assert acc.edit_distance([], "a".split()) == 1 and acc.edit_distance([], []) == 0
    assert acc.edit_distance("kitten sat".split(), "sat kitten".split()) == 1


# ---------------------------------------------------------------------------- who may read


def _everything(
    db: Session, run: EvalRun, period_id: uuid.UUID
) -> list[Callable[[Principal], Any]]:
    return [
        lambda p: dashboard.timeline(db_session=db, principal=p),
        lambda p: dashboard.run_view(db_session=db, principal=p, run_id=run.id),
        lambda p: dashboard.compare(db_session=db, principal=p, a=run.id, b=run.id),
        lambda p: dashboard.drilldown(db_session=db, principal=p, run_id=run.id, case_id=CASE_ID),
        lambda p: acc.acceptance(db_session=db, principal=p),
        lambda p: acc.completion(db_session=db, principal=p, period_id=period_id),
    ]


@pytest.mark.parametrize("who", ["engineer", "manager", "partner", "service"])
def test_only_hr_and_admins_read_the_dashboard(
    db: Session, saved: tuple[EvalRun, EvalRun], who: str
) -> None:
    o = f.org(db)
    principal = {
        "engineer": Principal(role=Role.ENGINEER, person_id=o.engineer.id),
        "manager": Principal(role=Role.MANAGER, person_id=o.director.id),
        "partner": Principal(role=Role.THOUGHT_PARTNER, person_id=o.partner.id),
        "service": Principal(role=Role.SERVICE),
    }[who]
    for read in _everything(db, saved[0], o.period.id):
        with pytest.raises(Forbidden):
            read(principal)
        read(HR)
        read(ADMIN)
