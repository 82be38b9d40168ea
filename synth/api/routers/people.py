"""/v1/people and /v1/levels: the org chart and the leveling framework."""

import uuid

from fastapi import APIRouter

from synth.api.deps import CreateDep, CurrentPrincipal, PageDep, SessionDep
from synth.api.openapi import errors
from synth.db.pagination import paginate
from synth.people import ladder
from synth.people import service as people
from synth.people.models import Person
from synth.people.schemas import LevelOut, OrgPosition, PersonCreate, PersonOut, PersonUpdate
from synth.schemas import Page

router = APIRouter(tags=["people"])


@router.get("/people", response_model=Page[PersonOut])
def list_people(
    db: SessionDep, principal: CurrentPrincipal, page: PageDep, manager_id: uuid.UUID | None = None
) -> Page[PersonOut]:
    """List people, optionally only the direct reports of `manager_id`."""
    statement = people.readable_people(principal)
    if manager_id is not None:
        statement = statement.where(Person.manager_id == manager_id)
    return paginate(db, statement, page, PersonOut.model_validate)


@router.post("/people", status_code=201, response_model=PersonOut, responses=errors(403))
def create_person(
    body: PersonCreate,
    create: CreateDep,
) -> object:
    """Add a person to the org chart (admin, hr, service)."""
    return create(
        body,
        lambda db, principal: PersonOut.model_validate(
            people.create(db_session=db, principal=principal, data=body)
        ),
    )


@router.get("/people/{person_id}", response_model=OrgPosition)
def get_person(person_id: uuid.UUID, db: SessionDep, principal: CurrentPrincipal) -> OrgPosition:
    """Read one person with their manager, derived skip-level and direct reports."""
    return people.org_position(db_session=db, principal=principal, person_id=person_id)


@router.patch("/people/{person_id}", response_model=PersonOut, responses=errors(403))
def update_person(
    person_id: uuid.UUID, body: PersonUpdate, db: SessionDep, principal: CurrentPrincipal
) -> PersonOut:
    """Change a person's details or place in the org chart (admin, hr, service)."""
    person = people.update(db_session=db, principal=principal, person_id=person_id, data=body)
    return PersonOut.model_validate(person)


@router.get("/levels", response_model=list[LevelOut])
def list_levels(db: SessionDep, principal: CurrentPrincipal) -> list[LevelOut]:
    """List the levels of the leveling framework, in ladder order."""
    return [LevelOut.model_validate(level) for level in ladder.list_levels(db)]
