"""`synth demo` runs a whole period on the sample organisation, offline, end to end."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine

from synth.config import get_settings
from synth.db import engine as db_engine
from synth.demo.data_files import load
from synth.demo.runner import DemoResult, run_demo


@pytest.fixture(scope="module")
def demo_run(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoResult]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNTH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        get_settings.cache_clear()
        db_engine.get_engine.cache_clear()
        out = tmp_path_factory.mktemp("demo")
        yield run_demo(out=out, console=Console(file=open(out / "console.txt", "w")))
    get_settings.cache_clear()
    db_engine.get_engine.cache_clear()


def test_the_sample_organisation_is_realistic() -> None:
    sample = load()
    levels = {row.data.get("level") for row in sample.people}
    assert {"junior", "mid", "senior", "staff", "principal", "em", "director"} <= levels
    engineers = [r for r in sample.people if r.data.get("track") == "ic" and r.data.get("level")]
    assert 25 <= len(engineers) <= 40
    texts = " ".join(str(r.data["text"]).lower() for r in sample.feedback)
    assert "ignore" in texts and "instructions" in texts  # a prompt-injection attempt
    assert any(word in texts for word in ("raise", "salary", "bonus", "compensation"))


def test_demo_stores_a_whole_period(demo_run: DemoResult) -> None:
    counts = demo_run.counts
    assert counts["people"] >= 33
    assert counts["expectations"] >= 3 * 30
    assert counts["self_assessments"] >= 30
    assert counts["peer_feedback"] >= 100
    assert counts["talent_assessments"] >= 12
    stored = ("people", "expectations", "self_assessments", "peer_feedback", "talent_assessments")
    assert counts["audit_events"] > sum(counts[k] for k in stored)
    assert counts["statements"] > counts["peer_feedback"] and counts["themes"] >= 30


def test_demo_shows_the_rules_holding(demo_run: DemoResult) -> None:
    codes = dict(demo_run.refusals)
    assert codes == {
        "the same feedback submitted twice": "duplicate_feedback",
        "feedback about oneself": "self_feedback",
        "editing an expectation locked for the period": "expectation_locked",
        "an engineer opening their own talent assessment": "assessment_not_found",
    }


def test_demo_writes_a_readable_report(demo_run: DemoResult) -> None:
    assert demo_run.report is not None
    report = Path(demo_run.report).read_text()
    assert report.startswith("# synth demo: review period 2026 H2")
    assert "## New hires" in report and "refused with expectation_locked" in report


def test_demo_drafts_everyone_and_releases_one_team(demo_run: DemoResult) -> None:
    counts = demo_run.counts
    assert counts["drafts"] >= 2 * 30 + 12
    assert 0 < counts["drafts_released"] < counts["drafts"]
    assert demo_run.report is not None
    report = Path(demo_run.report).read_text()
    for heading in (
        "the synthesis",
        "sees after release",
        "Suggested expectations for",
        "Evidence checklist",
    ):
        assert heading in report
    html = Path(demo_run.report).with_suffix(".html").read_text()
    assert html.startswith("<!doctype html>") and "<table>" in html and "<script" not in html


def test_the_period_after_a_half_year_is_the_next_half_year() -> None:
    from datetime import date

    from synth.cycles.models import ReviewPeriod
    from synth.drafting.gather import next_period

    after = next_period(
        ReviewPeriod(name="H2", starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31))
    )
    assert (after.starts_on, after.ends_on) == (date(2027, 1, 1), date(2027, 6, 30))


def test_demo_checklists_never_repeat_a_gather_sentence(
    demo_run: DemoResult, engine: Engine
) -> None:
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from synth.demo.runner import DEMO_DATABASE
    from synth.drafting.models import Draft, DraftKind

    demo = create_engine(engine.url.set(database=DEMO_DATABASE))
    with Session(demo) as db:
        drafts = db.scalars(select(Draft).where(Draft.output.is_not(None))).all()
        checklists = [d.output for d in drafts if d.kind is DraftKind.CHECKLIST and d.output]
        syntheses = [(d.output, d.released) for d in drafts if d.kind is DraftKind.SYNTHESIS]
    assert checklists
    for checklist in checklists:
        said = [g for item in checklist["items"] for g in item["gather"]]
        assert len(said) == len(set(said)), said
    # Flagged remarks reach the manager's version and never the released one.
    assert any(output and output["flagged"] for output, _ in syntheses)
    for output, released in syntheses:
        if output and released is not None:
            assert "flagged" not in released
            for remark in output["flagged"]:
                assert remark["citation"]["quote"] not in str(released)
    assert demo_run.report is not None
    assert "Flagged for review" in Path(demo_run.report).read_text()
    demo.dispose()


def test_demo_runs_the_period_from_planning_to_closed(demo_run: DemoResult, engine: Engine) -> None:
    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    from synth.cycles.models import (
        Expectation,
        ExpectationComment,
        ExpectationStatus,
        FeedbackRequest,
        FeedbackVersion,
        PeriodStatus,
        RequestStatus,
        ReviewPeriod,
    )
    from synth.demo.runner import DEMO_DATABASE
    from synth.drafting.models import KeyStepSuggestion

    demo = create_engine(engine.url.set(database=DEMO_DATABASE))
    with Session(demo) as db:
        by_name = {p.name: p for p in db.scalars(select(ReviewPeriod))}
        closed, nxt = by_name["2026 H2"], by_name["2027 H1"]
        assert (closed.status, nxt.status) == (PeriodStatus.CLOSED, PeriodStatus.PLANNING)
        locked = db.scalars(
            select(Expectation).where(
                Expectation.period_id == closed.id,
                Expectation.status == ExpectationStatus.LOCKED,
            )
        ).all()
        assert locked and all(e.engineer_agreed_at and e.manager_agreed_at for e in locked)
        assert all(e.manager_outcome and e.manager_reflection for e in locked)
        planned = db.scalars(select(Expectation).where(Expectation.period_id == nxt.id)).all()
        assert all(e.status is ExpectationStatus.PROPOSED for e in planned)
        assert len([e for e in planned if e.source_draft_id]) == 1  # a suggestion adopted
        assert [e for e in planned if e.carried_from_id]  # the plan still open, carried
        assert db.scalar(select(func.count()).select_from(ExpectationComment)) == 1
        adopted = db.scalars(select(KeyStepSuggestion)).all()
        assert [len(s.adopted) for s in adopted] == [2]
        statuses = db.scalars(select(FeedbackRequest.status)).all()
        assert RequestStatus.DECLINED in statuses and RequestStatus.SUBMITTED in statuses
        assert db.scalar(select(func.count()).select_from(FeedbackVersion)) == 1
    assert demo_run.report is not None
    report = Path(demo_run.report).read_text()
    section = report.split("## The period, step by step")[1].split("\n## ")[0]
    for phase in ("Planning", "Feedback requests", "rewording", "Outcomes and close"):
        assert phase in section
    for step in ("too_few_agreed_expectations", "skip-level", "asked for key steps", "declined"):
        assert step in section


def test_serve_demo_hands_out_a_key_per_role_worth_opening(
    demo_run: DemoResult, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synth.auth.models import Role
    from synth.auth.service import authenticate
    from synth.db.engine import session_scope
    from synth.demo.browse import demo_engine, demo_keys
    from synth.drafting import service as drafting
    from synth.drafting.models import Draft, DraftStatus

    monkeypatch.setenv("SYNTH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        demo = demo_engine()
        keys = {key.page: key for key in demo_keys(demo)}
        assert set(keys) == {"/app/hr", "/app/review", "/app/me", "/app/partner"}
        with session_scope(demo) as db:
            roles = {page: authenticate(db_session=db, token=k.token) for page, k in keys.items()}
            assert roles["/app/hr"].role is Role.HR
            manager = roles["/app/review"]
            waiting = db.scalars(
                drafting.readable_drafts(manager).where(
                    Draft.status == DraftStatus.READY_FOR_REVIEW
                )
            ).all()
            assert waiting, "the manager picked has drafts waiting"
            engineer = roles["/app/me"]
            mine = db.scalars(drafting.readable_drafts(engineer)).all()
            assert any(d.status == DraftStatus.RELEASED for d in mine)
        demo.dispose()
    finally:
        get_settings.cache_clear()


def test_serve_demo_without_a_demo_says_so(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.demo import browse
    from synth.errors import InvalidInput

    monkeypatch.setenv("SYNTH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr(browse, "DEMO_DATABASE", "synth_demo_never_made")
    get_settings.cache_clear()
    try:
        with pytest.raises(InvalidInput) as refused:
            browse.demo_engine()
        assert refused.value.code == "no_demo"
    finally:
        get_settings.cache_clear()
