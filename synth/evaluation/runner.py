"""Run one eval case: store its period through the services, draft every kind, read them back.

Cases are stored in a scratch database of their own (never the one a team works in), each
under its own period and e-mail domain, so cases never see each other's people or feedback.
The org chart is built from the relationships the feedback claims (a `report` reviewer
reports to the subject, a `skip_level` one manages the manager), because the feedback
service checks them against it like it does for real feedback.
"""

import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles import expectations, feedback, periods, self_assessments
from synth.cycles.models import PeriodKind, PeriodStatus
from synth.cycles.schemas import (
    ExpectationAnswer,
    ExpectationCreate,
    FeedbackCreate,
    KeyStepIn,
    PeriodCreate,
    SelfAssessmentCreate,
)
from synth.db.engine import transaction
from synth.drafting import service as drafts
from synth.drafting.base import Drafter
from synth.drafting.inputs import INPUT_TYPES
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.drafting.outputs import OUTPUT_TYPES
from synth.drafting.schemas import DraftRequest
from synth.errors import SynthError
from synth.evaluation.cases import Case
from synth.evidence import Relationship
from synth.people.models import Function, Person, Track
from synth.talent import service as talent
from synth.talent.schemas import AssessmentCreate
from synth.themes.embedders import Embedder
from synth.themes.ingest import ingest
from synth.workflow.jobs import generate_all

HR = Principal(role=Role.HR)


@dataclass(frozen=True)
class CaseDraft:
    """One draft of a case as the gate stored it."""

    kind: DraftKind
    status: DraftStatus
    output: BaseModel | None
    inputs: BaseModel | None
    findings: list[dict[str, Any]]
    usage: dict[str, Any]
    model: str | None
    prompt_version: str | None
    error: str | None
    released: dict[str, Any] | None = None
    release_refused: str | None = None


@dataclass
class CaseRun:
    """What synth made of one case: its drafts, and the ids its records were stored under."""

    case_id: str
    feedback_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    expectation_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    self_assessment_ids: set[uuid.UUID] = field(default_factory=set)
    feedback_texts: dict[uuid.UUID, str] = field(default_factory=dict)
    drafts: dict[DraftKind, CaseDraft] = field(default_factory=dict)
    seconds: float = 0.0
    swapped: "CaseRun | None" = None  # the same case with the name and pronouns swapped

    def output(self, kind: DraftKind) -> Any:
        """The typed output of `kind`, or None when it was not drafted or failed."""
        drafted = self.drafts.get(kind)
        return drafted.output if drafted is not None else None

    def inputs(self, kind: DraftKind) -> Any:
        drafted = self.drafts.get(kind)
        return drafted.inputs if drafted is not None else None

    @property
    def feedback_keys(self) -> dict[uuid.UUID, str]:
        return {v: k for k, v in self.feedback_ids.items()}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".") or "person"


class _Org:
    """The people of one case, created through the people service's model."""

    def __init__(self, db: Session, case: Case) -> None:
        self.db, self.case = db, case
        self.domain = f"{case.id}.eval.test"
        roles: dict[str, Relationship] = {}
        for item in case.feedback:
            roles.setdefault(item.author, item.relationship)
        skip = [k for k, r in roles.items() if r is Relationship.SKIP_LEVEL]
        top = self._person("Head of Engineering", level="director", track=Track.MANAGEMENT)
        above = top
        for key in reversed(skip):  # the first skip-level reviewer manages the manager
            above = self._reviewer(key, manager=above, track=Track.MANAGEMENT, level="senior_em")
        self.manager = self._person(
            case.manager.name,
            level=case.manager.level,
            track=Track.MANAGEMENT,
            manager=above,
        )
        s = case.subject
        self.subject = self._person(
            s.name,
            level=s.level,
            track=s.track,
            function=s.function,
            title=s.title,
            start_date=s.start_date,
            manager=self.manager,
        )
        self.people: dict[str, Person] = {"manager": self.manager}
        for key in skip:
            self.people[key] = self._existing(key)
        for reviewer in case.reviewers:
            if reviewer.key in self.people:
                continue
            report = roles.get(reviewer.key) is Relationship.REPORT
            self.people[reviewer.key] = self._reviewer(
                reviewer.key, manager=self.subject if report else self.manager
            )

    def _existing(self, key: str) -> Person:
        email = f"{key}@{self.domain}"
        person = self.db.scalar(select(Person).where(Person.email == email))
        assert person is not None
        return person

    def _reviewer(
        self,
        key: str,
        *,
        manager: Person,
        track: Track = Track.IC,
        level: str | None = None,
    ) -> Person:
        spec = next(r for r in self.case.reviewers if r.key == key)
        engineering = spec.function is Function.ENGINEERING
        return self._person(
            spec.name,
            email=f"{key}@{self.domain}",
            level=level or ("mid" if engineering else None),
            track=track,
            function=spec.function,
            title=spec.title,
            manager=manager,
        )

    def _person(
        self,
        name: str,
        *,
        email: str | None = None,
        level: str | None,
        track: Track,
        function: Function = Function.ENGINEERING,
        title: str = "",
        start_date: date = date(2020, 1, 6),
        manager: Person | None = None,
    ) -> Person:
        person = Person(
            email=email or f"{_slug(name)}@{self.domain}",
            name=name,
            level=level,
            track=track,
            function=function,
            title=title,
            start_date=start_date,
            manager_id=manager.id if manager is not None else None,
        )
        self.db.add(person)
        self.db.flush()
        return person


def _as(person: Person) -> Principal:
    role = Role.MANAGER if person.track is Track.MANAGEMENT else Role.ENGINEER
    return Principal(role=role, person_id=person.id)


def store(factory: sessionmaker[Session], case: Case, drafter: str) -> tuple[CaseRun, list[Draft]]:
    """Store the case's period (planning -> active -> in review) and queue its drafts for
    `drafter`."""
    run = CaseRun(case_id=case.id)
    with transaction(factory) as db:
        org = _Org(db, case)
        period = periods.create(
            db_session=db,
            principal=HR,
            data=PeriodCreate(
                name=f"{case.period.name} · {case.id}"[:120],
                kind=PeriodKind.HALF_YEAR,
                starts_on=case.period.starts_on,
                ends_on=case.period.ends_on,
            ),
        )
        new_hire = case.subject.start_date >= case.period.starts_on
        if not new_hire:
            _expectations(db, case, run, org, period.id, agree=True)
        periods.transition(
            db_session=db,
            principal=HR,
            period_id=period.id,
            status=PeriodStatus.ACTIVE,
            # A case sets only its subject's expectations; the reviewers it creates have none.
            force=True,
            reason="evaluation case: only the subject's expectations are set",
        )
        if new_hire:  # a new hire's expectations are set after they start
            _expectations(db, case, run, org, period.id, agree=False)
        periods.transition(
            db_session=db, principal=HR, period_id=period.id, status=PeriodStatus.IN_REVIEW
        )
        _self_assessment(db, case, run, _as(org.subject), period.id)
        positions = {key: i for i, key in enumerate(run.expectation_ids, start=1)}
        for item in case.feedback:
            stored = feedback.submit(
                db_session=db,
                principal=_as(org.people[item.author]),
                data=FeedbackCreate(
                    period_id=period.id,
                    subject_id=org.subject.id,
                    relationship=item.relationship,
                    text=item.text,
                    expectation_answers=[
                        ExpectationAnswer(position=positions[a.expectation], comment=a.comment)
                        for a in item.expectation_answers
                    ],
                ),
            )
            run.feedback_ids[item.key] = stored.id
            run.feedback_texts[stored.id] = stored.text
        queued = _request_drafts(db, case, org, period.id, drafter)
        return run, queued


def _expectations(
    db: Session, case: Case, run: CaseRun, org: _Org, period_id: uuid.UUID, *, agree: bool
) -> None:
    boss = Principal(role=Role.MANAGER, person_id=org.manager.id)
    for item in case.expectations:
        made = expectations.create(
            db_session=db,
            principal=boss,
            data=ExpectationCreate(
                period_id=period_id,
                person_id=org.subject.id,
                title=item.title,
                kind=item.kind,
                due_on=item.due_on,
                key_steps=[KeyStepIn(text=s.text, done=s.done) for s in item.key_steps],
            ),
        )
        if agree:  # jointly crafted: the manager and the engineer sign off
            expectations.agree(db_session=db, principal=boss, expectation_id=made.id)
            expectations.agree(db_session=db, principal=_as(org.subject), expectation_id=made.id)
        run.expectation_ids[item.key] = made.id


def _self_assessment(
    db: Session, case: Case, run: CaseRun, me: Principal, period_id: uuid.UUID
) -> None:
    own = case.self_assessment
    if own is None:
        return
    made = self_assessments.create(
        db_session=db,
        principal=me,
        data=SelfAssessmentCreate(period_id=period_id, text=own.overall),
    )
    run.self_assessment_ids.add(made.id)
    for item in own.expectations:
        made = self_assessments.create(
            db_session=db,
            principal=me,
            data=SelfAssessmentCreate(
                period_id=period_id,
                expectation_id=run.expectation_ids[item.expectation],
                outcome=item.outcome,
                text=item.text,
            ),
        )
        run.self_assessment_ids.add(made.id)


def _request_drafts(
    db: Session, case: Case, org: _Org, period_id: uuid.UUID, drafter: str
) -> list[Draft]:
    boss = Principal(role=Role.MANAGER, person_id=org.manager.id)
    wanted = [
        DraftRequest(kind=DraftKind.SYNTHESIS, subject_id=org.subject.id, period_id=period_id),
        DraftRequest(
            kind=DraftKind.EXPECTATIONS,
            subject_id=org.subject.id,
            period_id=period_id,
            objectives=case.team.objectives,
        ),
    ]
    assessment = case.talent_assessment
    if assessment is not None:
        made = talent.create(
            db_session=db,
            principal=boss,
            data=AssessmentCreate(
                period_id=period_id,
                subject_id=org.subject.id,
                thought_partner_id=org.people[assessment.thought_partner].id,
                level_alignment=assessment.level_alignment,
                confidence=assessment.confidence,
                strengths=assessment.strengths,
                development_needs=assessment.development_needs,
                recommended_level=assessment.recommended_level,
            ),
        )
        wanted.append(
            DraftRequest(
                kind=DraftKind.CHECKLIST,
                subject_id=org.subject.id,
                period_id=period_id,
                assessment_id=made.id,
            )
        )
    return [
        drafts.request(db_session=db, principal=boss, data=w, drafter=drafter)[0] for w in wanted
    ]


def run_case(
    factory: sessionmaker[Session], case: Case, drafter: Drafter, embedder: Embedder
) -> CaseRun:
    """Store `case`, embed its statements, draft every kind with `drafter`, read them back."""
    started = time.perf_counter()
    run, queued = store(factory, case, drafter.name)
    ids = [d.id for d in queued]
    ingest(factory, embedder)
    generate_all(factory, drafter, embedder, limit=len(ids))
    run.seconds = time.perf_counter() - started
    refused = {draft_id: _release(factory, draft_id, embedder) for draft_id in ids}
    with transaction(factory) as db:
        for draft in db.scalars(select(Draft).where(Draft.id.in_(ids))):
            run.drafts[draft.kind] = _read(draft, refused[draft.id])
    return run


def _release(factory: sessionmaker[Session], draft_id: uuid.UUID, embedder: Embedder) -> str | None:
    """Approve the draft as it stands and release it as the manager who asked for it, as a
    manager who trusts it would: what the engineer then reads is what leaks are looked for
    in. Returns the code of the refusal (a blocking guard finding), or None."""
    with transaction(factory) as db:
        draft = db.get(Draft, draft_id)
        assert draft is not None
        if draft.kind is DraftKind.CHECKLIST or draft.status is not DraftStatus.READY_FOR_REVIEW:
            return None
        boss = Principal(role=Role.MANAGER, person_id=draft.requested_by_id)
    try:
        with transaction(factory) as db:
            drafts.approve(db_session=db, principal=boss, draft_id=draft_id)
            drafts.release(db_session=db, principal=boss, draft_id=draft_id, embedder=embedder)
    except SynthError as exc:
        return exc.code
    return None


def _read(draft: Draft, refused: str | None) -> CaseDraft:
    ok = draft.output is not None and draft.status is not DraftStatus.FAILED
    report = draft.guard_report or {}
    return CaseDraft(
        kind=draft.kind,
        status=draft.status,
        output=OUTPUT_TYPES[draft.kind.value].model_validate(draft.output) if ok else None,
        inputs=INPUT_TYPES[draft.kind.value].model_validate(draft.inputs) if draft.inputs else None,
        findings=list(report.get("findings", [])),
        usage=dict(draft.usage or {}),
        model=draft.model,
        prompt_version=draft.prompt_version,
        error=draft.error,
        released=draft.released,
        release_refused=refused,
    )
