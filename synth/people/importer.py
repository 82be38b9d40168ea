"""Import people from a file: every row is validated first; all are created, or none."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from synth.auth.principal import Principal
from synth.errors import InvalidInput, SynthError
from synth.people import service
from synth.people.models import Person
from synth.people.schemas import PersonCreate
from synth.records import Row, validate_rows, without_blanks

ALIASES = {"manager_email": "manager"}


def import_people(*, db_session: Session, principal: Principal, rows: list[Row]) -> list[Person]:
    """Create everyone in `rows`, managers before their reports, in one transaction."""
    principal.require(*service.WRITERS)
    normalised = [without_blanks(r, ALIASES) for r in rows]
    specs = validate_rows(normalised, PersonCreate)
    lines = {spec.email: row.line for spec, row in zip(specs, normalised, strict=True)}
    errors: list[dict[str, Any]] = []
    if len(lines) != len(specs):
        seen: set[str] = set()
        for spec, row in zip(specs, normalised, strict=True):
            if spec.email in seen:
                errors.append(
                    {
                        "row": row.line,
                        "code": "duplicate_person",
                        "message": f"{spec.email} repeats",
                    }
                )
            seen.add(spec.email)
    existing = set(db_session.scalars(select(Person.email).where(Person.email.in_(lines))))
    for email in sorted(existing):
        errors.append(
            {"row": lines[email], "code": "duplicate_person", "message": f"{email} exists"}
        )
    if errors:
        raise InvalidInput(
            f"{len(errors)} rows are invalid; nothing was imported",
            code="import_rejected",
            details=sorted(errors, key=lambda e: e["row"]),
        )
    pending = list(specs)
    created: list[Person] = []
    with db_session.begin_nested():
        while pending:
            ready = [
                s for s in pending if not s.manager or s.manager.lower() not in _emails(pending)
            ]
            if not ready:
                raise InvalidInput(
                    "managers form a cycle: " + ", ".join(s.email for s in pending),
                    code="import_rejected",
                    details=[
                        {"row": lines[s.email], "code": "org_cycle", "message": s.email}
                        for s in pending
                    ],
                )
            for spec in ready:
                try:
                    created.append(
                        service.create(db_session=db_session, principal=principal, data=spec)
                    )
                except SynthError as exc:
                    errors.append(
                        {"row": lines[spec.email], "code": exc.code, "message": exc.message}
                    )
                pending.remove(spec)
            db_session.flush()
        if errors:
            raise InvalidInput(
                f"{len(errors)} rows are invalid; nothing was imported",
                code="import_rejected",
                details=sorted(errors, key=lambda e: e["row"]),
            )
    return created


def _emails(specs: list[PersonCreate]) -> set[str]:
    return {s.email for s in specs}
