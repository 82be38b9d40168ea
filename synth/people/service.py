"""People and the org chart: create, update, look up. Writes are audited."""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from synth.audit.service import record, snapshot
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.db.queries import visible_one
from synth.errors import Conflict, InvalidInput
from synth.people.models import Level, Person
from synth.people.org import is_in_chain, skip_level_id
from synth.people.schemas import OrgPosition, PersonCreate, PersonOut, PersonUpdate

WRITERS = (Role.HR, Role.SERVICE)


def readable_people(principal: Principal) -> Select[Person]:
    """The directory (names, managers, titles) is visible to every authenticated caller."""
    return select(Person).order_by(Person.name, Person.id)


def get(*, db_session: Session, principal: Principal, person_id: uuid.UUID) -> Person:
    """One person the principal may see, or NotFound."""
    person: Person = visible_one(
        db_session,
        readable_people(principal).where(Person.id == person_id),
        message=f"no person with id {person_id}",
        code="person_not_found",
    )
    return person


def resolve(db_session: Session, ref: str, *, field: str = "person") -> Person:
    """A person by id or email (for references inside request bodies and files)."""
    ref = ref.strip()
    person: Person | None
    try:
        person = db_session.get(Person, uuid.UUID(ref))
    except ValueError:
        person = db_session.scalar(select(Person).where(Person.email == ref.lower()))
    if person is None:
        raise InvalidInput(f"{field}: no person '{ref}'", code="unknown_person")
    return person


def _check_level(db_session: Session, level: str | None) -> None:
    if level and db_session.get(Level, level) is None:
        known = ", ".join(db_session.scalars(select(Level.key).order_by(Level.track, Level.rank)))
        raise InvalidInput(f"unknown level '{level}' (known: {known})", code="unknown_level")


def create(*, db_session: Session, principal: Principal, data: PersonCreate) -> Person:
    """Add a person to the org chart."""
    principal.require(*WRITERS)
    if db_session.scalar(select(Person.id).where(Person.email == data.email)) is not None:
        raise Conflict(f"a person with email {data.email} exists", code="duplicate_person")
    _check_level(db_session, data.level)
    manager = resolve(db_session, data.manager, field="manager") if data.manager else None
    person = Person(
        email=data.email,
        name=data.name,
        manager_id=manager.id if manager else None,
        level=data.level or None,
        title=data.title,
        function=data.function,
        track=data.track,
        start_date=data.start_date,
    )
    db_session.add(person)
    record(db_session, principal=principal, action="person.created", entity=person)
    return person


def update(
    *, db_session: Session, principal: Principal, person_id: uuid.UUID, data: PersonUpdate
) -> Person:
    """Change a person's details or place in the org chart (no cycles)."""
    principal.require(*WRITERS)
    person = get(db_session=db_session, principal=principal, person_id=person_id)
    before = snapshot(person)
    changes = data.model_dump(exclude_unset=True)
    if "level" in changes:
        _check_level(db_session, changes["level"])
    if "manager" in changes:
        ref = changes.pop("manager")
        manager = resolve(db_session, ref, field="manager") if ref else None
        if manager is not None and (
            manager.id == person.id
            or is_in_chain(db_session, manager_id=person.id, person_id=manager.id)
        ):
            raise InvalidInput(
                f"{manager.email} reports to {person.email}; that would make a cycle",
                code="org_cycle",
            )
        person.manager_id = manager.id if manager else None
    for name, value in changes.items():
        if value is None and name != "level":
            continue
        setattr(person, name, value)
    record(db_session, principal=principal, action="person.updated", entity=person, before=before)
    return person


def org_position(*, db_session: Session, principal: Principal, person_id: uuid.UUID) -> OrgPosition:
    """Manager, derived skip-level and direct reports of one person."""
    person = get(db_session=db_session, principal=principal, person_id=person_id)
    reports = db_session.scalars(
        select(Person.id).where(Person.manager_id == person.id).order_by(Person.name)
    ).all()
    return OrgPosition(
        person=PersonOut.model_validate(person),
        manager_id=person.manager_id,
        skip_level_id=skip_level_id(db_session, person.id),
        direct_report_ids=list(reports),
    )
