"""Factories for the domain: people, periods, expectations, feedback, assessments, keys."""

import hashlib
import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.auth.service import create_key
from synth.cycles.feedback import content_hash
from synth.cycles.models import (
    Expectation,
    ExpectationKind,
    KeyStep,
    PeerFeedback,
    PeriodKind,
    PeriodStatus,
    Relationship,
    ReviewPeriod,
    SelfAssessment,
)
from synth.people.models import Function, Person, Track
from synth.talent.models import Confidence, LevelAlignment, TalentAssessment

_seq = itertools.count(1)


def person(
    db: Session,
    name: str | None = None,
    *,
    manager: Person | None = None,
    level: str | None = "mid",
    function: Function = Function.ENGINEERING,
    track: Track = Track.IC,
    start_date: date = date(2022, 1, 10),
) -> Person:
    n = next(_seq)
    name = name or f"Person {n}"
    p = Person(
        email=f"{name.lower().replace(' ', '.')}.{n}@example.test",
        name=name,
        manager_id=manager.id if manager else None,
        level=level,
        title="Engineer",
        function=function,
        track=track,
        start_date=start_date,
    )
    db.add(p)
    db.flush()
    return p


def period(
    db: Session, *, status: PeriodStatus = PeriodStatus.IN_REVIEW, name: str | None = None
) -> ReviewPeriod:
    p = ReviewPeriod(
        name=name or f"Period {next(_seq)}",
        kind=PeriodKind.HALF_YEAR,
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 12, 31),
        status=status,
    )
    db.add(p)
    db.flush()
    return p


def expectation(
    db: Session,
    who: Person,
    in_period: ReviewPeriod,
    *,
    position: int = 1,
    title: str = "Ship the payments retry service",
    kind: ExpectationKind = ExpectationKind.GROWTH,
    steps: tuple[str, ...] = ("Write the design doc", "Build it"),
) -> Expectation:
    e = Expectation(
        period_id=in_period.id,
        person_id=who.id,
        position=position,
        title=title,
        kind=kind,
        key_steps=[KeyStep(position=i, text=t) for i, t in enumerate(steps, start=1)],
    )
    db.add(e)
    db.flush()
    return e


def feedback(
    db: Session,
    author: Person,
    subject: Person,
    in_period: ReviewPeriod,
    text: str = "Thorough code reviews on the ledger service caught two bugs before release.",
    relationship: Relationship = Relationship.PEER,
) -> PeerFeedback:
    fb = PeerFeedback(
        period_id=in_period.id,
        subject_id=subject.id,
        author_id=author.id,
        relationship=relationship,
        author_level=author.level,
        text=text,
        content_hash=content_hash(text),
    )
    db.add(fb)
    db.flush()
    return fb


def assessment(
    db: Session,
    subject: Person,
    assessor: Person,
    in_period: ReviewPeriod,
    *,
    partner: Person | None = None,
) -> TalentAssessment:
    a = TalentAssessment(
        period_id=in_period.id,
        subject_id=subject.id,
        assessor_id=assessor.id,
        thought_partner_id=partner.id if partner else None,
        level_alignment=LevelAlignment.MEETING,
        confidence=Confidence.MEDIUM,
        strengths=["Reliable delivery"],
        development_needs=["Write design docs earlier"],
    )
    db.add(a)
    db.flush()
    return a


def token(db: Session, role: Role, who: Person | None = None) -> str:
    """A fresh key's token for `role` (bound to `who`)."""
    new = create_key(
        db_session=db,
        principal=Principal.system(),
        role=role,
        person_id=who.id if who else None,
    )
    db.flush()
    return new.token


def bearer(db: Session, role: Role, who: Person | None = None) -> dict[str, str]:
    """Authorization header for a fresh key with `role` (bound to `who`)."""
    return {"Authorization": f"Bearer {token(db, role, who)}"}


@dataclass
class Org:
    """A small organisation: director > managers > engineers, a PM, an HR partner."""

    director: Person
    manager: Person
    other_manager: Person
    engineer: Person
    teammate: Person
    outsider: Person
    pm: Person
    hr_person: Person
    partner: Person
    period: ReviewPeriod
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def auth(self, name: str) -> dict[str, str]:
        return self.headers[name]


def org(db: Session, status: PeriodStatus = PeriodStatus.IN_REVIEW) -> Org:
    director = person(db, "Dana Director", level="director", track=Track.MANAGEMENT)
    manager = person(db, "Maya Manager", manager=director, level="em", track=Track.MANAGEMENT)
    other = person(db, "Omar Manager", manager=director, level="em", track=Track.MANAGEMENT)
    engineer = person(db, "Eli Engineer", manager=manager, level="mid")
    teammate = person(db, "Tara Teammate", manager=manager, level="senior")
    outsider = person(db, "Otto Outsider", manager=other, level="senior")
    pm = person(db, "Pia Product", manager=director, level=None, function=Function.PRODUCT)
    hr_person = person(db, "Hana HR", manager=director, level=None, function=Function.HR)
    partner = person(db, "Theo Partner", manager=director, level="staff")
    o = Org(
        director,
        manager,
        other,
        engineer,
        teammate,
        outsider,
        pm,
        hr_person,
        partner,
        period(db, status=status),
    )
    o.headers = {
        "admin": bearer(db, Role.ADMIN),
        "hr": bearer(db, Role.HR),
        "service": bearer(db, Role.SERVICE),
        "director": bearer(db, Role.MANAGER, director),
        "manager": bearer(db, Role.MANAGER, manager),
        "other_manager": bearer(db, Role.MANAGER, other),
        "engineer": bearer(db, Role.ENGINEER, engineer),
        "teammate": bearer(db, Role.ENGINEER, teammate),
        "partner": bearer(db, Role.THOUGHT_PARTNER, partner),
    }
    return o


def reviewed(db: Session, o: Org, rows: list[tuple[str, str]]) -> Org:
    """Feedback about `o.engineer` from (principal name, text) rows (the PM writes as
    cross-functional, the rest as peers), one expectation and an overall self-assessment."""
    for who, text in rows:
        relationship = Relationship.CROSS_FUNCTIONAL if who == "pm" else Relationship.PEER
        feedback(db, getattr(o, who), o.engineer, o.period, text, relationship=relationship)
    expectation(db, o.engineer, o.period)
    db.add(SelfAssessment(period_id=o.period.id, person_id=o.engineer.id, text="I shipped it."))
    db.commit()
    return o


# Three reviewers praising one engineer's code reviews: enough for one releasable theme.
PRAISE = [
    ("teammate", "Her code reviews are thorough and catch real bugs before release."),
    ("partner", "Code reviews from her are careful and detailed; she found a race in the ledger."),
    ("pm", "She reviews pull requests thoroughly and finds defects early."),
]


def queued_synthesis(client: TestClient, o: Org) -> str:
    """The engineer's manager asks for a synthesis; the queued draft's id."""
    body = {"kind": "synthesis", "subject_id": str(o.engineer.id), "period_id": str(o.period.id)}
    answer = client.post("/v1/drafts", json=body, headers=o.auth("manager"))
    assert answer.status_code == 202, answer.text
    draft_id: str = answer.json()["id"]
    return draft_id


def uid() -> str:
    return str(uuid.uuid4())


def own_words(seed: str) -> str:
    """Ten words only this remark has, the same for the same seed (a retry sends the same
    text): one writer's notes that share most of their wording read as rewordings of each
    other (409 feedback_exists)."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return " ".join(digest[i : i + 6] for i in range(0, 60, 6))
