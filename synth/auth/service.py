"""API keys: create, authenticate, list, revoke. The secret is shown once, stored hashed."""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from synth.audit.service import record
from synth.auth.models import PERSON_BOUND_ROLES, ApiKey, Role
from synth.auth.principal import Principal
from synth.db.base import utcnow
from synth.errors import InvalidInput, NotFound, Unauthorized
from synth.people.models import Person

KEY_PREFIX = "synth"
SECRET_OMIT = frozenset({"secret_hash"})


@dataclass(frozen=True)
class NewKey:
    """A freshly created key: `token` is the only copy of the secret."""

    key: ApiKey
    token: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    *,
    db_session: Session,
    principal: Principal,
    role: Role,
    person_id: uuid.UUID | None = None,
    name: str = "",
    expires_in_days: int | None = None,
) -> NewKey:
    """Make a key for `role`; person-bound roles must name an existing person."""
    principal.require()
    if role in PERSON_BOUND_ROLES and person_id is None:
        raise InvalidInput(f"role '{role.value}' needs --person", code="person_required")
    if person_id is not None and db_session.get(Person, person_id) is None:
        raise InvalidInput(f"no person with id {person_id}", code="unknown_person")
    if expires_in_days is not None and expires_in_days < 1:
        raise InvalidInput("expiry must be at least one day", code="invalid_expiry")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        prefix=prefix,
        secret_hash=_hash(secret),
        role=role,
        person_id=person_id,
        name=name,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db_session.add(key)
    record(db_session, principal=principal, action="api_key.created", entity=key, omit=SECRET_OMIT)
    return NewKey(key=key, token=f"{KEY_PREFIX}_{prefix}_{secret}")


def authenticate(*, db_session: Session, token: str) -> Principal:
    """The principal for a bearer token, or Unauthorized (unknown, malformed, revoked, expired)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise Unauthorized("malformed API key", code="invalid_api_key")
    key = db_session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(parts[2])):
        raise Unauthorized("unknown API key", code="invalid_api_key")
    if key.revoked_at is not None:
        raise Unauthorized("this API key has been revoked", code="revoked_api_key")
    if key.expires_at is not None and key.expires_at <= utcnow():
        raise Unauthorized("this API key has expired", code="expired_api_key")
    return Principal(role=key.role, person_id=key.person_id, key_id=key.id)


def list_keys(*, db_session: Session, principal: Principal) -> list[ApiKey]:
    """All keys, newest first (admin only; secrets are never readable)."""
    principal.require()
    return list(db_session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())))


def revoke_key(*, db_session: Session, principal: Principal, key_ref: str) -> ApiKey:
    """Revoke a key by id or prefix; revoking twice is a no-op."""
    principal.require()
    key = db_session.scalar(select(ApiKey).where(ApiKey.prefix == key_ref))
    if key is None:
        try:
            key = db_session.get(ApiKey, uuid.UUID(key_ref))
        except ValueError:
            key = None
    if key is None:
        raise NotFound(f"no API key '{key_ref}'", code="api_key_not_found")
    if key.revoked_at is None:
        before = {"revoked_at": None}
        key.revoked_at = utcnow()
        record(
            db_session,
            principal=principal,
            action="api_key.revoked",
            entity=key,
            before=before,
            omit=SECRET_OMIT,
        )
    return key
