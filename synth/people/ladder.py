"""The leveling framework: load a ladder from YAML, ship a default one, read levels."""

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from synth.audit.service import record
from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.errors import Conflict, InvalidInput
from synth.people.models import Competency, Level, Person
from synth.people.schemas import LadderSpec

DEFAULT_LADDER = Path(__file__).parent / "ladders" / "default.yaml"


def parse_ladder(text: str, *, source: str = "ladder") -> LadderSpec:
    """Parse and check a ladder document; every level must describe every competency."""
    try:
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source}: not valid YAML: {exc}", code="invalid_ladder") from exc
    try:
        spec = LadderSpec.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(
            f"{source}: does not match the ladder format",
            code="invalid_ladder",
            details=exc.errors(include_url=False, include_context=False),
        ) from exc
    return check_ladder(spec, source=source)


def check_ladder(spec: LadderSpec, *, source: str = "ladder") -> LadderSpec:
    """Cross-field rules: unique keys and ranks, every level covers every competency."""
    keys = [c.key for c in spec.competencies]
    problems: list[str] = []
    if len(set(keys)) != len(keys):
        problems.append("competency keys repeat")
    if len({lv.key for lv in spec.levels}) != len(spec.levels):
        problems.append("level keys repeat")
    if len({(lv.track, lv.rank) for lv in spec.levels}) != len(spec.levels):
        problems.append("two levels share a track and rank")
    for lv in spec.levels:
        missing = sorted(set(keys) - set(lv.expectations))
        unknown = sorted(set(lv.expectations) - set(keys))
        if missing:
            problems.append(f"level {lv.key} lacks expectations for {', '.join(missing)}")
        if unknown:
            problems.append(f"level {lv.key} names unknown competencies {', '.join(unknown)}")
    if problems:
        raise InvalidInput(f"{source}: {'; '.join(problems)}", code="invalid_ladder")
    return spec


def load_ladder(*, db_session: Session, principal: Principal, spec: LadderSpec) -> list[Level]:
    """Replace the organisation's ladder; levels still held by people must remain."""
    principal.require(Role.HR)
    new_keys = {lv.key for lv in spec.levels}
    in_use = set(db_session.scalars(select(Person.level).where(Person.level.is_not(None))))
    dropped = sorted(k for k in in_use - new_keys if k is not None)
    if dropped:
        raise Conflict(
            f"people still hold levels missing from the new ladder: {', '.join(dropped)}",
            code="level_in_use",
        )
    db_session.execute(delete(Level))
    db_session.execute(delete(Competency))
    for i, comp in enumerate(spec.competencies):
        db_session.add(Competency(position=i, **comp.model_dump()))
    levels = [Level(framework=spec.name, **lv.model_dump()) for lv in spec.levels]
    db_session.add_all(levels)
    db_session.flush()
    for level in levels:
        record(db_session, principal=principal, action="level.loaded", entity=level)
    return levels


SEED_LOCK_KEY = 7_316_002


def ensure_default_ladder(db_session: Session) -> bool:
    """Load the shipped ladder into an empty database; True when it did."""
    # Processes starting together on an empty database would both seed: take turns.
    db_session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEED_LOCK_KEY})
    if db_session.scalar(select(func.count()).select_from(Level)):
        return False
    spec = parse_ladder(DEFAULT_LADDER.read_text(), source=str(DEFAULT_LADDER))
    load_ladder(db_session=db_session, principal=Principal.system(), spec=spec)
    return True


def list_levels(db_session: Session) -> list[Level]:
    """Levels in ladder order (IC track first, then management, by rank)."""
    return list(db_session.scalars(select(Level).order_by(Level.track, Level.rank)))
