"""Run the demo: build the sample org, run one review period, write a readable report.

Everything goes through the same service functions the API calls, with each step done by
the person who would do it (managers set and agree expectations, engineers assess
themselves, colleagues write feedback), so the audit log reads like a real period.
"""

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from synth.audit.models import AuditEvent
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.bootstrap import prepare
from synth.cycles import expectations, feedback, periods, self_assessments
from synth.cycles.models import Expectation, PeerFeedback, PeriodStatus, ReviewPeriod
from synth.cycles.schemas import (
    ExpectationUpdate,
    FeedbackCreate,
    PeriodCreate,
    SelfAssessmentCreate,
)
from synth.db.engine import make_engine, recreate_database, session_scope
from synth.demo import document as doc_
from synth.demo.close_step import outcomes_and_close
from synth.demo.data_files import PERIOD, SampleOrg, load
from synth.demo.document import Block, Bullets, Document, Heading, Paragraph
from synth.demo.drafts_step import draft_blocks, run_draft_step
from synth.demo.period_step import (
    PeriodLog,
    answered_requests,
    manager_principal,
    person_principal,
    plan,
    propose,
    request_feedback,
    reword,
)
from synth.demo.themes_step import report_blocks, run_theme_step
from synth.drafting.factory import get_drafter
from synth.errors import SynthError
from synth.people.importer import import_people
from synth.people.models import Person, Track
from synth.talent import service as talent
from synth.talent.models import TalentAssessment
from synth.talent.schemas import AssessmentCreate
from synth.themes.embedders import get_embedder

DEMO_DATABASE = "synth_demo"


@dataclass
class DemoResult:
    """What the demo stored and what it showed being refused."""

    counts: dict[str, int] = field(default_factory=dict)
    refusals: list[tuple[str, str]] = field(default_factory=list)
    report: Path | None = None


def _people(db: Session) -> dict[str, Person]:
    return {p.email: p for p in db.scalars(select(Person))}


def _self_assess(
    db: Session, sample: SampleOrg, period: ReviewPeriod, people: dict[str, Person]
) -> int:
    made = 0
    for email, entry in sample.self_assessments.items():
        person = people[email]
        me = person_principal(person)
        positions = {
            e.position: e.id
            for e in db.scalars(
                select(Expectation).where(
                    Expectation.person_id == person.id, Expectation.period_id == period.id
                )
            )
        }
        self_assessments.create(
            db_session=db,
            principal=me,
            data=SelfAssessmentCreate(period_id=period.id, text=entry["overall"]),
        )
        made += 1
        for item in entry.get("expectations") or []:
            self_assessments.create(
                db_session=db,
                principal=me,
                data=SelfAssessmentCreate(
                    period_id=period.id,
                    expectation_id=positions[item["position"]],
                    outcome=item["outcome"],
                    text=item["text"],
                ),
            )
            made += 1
    return made


def _collect_feedback(
    db: Session, sample: SampleOrg, period: ReviewPeriod, people: dict[str, Person]
) -> int:
    for row in sample.feedback:
        data = dict(row.data)
        author = people[data.pop("author_email")]
        subject = people[data.pop("subject_email")]
        feedback.submit(
            db_session=db,
            principal=person_principal(author),
            data=FeedbackCreate(period_id=period.id, subject_id=subject.id, **data),
        )
    return len(sample.feedback)


def _assess(db: Session, sample: SampleOrg, period: ReviewPeriod, people: dict[str, Person]) -> int:
    for item in sample.talent_assessments:
        data = dict(item)
        subject = people[data.pop("subject_email")]
        assessor = people[data.pop("assessor_email")]
        partner = people[data.pop("thought_partner_email")]
        data["recommended_level"] = data.pop("recommended_level_change", None)
        talent.create(
            db_session=db,
            principal=Principal(role=Role.MANAGER, person_id=assessor.id),
            data=AssessmentCreate(
                period_id=period.id,
                subject_id=subject.id,
                thought_partner_id=partner.id,
                **data,
            ),
        )
    return len(sample.talent_assessments)


def run_demo(*, out: Path, console: Console, data: SampleOrg | None = None) -> DemoResult:
    """Build the sample organisation in the `synth_demo` database and run one period."""
    sample = data or load()
    result = DemoResult()
    console.print(f"[bold]synth demo[/]: recreating database [cyan]{DEMO_DATABASE}[/] …")
    engine = make_engine(recreate_database(DEMO_DATABASE))
    try:
        prepare(engine)
        hr = Principal(role=Role.HR)
        with session_scope(engine) as db:
            people = import_people(db_session=db, principal=hr, rows=sample.people)
            result.counts["people"] = len(people)
            period = periods.create(
                db_session=db, principal=hr, data=PeriodCreate.model_validate(PERIOD)
            )
            people_by_email = _people(db)
            log = PeriodLog()
            result.counts["expectations"] = plan(db, sample, period, people_by_email, log)
            result.counts["expectations"] += propose(
                db, sample, period, people_by_email, new_hires=True
            )
            request_feedback(db, sample, period, people_by_email, log)
            periods.transition(
                db_session=db, principal=hr, period_id=period.id, status=PeriodStatus.IN_REVIEW
            )
            result.counts["self_assessments"] = _self_assess(db, sample, period, people_by_email)
            result.counts["peer_feedback"] = _collect_feedback(db, sample, period, people_by_email)
            answered_requests(db, period, log)
            reword(db, sample, period, people_by_email, log)
            result.counts["talent_assessments"] = _assess(db, sample, period, people_by_email)
            _show_refusals(db, result, period, people_by_email, sample)
            result.counts["audit_events"] = (
                db.scalar(select(func.count()).select_from(AuditEvent)) or 0
            )
            summary = _summary(db, period)
        embedder = get_embedder()
        themes = run_theme_step(engine, period.id, console, embedder)
        result.counts["statements"] = themes.statements
        result.counts["themes"] = sum(len(t.themes) for _, t in themes.people)
        draft_step = run_draft_step(engine, period.id, console, get_drafter(), embedder)
        result.counts["drafts"] = sum(draft_step.statuses.values())
        result.counts["drafts_released"] = sum(
            n for (_, status), n in draft_step.statuses.items() if status == "released"
        )
        with session_scope(engine) as db:
            outcomes_and_close(db, sample, period, _people(db), log)
        result.report = _write_report(
            out, result, summary, log.blocks() + report_blocks(themes) + draft_blocks(draft_step)
        )
    finally:
        engine.dispose()
    _print(console, result, summary)
    return result


def _show_refusals(
    db: Session,
    result: DemoResult,
    period: ReviewPeriod,
    people: dict[str, Person],
    sample: SampleOrg,
) -> None:
    """Show the rules holding: each of these must be refused with a stable code."""
    first = sample.feedback[0].data
    author, subject = people[first["author_email"]], people[first["subject_email"]]
    locked = db.scalars(select(Expectation).where(Expectation.period_id == period.id)).first()
    assert locked is not None
    resubmit = FeedbackCreate(
        period_id=period.id,
        subject_id=subject.id,
        relationship=first["relationship"],
        text=first["text"],
    )
    checks: list[tuple[str, Any]] = [
        (
            "the same feedback submitted twice",
            lambda: feedback.submit(
                db_session=db, principal=person_principal(author), data=resubmit
            ),
        ),
        (
            "feedback about oneself",
            lambda: feedback.submit(
                db_session=db,
                principal=person_principal(subject),
                data=resubmit.model_copy(update={"text": "I did great work."}),
            ),
        ),
        (
            "editing an expectation locked for the period",
            lambda: expectations.update(
                db_session=db,
                principal=manager_principal(people_by_id(db, locked.person_id)),
                expectation_id=locked.id,
                data=ExpectationUpdate(title="A softer target"),
            ),
        ),
        (
            "an engineer opening their own talent assessment",
            lambda: _open_own_assessment(db, period, people, sample),
        ),
    ]
    for label, action in checks:
        try:
            with db.begin_nested():
                action()
        except SynthError as exc:
            result.refusals.append((label, exc.code))
            continue
        raise AssertionError(f"demo expected '{label}' to be refused")


def people_by_id(db: Session, person_id: uuid.UUID) -> Person:
    person = db.get(Person, person_id)
    assert person is not None
    return person


def _open_own_assessment(
    db: Session, period: ReviewPeriod, people: dict[str, Person], sample: SampleOrg
) -> None:
    subject = people[sample.talent_assessments[0]["subject_email"]]
    found = db.scalar(select(TalentAssessment.id).where(TalentAssessment.subject_id == subject.id))
    assert found is not None
    talent.get(db_session=db, principal=person_principal(subject), assessment_id=found)


@dataclass
class _Summary:
    period: str
    teams: list[tuple[str, int, int, int]]
    by_level: Counter[str]
    by_kind: Counter[str]
    by_relationship: Counter[str]
    new_hires: list[tuple[str, date, int]]


def _summary(db: Session, period: ReviewPeriod) -> _Summary:
    people = list(db.scalars(select(Person)))
    exps = list(db.scalars(select(Expectation).where(Expectation.period_id == period.id)))
    fbs = list(db.scalars(select(PeerFeedback).where(PeerFeedback.period_id == period.id)))
    teams: list[tuple[str, int, int, int]] = []
    for manager in sorted(people, key=lambda p: p.name):
        reports = [p for p in people if p.manager_id == manager.id and p.level]
        if manager.track is not Track.MANAGEMENT or not reports:
            continue
        ids = {r.id for r in reports}
        teams.append(
            (
                manager.name,
                len(reports),
                sum(1 for e in exps if e.person_id in ids),
                sum(1 for f in fbs if f.subject_id in ids),
            )
        )
    new_hires = [
        (p.name, p.start_date, sum(1 for e in exps if e.person_id == p.id))
        for p in people
        if p.start_date >= period.starts_on
    ]
    return _Summary(
        period=period.name,
        teams=teams,
        by_level=Counter(p.level or "(cross-functional)" for p in people),
        by_kind=Counter(e.kind.value for e in exps),
        by_relationship=Counter(f.relationship.value for f in fbs),
        new_hires=sorted(new_hires, key=lambda t: t[1]),
    )


def _write_report(out: Path, result: DemoResult, summary: _Summary, extra: list[Block]) -> Path:
    """Write report.md and report.html (same content) into `out`; returns the Markdown path."""
    doc = Document(f"synth demo: review period {summary.period}")
    doc.add(
        Paragraph(
            "Stored through the same services as the HTTP API, each step by the person who "
            "would do it. Database: synth_demo on the embedded PostgreSQL. No network, no key."
        ),
        Heading("What was stored"),
        doc_.Table(
            ["record", "count"], [[k.replace("_", " "), str(v)] for k, v in result.counts.items()]
        ),
        Heading("Teams"),
        doc_.Table(
            ["manager", "reports", "expectations", "peer feedback"],
            [[m, str(r), str(e), str(f)] for m, r, e, f in summary.teams],
        ),
        Heading("Expectations by kind"),
        Bullets([f"{k}: {v}" for k, v in summary.by_kind.most_common()]),
        Heading("Feedback by relationship"),
        Bullets([f"{k}: {v}" for k, v in summary.by_relationship.most_common()]),
        Heading("New hires (onboarding expectations set after the period started)"),
        Bullets([f"{n}, started {d}: {c} expectations" for n, d, c in summary.new_hires]),
        Heading("Rules that held"),
        Bullets([f"{label}: refused with {code}" for label, code in result.refusals]),
        *extra,
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.html").write_text(doc.html(), encoding="utf-8")
    path = out / "report.md"
    path.write_text(doc.markdown(), encoding="utf-8")
    return path


def _print(console: Console, result: DemoResult, summary: _Summary) -> None:
    table = Table(title=f"Review period {summary.period}", show_header=True)
    table.add_column("stored")
    table.add_column("count", justify="right")
    for key, value in result.counts.items():
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)
    teams = Table("manager", "reports", "expectations", "peer feedback", title="Teams")
    for row in summary.teams:
        teams.add_row(*(str(x) for x in row))
    console.print(teams)
    for label, code in result.refusals:
        console.print(f"[green]✓[/] refused {label} ([cyan]{code}[/])")
    console.print(f"report written to [bold]{result.report}[/]")
