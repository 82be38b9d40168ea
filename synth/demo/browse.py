"""`synth serve --demo`: the web app over the database `synth demo` left, with a key for each
of the people whose pages are worth opening.

The demo ends with drafts released for one team and waiting for review in the others, and
checklists for the assessments thought partners review: this picks the manager with the most
drafts waiting, an engineer whose synthesis was released, a thought partner with a checklist
and HR, and makes each a fresh key (named "demo web", revocable like any other).
"""

from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.auth.service import create_key
from synth.db.engine import database_url, make_engine, session_scope
from synth.demo.runner import DEMO_DATABASE
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.errors import InvalidInput
from synth.people.models import Person
from synth.talent.models import TalentAssessment

KEY_NAME = "demo web"


@dataclass(frozen=True)
class DemoKey:
    """Who a key signs in as, where they land, and the key itself (shown once)."""

    label: str
    page: str
    token: str


def demo_engine() -> Engine:
    """The demo's database on the configured server (InvalidInput `no_demo` if absent)."""
    admin = create_engine(database_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DEMO_DATABASE}
            )
    finally:
        admin.dispose()
    if not found:
        raise InvalidInput("there is no demo database: run `synth demo` first", code="no_demo")
    return make_engine(database_url(DEMO_DATABASE))


def _waiting_manager(db: Session) -> Person | None:
    """The manager with the most drafts about their direct reports waiting for review."""
    waiting = (
        select(Person.manager_id, func.count().label("n"))
        .join(Draft, Draft.subject_id == Person.id)
        .where(Draft.status == DraftStatus.READY_FOR_REVIEW, Person.manager_id.is_not(None))
        .group_by(Person.manager_id)
        .order_by(func.count().desc(), Person.manager_id)
        .limit(1)
    )
    row = db.execute(waiting).first()
    return db.get(Person, row[0]) if row else None


def _released_engineer(db: Session) -> Person | None:
    return db.scalar(
        select(Person)
        .join(Draft, Draft.subject_id == Person.id)
        .where(Draft.kind == DraftKind.SYNTHESIS, Draft.status == DraftStatus.RELEASED)
        .order_by(Person.name)
        .limit(1)
    )


def _partner(db: Session) -> Person | None:
    return db.scalar(
        select(Person)
        .join(TalentAssessment, TalentAssessment.thought_partner_id == Person.id)
        .join(Draft, Draft.assessment_id == TalentAssessment.id)
        .where(Draft.kind == DraftKind.CHECKLIST)
        .order_by(Person.name)
        .limit(1)
    )


def demo_keys(engine: Engine) -> list[DemoKey]:
    """A new key for HR, the busiest manager, a released engineer and a thought partner."""
    with session_scope(engine) as db:
        if db.scalar(select(func.count()).select_from(Person)) == 0:
            raise InvalidInput("the demo database is empty: run `synth demo` first", code="no_demo")
        picks: list[tuple[str, str, Role, Person | None]] = [("HR", "/app/hr", Role.HR, None)]
        for person, role, page, what in (
            (_waiting_manager(db), Role.MANAGER, "/app/review", "manager, drafts waiting"),
            (_released_engineer(db), Role.ENGINEER, "/app/me", "engineer, synthesis released"),
            (_partner(db), Role.THOUGHT_PARTNER, "/app/partner", "thought partner"),
        ):
            if person is not None:
                picks.append((f"{person.name} ({what})", page, role, person))
        keys = []
        for label, page, role, who in picks:
            new = create_key(
                db_session=db,
                principal=Principal.system(),
                role=role,
                person_id=who.id if who else None,
                name=KEY_NAME,
            )
            keys.append(DemoKey(label=label, page=page, token=new.token))
        return keys
