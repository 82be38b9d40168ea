"""Write and read the audit log. Every service that changes state calls `record`."""

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import Session

from synth.audit.models import AuditEvent
from synth.auth.principal import Principal
from synth.db.base import Base


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def snapshot(entity: Base, *, omit: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The column values of an ORM object as JSON-ready data."""
    mapper = inspect(type(entity))
    return {
        col.key: _jsonable(getattr(entity, col.key))
        for col in mapper.column_attrs
        if col.key not in omit
    }


def _identity(entity: Base) -> str:
    identity = inspect(entity).identity
    return ",".join(str(part) for part in identity) if identity else ""


def record(
    session: Session,
    *,
    principal: Principal,
    action: str,
    entity: Base,
    before: dict[str, Any] | None = None,
    omit: frozenset[str] = frozenset(),
) -> AuditEvent:
    """Append one audit event for `entity` in the caller's transaction."""
    session.flush()
    after = snapshot(entity, omit=omit) if action.split(".")[-1] != "deleted" else None
    event = AuditEvent(
        actor_key_id=principal.key_id,
        actor_person_id=principal.person_id,
        actor_role=principal.role.value,
        action=action,
        entity_type=str(getattr(entity, "__tablename__", type(entity).__name__)),
        entity_id=_identity(entity),
        before=before,
        after=after,
    )
    session.add(event)
    return event


def readable_events(principal: Principal) -> Select[AuditEvent]:
    """Audit events the principal may read: admins only (it holds every record's history)."""
    principal.require()
    return select(AuditEvent).order_by(AuditEvent.seq)
