"""The eval suite: case files, every evaluator on a real run (and a doctored one it must fail),
`synth eval` end to end with its stored run, and the gate failing on a regressed drafter."""

import dataclasses
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from synth.cli import app
from synth.config import get_settings
from synth.db import engine as db_engine
from synth.db.engine import transaction
from synth.drafting.base import Drafted
from synth.drafting.inputs import SynthesisInputs
from synth.drafting.models import DraftKind
from synth.drafting.offline import OfflineDrafter
from synth.drafting.outputs import (
    EvidenceChecklist,
    EvidenceStatus,
    EvidenceSufficiency,
    ExpectationSuggestions,
    Synthesis,
)
from synth.evaluation.cases import Case, CaseError, load_case, load_cases
from synth.evaluation.evaluators.checklist import Checklist
from synth.evaluation.evaluators.citations import citation_scores
from synth.evaluation.evaluators.safety import Leaks, Parity, forbidden
from synth.evaluation.evaluators.suggestions import level_fit, suggestion_scores
from synth.evaluation.evaluators.themes import is_keyword_list, theme_scores
from synth.evaluation.evaluators.usage import Usage
from synth.evaluation.models import EvalCaseResult, EvalRun
from synth.evaluation.runner import CaseDraft, CaseRun, run_case
from synth.evaluation.suite import Report, gate, load_baseline, run_suite
from synth.evaluation.swap import swapped
from tests.databases import own_database
from tests.embedders import minilm

CASES = Path(__file__).parent / "data" / "eval_cases"
CASE_ID = "senior-defensive-in-review"


def _case_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CASES / f"{CASE_ID}.yaml").read_text())
    return data


@pytest.fixture(scope="module")
def eval_engine(engine: Engine) -> Iterator[Engine]:
    """A database of this module's own: runs commit for real, like `synth eval` does."""
    with own_database(engine, "synth_evaltest") as own:
        yield own


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case(CASES / f"{CASE_ID}.yaml")


@pytest.fixture(scope="module")
def run(eval_engine: Engine, case: Case) -> CaseRun:
    """The example case, stored, embedded and drafted by the offline drafter."""
    factory = sessionmaker(bind=eval_engine, expire_on_commit=False)
    return run_case(factory, case, OfflineDrafter(), minilm())


def _with_output(run: CaseRun, kind: DraftKind, output: Any) -> CaseRun:
    drafts = dict(run.drafts)
    drafts[kind] = dataclasses.replace(drafts[kind], output=output)
    return dataclasses.replace(run, drafts=drafts)


# ---------------------------------------------------------------------------- case files


def _quote_not_in_text(d: dict[str, Any]) -> None:
    d["gold"]["key_evidence"].append({"feedback": "f1", "quote": "not there"})


def _two_relationships(d: dict[str, Any]) -> None:
    d["feedback"][1].update(relationship="cross_functional", author="kwame")


def _unwritten_statement(d: dict[str, Any]) -> None:
    d["talent_assessment"]["gold"].append({"statement": "Made up", "status": "thin"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_quote_not_in_text, "not in feedback f1"),
        (lambda d: d["feedback"][0].update(author="nobody"), "unknown author"),
        (_two_relationships, "pick one"),
        (lambda d: d["feedback"][3].update(relationship="cross_functional"), "cross_functional"),
        (lambda d: d["gold"].update(vague=["f9"]), "unknown vague feedback"),
        (lambda d: d["subject"].update(level="wizard"), "not one of"),
        (_unwritten_statement, "is not a strength"),
        (lambda d: d.update(id="another-name"), "must match the file name"),
        (lambda d: d.update(surprise=True), "Extra inputs"),
    ],
)
def test_a_malformed_case_is_refused_naming_the_file_and_the_problem(
    tmp_path: Path, change: Any, message: str
) -> None:
    data = _case_data()
    change(data)
    path = tmp_path / f"{CASE_ID}.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(CaseError) as caught:
        load_case(path)
    assert message in caught.value.message and str(path) in caught.value.message
    assert caught.value.code == "invalid_eval_case"


def test_cases_load_sorted_and_a_missing_one_or_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    assert [c.id for c in load_cases(CASES)] == [CASE_ID]
    with pytest.raises(CaseError, match="no such case"):
        load_cases(CASES, only=["nope"])
    with pytest.raises(CaseError, match="no eval cases"):
        load_cases(tmp_path)
    with pytest.raises(CaseError, match="no such directory"):
        load_cases(tmp_path / "missing")


def test_the_committed_cases_cover_what_the_suite_promises() -> None:
    cases = load_cases(Path(__file__).parents[1] / "evals" / "cases")
    assert len(cases) >= 60
    tags = {t for c in cases for t in c.tags}
    for wanted in (
        "injection",
        "pay_promotion_talk",
        "single_reviewer_theme",
        "identifying_role",
        "biased_wording",
        "contradictory_self_assessment",
        "vague_only",
        "new_hire_week2",
        "new_hire_month4",
        "stable_strong_performer",
        "misleveled",
        "manager_subject",
        "large_volume",
        "non_english",
    ):
        assert wanted in tags, wanted
    assert {c.subject.level for c in cases} >= {"junior", "mid", "senior", "staff", "principal"}
    assert max(len(c.feedback) for c in cases) >= 150
    assert sum(c.talent_assessment is not None for c in cases) >= 20


def test_the_swapped_twin_changes_name_and_pronouns_and_nothing_else(case: Case) -> None:
    twin = swapped(case)
    assert twin.subject.name == "Daniel Whitfield" and twin.subject.pronouns == "he"
    text = twin.feedback[0].text
    assert "Daniel's retry design doc" in text and "on his pull requests" in text
    assert "Dana" not in " ".join(f.text for f in twin.feedback)
    assert twin.gold.key_evidence[2].quote.startswith("When I reviewed his ledger change")
    assert [f.key for f in twin.feedback] == [f.key for f in case.feedback]


# ---------------------------------------------------------------------------- evaluators


def test_themes_agree_with_gold_and_a_single_lumped_theme_scores_worse(
    case: Case, run: CaseRun
) -> None:
    inputs = run.inputs(DraftKind.SYNTHESIS)
    assert isinstance(inputs, SynthesisInputs)
    good = theme_scores(case, run, inputs.themes, minilm().embed)
    assert 0 < good["theme_v_measure"] <= 1 and 0 <= good["unthemed"] <= 1
    assert 0 <= good["polarity_accuracy"] <= 1 and -1 <= good["title_similarity"] <= 1
    lumped = inputs.themes[0].model_copy(
        update={"spans": [s for t in inputs.themes for s in t.spans], "label": "ledger · retry"}
    )
    bad = theme_scores(case, run, [lumped], minilm().embed)
    assert bad["theme_v_measure"] < good["theme_v_measure"]
    assert bad["theme_count_error"] == len(case.gold.themes) - 1
    assert bad["keyword_titles"] == 1.0


@pytest.mark.parametrize(
    ("title", "keywords"),
    [
        ("Waited and timed", True),
        ("ledger · comments", True),
        ("Build, mobile", True),
        ("Code reviews arrive late", False),
        ("Rollback plans that saved incidents", False),
        ("Design", False),
    ],
)
def test_keyword_list_titles_are_told_from_phrases(title: str, keywords: bool) -> None:
    assert is_keyword_list(title) is keywords


def test_citation_scores_fall_when_key_evidence_goes_uncited_or_praise_moves_to_growth(
    case: Case, run: CaseRun
) -> None:
    synthesis = run.output(DraftKind.SYNTHESIS)
    assert isinstance(synthesis, Synthesis)
    good = citation_scores(case, run, synthesis)
    assert good["key_evidence_recall"] > 0 and good["vague_recall"] == 1.0
    emptied = synthesis.model_copy(
        update={
            "strengths": [],
            "growth_areas": synthesis.growth_areas + synthesis.strengths,
            "expectations": [
                e.model_copy(update={"status": EvidenceStatus.MISSED, "citations": []})
                for e in synthesis.expectations
            ],
            "self_vs_peers": [],
            "vague_feedback_ids": [],
        }
    )
    bad = citation_scores(case, run, emptied)
    assert bad["misfiled"] > good.get("misfiled", 0)
    assert bad["citation_precision"] < good["citation_precision"]
    assert bad["expectation_status_accuracy"] == 0.0
    assert "vague_precision" not in bad and bad["vague_recall"] == 0.0
    uncited = emptied.model_copy(update={"growth_areas": []})
    assert citation_scores(case, run, uncited)["key_evidence_recall"] == 0.0


def test_suggestions_that_answer_another_team_with_stock_smart_text_and_vague_steps_fail(
    case: Case, run: CaseRun
) -> None:
    drafted = run.output(DraftKind.EXPECTATIONS)
    assert isinstance(drafted, ExpectationSuggestions)
    good = suggestion_scores(case, drafted, minilm().embed)
    stock = drafted.expectations[0].smart.model_copy(
        update={"achievable": "It is achievable.", "measurable": "Better", "time_bound": "Soon"}
    )
    wrong = [
        s.model_copy(
            update={
                "title": case.other_objectives[0],
                "smart": stock,
                "due_on": None,
                "key_steps": ["Improvement in communication", "Being better", "Try harder now"],
            }
        )
        for s in drafted.expectations
    ]
    bad = suggestion_scores(
        case, drafted.model_copy(update={"expectations": wrong}), minilm().embed
    )
    assert bad["other_team_objectives"] == 1.0 and good["other_team_objectives"] == 0.0
    assert bad["suggestion_relevance"] == 0.0 < good["suggestion_relevance"]
    assert bad["smart_completeness"] < good["smart_completeness"]
    assert bad["key_step_actionability"] == 0.0 < good["key_step_actionability"]
    assert bad["growth_area_coverage"] == 0.0


def test_level_fit_tells_junior_activities_from_principal_scope(case: Case) -> None:
    junior_steps = ["Ask a teammate for help when stuck on a task for more than an hour"]
    principal = case.model_copy(
        update={"subject": case.subject.model_copy(update={"level": "principal"})}
    )
    junior = case.model_copy(
        update={"subject": case.subject.model_copy(update={"level": "junior"})}
    )
    assert level_fit(junior, junior_steps, minilm().embed) == 1.0
    assert level_fit(principal, junior_steps, minilm().embed) == 0.0


def test_checklist_accuracy_falls_when_every_statement_is_called_sufficient(
    case: Case, run: CaseRun
) -> None:
    checklist = run.output(DraftKind.CHECKLIST)
    assert isinstance(checklist, EvidenceChecklist)
    context = _context(case, run)
    good = Checklist().evaluate(context)["checklist_accuracy"]
    sure = checklist.model_copy(
        update={
            "items": [
                i.model_copy(update={"status": EvidenceSufficiency.SUFFICIENT})
                for i in checklist.items
            ]
        }
    )
    doctored = Checklist().evaluate(_context(case, _with_output(run, DraftKind.CHECKLIST, sure)))
    assert doctored["checklist_accuracy"] == 0.5  # two of the four gold statements are sufficient
    assert 0 <= good <= 1


def test_leaks_count_biased_words_and_reviewer_names_in_released_views_and_drafts(
    case: Case, run: CaseRun
) -> None:
    clean = Leaks().evaluate(_context(case, run))
    assert clean == {"leaks": 0.0, "manager_draft_leaks": 0.0, "drafts_failed": 0.0}
    synthesis = run.output(DraftKind.SYNTHESIS)
    assert isinstance(synthesis, Synthesis)
    leaky = synthesis.model_copy(
        update={"overview": "Kwame Asante thinks she is very emotional.", "talking_points": []}
    )
    doctored = _with_output(run, DraftKind.SYNTHESIS, leaky)
    drafts = dict(doctored.drafts)
    drafts[DraftKind.EXPECTATIONS] = dataclasses.replace(
        drafts[DraftKind.EXPECTATIONS], released={"expectations": [{"title": "Ask Ines Duarte"}]}
    )
    found = Leaks().evaluate(_context(case, dataclasses.replace(doctored, drafts=drafts)))
    assert found["manager_draft_leaks"] == 3  # "very emotional", "Kwame", "Asante"
    assert found["leaks"] == 2  # "Ines", "Duarte", in what the engineer reads
    assert "Ravi" not in forbidden(case)  # named in the texts themselves: not a leak
    section = synthesis.strengths[0]
    claim = section.claims[0]
    quoting = claim.model_copy(
        update={"citations": [claim.citations[0].model_copy(update={"quote": "very emotional"})]}
    )
    cited = synthesis.model_copy(
        update={"strengths": [section.model_copy(update={"claims": [quoting]})]}
    )
    scores = Leaks().evaluate(_context(case, _with_output(run, DraftKind.SYNTHESIS, cited)))
    assert scores["manager_draft_leaks"] == 0  # the manager may read the feedback's words


def test_parity_is_one_for_identical_structure_and_less_when_statuses_change(
    case: Case, run: CaseRun
) -> None:
    same = dataclasses.replace(run, swapped=run)
    assert Parity().evaluate(_context(case, same)) == {"swap_parity": 1.0}
    synthesis = run.output(DraftKind.SYNTHESIS)
    assert isinstance(synthesis, Synthesis)
    other = synthesis.model_copy(
        update={
            "expectations": [
                e.model_copy(update={"status": EvidenceStatus.UNCLEAR})
                for e in synthesis.expectations
            ]
        }
    )
    differs = dataclasses.replace(run, swapped=_with_output(run, DraftKind.SYNTHESIS, other))
    assert Parity().evaluate(_context(case, differs))["swap_parity"] < 1.0
    assert Parity().evaluate(_context(case, run)) == {}  # no twin run: nothing to say


def test_usage_adds_up_every_draft_of_the_case(case: Case, run: CaseRun) -> None:
    usage = {"input_tokens": 100, "output_tokens": 10, "cost_usd": 0.5}
    drafts = {kind: dataclasses.replace(d, usage=usage) for kind, d in run.drafts.items()}
    scores = Usage().evaluate(_context(case, dataclasses.replace(run, drafts=drafts)))
    assert scores["input_tokens"] == 100 * len(drafts) and scores["cost_usd"] == 0.5 * len(drafts)
    assert scores["seconds"] == run.seconds > 0


def _context(case: Case, run: CaseRun) -> Any:
    from pydantic_evals.evaluators import EvaluatorContext
    from pydantic_evals.otel._errors import SpanTreeRecordingError

    return EvaluatorContext(
        name=case.id,
        inputs=case,
        metadata=None,
        expected_output=None,
        output=run,
        duration=run.seconds,
        _span_tree=SpanTreeRecordingError("not recorded"),
        attributes={},
        metrics={},
    )


# ---------------------------------------------------------------------------- the gate


def test_the_gate_holds_floors_and_tolerances_against_a_baseline() -> None:
    report = Report("offline", [])
    baseline = {"key_evidence_recall": 0.60, "theme_count_error": 1.0}
    report.summary = {"key_evidence_recall": 0.50, "leaks": 1.0, "theme_count_error": 1.2}
    failures = {f.metric: f for f in gate(report, baseline)}
    assert failures["leaks"].reason == "beyond its floor"
    assert "regressed" in failures["key_evidence_recall"].reason
    assert "theme_count_error" not in failures  # 1.2 is within 0.3 of 1.0, lower is better
    report.summary = {"key_evidence_recall": 0.58, "theme_count_error": 1.31}
    failures = {f.metric: f for f in gate(report, baseline)}
    assert set(failures) == {"theme_count_error"}


def test_a_baseline_is_a_json_file_or_a_stored_run_and_anything_else_is_a_clear_error(
    tmp_path: Path, eval_engine: Engine
) -> None:
    good = tmp_path / "b.json"
    good.write_text(json.dumps({"summary": {"leaks": 0}}))
    assert load_baseline(str(good)) == {"leaks": 0.0}
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    for reference, code in ((str(bad), "invalid_baseline"), ("yesterday", "invalid_baseline")):
        with pytest.raises(Exception) as caught:
            load_baseline(reference, eval_engine)
        assert getattr(caught.value, "code", None) == code
    with pytest.raises(Exception) as caught:
        load_baseline(str(uuid.uuid4()), eval_engine)
    assert getattr(caught.value, "code", None) == "unknown_eval_run"


class Regressed(OfflineDrafter):
    """The offline drafter with a bug: it forgets the growth areas and every expectation."""

    name = "offline"

    def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
        drafted = super().synthesis(inputs)
        output = drafted.output.model_copy(update={"growth_areas": [], "expectations": []})
        return dataclasses.replace(drafted, output=output)


@pytest.fixture
def configured(engine: Engine, eval_engine: Engine) -> Iterator[None]:
    """`synth eval` pointed at the test server, its runs stored in this module's database."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNTH_DATABASE_URL", eval_engine.url.render_as_string(hide_password=False))
        get_settings.cache_clear()
        db_engine.get_engine.cache_clear()
        yield
    get_settings.cache_clear()
    db_engine.get_engine.cache_clear()


def test_synth_eval_scores_stores_the_run_and_fails_a_regressed_drafter(
    configured: None,
    tmp_path: Path,
    eval_engine: Engine,
    case: Case,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    baseline = tmp_path / "baseline.json"
    monkeypatch.setattr("synth.evaluation.suite.BASELINE", tmp_path / "no-committed-baseline.json")
    people = text("SELECT count(*) FROM people WHERE email LIKE '%eval.test'")
    with transaction(sessionmaker(bind=eval_engine)) as db:
        before = db.scalar(people)
    result = CliRunner().invoke(
        app,
        ["eval", "--cases", str(CASES), "--baseline", str(tmp_path / "none.json"), "--json"],
    )
    assert result.exit_code == 2 and "invalid_baseline" in result.output  # nothing run
    result = CliRunner().invoke(
        app, ["eval", "--cases", str(CASES), "--write-baseline", str(baseline), "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["passed"] and body["cases"] == 1 and body["summary"]["cases_failed"] == 0
    assert body["summary"]["leaks"] == 0 and 0 < body["summary"]["key_evidence_recall"] <= 1
    written = json.loads(baseline.read_text())
    assert written["drafter"] == "offline" and written["summary"]["expectation_status_accuracy"] > 0
    with transaction(sessionmaker(bind=eval_engine)) as db:
        stored = db.get(EvalRun, uuid.UUID(body["run_id"]))
        assert stored is not None and stored.passed and stored.case_count == 1
        assert stored.prompt_versions.keys() == {"synthesis", "expectations", "checklist"}
        row = db.scalar(select(EvalCaseResult).where(EvalCaseResult.run_id == stored.id))
        assert row is not None and row.case_id == CASE_ID
        assert row.drafts["synthesis"]["output"]["strengths"] and row.scores["swap_parity"] >= 0
        # the cases live in a scratch database: none of their people reach the team's
        assert db.scalar(people) == before

    monkeypatch.setattr("synth.drafting.factory.get_drafter", lambda model=None: Regressed())
    result = CliRunner().invoke(
        app, ["eval", "--cases", str(CASES), "--baseline", str(baseline), "--no-parity"]
    )
    assert result.exit_code == 1
    assert "expectation_status_accuracy" in result.output and "regressed" in result.output
    with transaction(sessionmaker(bind=eval_engine)) as db:
        assert (
            db.scalar(select(func.count()).select_from(EvalRun).where(EvalRun.passed.is_(False)))
            == 1
        )


def test_a_case_whose_drafting_breaks_is_reported_not_fatal(
    eval_engine: Engine, case: Case
) -> None:
    class Broken(OfflineDrafter):
        def synthesis(self, inputs: SynthesisInputs) -> Drafted[Synthesis]:
            raise RuntimeError("model fell over")

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNTH_DATABASE_URL", eval_engine.url.render_as_string(hide_password=False))
        get_settings.cache_clear()
        try:
            report = run_suite([case], Broken(), minilm(), parity=False, progress=False)
        finally:
            get_settings.cache_clear()
    (result,) = report.results
    assert result.scores["drafts_failed"] == 1 and result.error is None
    assert isinstance(result.run, CaseRun)
    broken = result.run.drafts[DraftKind.SYNTHESIS]
    assert broken.output is None and broken.error is not None and "model fell over" in broken.error
    assert isinstance(result.run.drafts[DraftKind.EXPECTATIONS], CaseDraft)


def test_the_llm_judge_grades_the_synthesis_against_the_rubric(case: Case, run: CaseRun) -> None:
    import asyncio

    from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
    from pydantic_ai.models.function import AgentInfo, FunctionModel

    from synth.evaluation.judge import Judge

    seen: list[str] = []

    def grader(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(str(messages))
        args = {"reason": "Praise is filed as a growth area.", "pass": False, "score": 0.4}
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, args)])

    scores = asyncio.run(Judge(FunctionModel(grader)).evaluate(_context(case, run)))
    assert scores["judge_synthesis"].value == 0.4
    assert scores["judge_synthesis"].reason == "Praise is filed as a growth area."
    (prompt,) = seen
    assert "careful manager would send it" in prompt  # the rubric from synth/prompts/judge
    assert "rollback plan in it saved us" in prompt  # the feedback it judges against
    assert "Growth areas:" in prompt  # the synthesis, as the manager reads it
    no_synthesis = _with_output(run, DraftKind.SYNTHESIS, None)
    assert asyncio.run(Judge(FunctionModel(grader)).evaluate(_context(case, no_synthesis))) == {}
    assert len(seen) == 1  # nothing to grade: no call


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--cases", "/nonexistent/cases"], "invalid_eval_case"),
        (["--cases", str(CASES), "--case", "nobody"], "invalid_eval_case"),
        (["--cases", str(CASES), "--drafter", "ollama/llama3"], "model_not_allowed"),
        (["--cases", str(CASES), "--judge", "no-such-provider-model"], "unknown_model"),
    ],
)
def test_synth_eval_refuses_bad_input_with_a_stable_code_and_runs_nothing(
    configured: None, eval_engine: Engine, args: list[str], code: str
) -> None:
    with transaction(sessionmaker(bind=eval_engine)) as db:
        before = db.scalar(select(func.count()).select_from(EvalRun))
    result = CliRunner().invoke(app, ["eval", *args])
    assert result.exit_code == 2 and code in result.output, result.output
    with transaction(sessionmaker(bind=eval_engine)) as db:
        assert db.scalar(select(func.count()).select_from(EvalRun)) == before
