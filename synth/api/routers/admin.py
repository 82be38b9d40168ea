"""/v1/keys, /v1/audit-events and /v1/ladder: administration."""

from fastapi import APIRouter

from synth.api.deps import CreateDep, CurrentPrincipal, PageDep, SessionDep
from synth.api.openapi import errors
from synth.audit.models import AuditEvent
from synth.audit.schemas import AuditEventOut
from synth.audit.service import readable_events
from synth.auth import service as keys
from synth.auth.schemas import KeyCreate, KeyCreated, KeyOut
from synth.db.pagination import paginate
from synth.people import ladder
from synth.people.schemas import LadderSpec, LevelOut
from synth.schemas import Page

router = APIRouter(tags=["admin"])


@router.post("/keys", status_code=201, response_model=KeyCreated, responses=errors(403))
def create_key(body: KeyCreate, create: CreateDep) -> object:
    """Create an API key (admin); the key itself is shown only in this response.

    A retry with the same Idempotency-Key is not replayed (the key is not stored):
    `409 idempotency_replay_unavailable` names the key created, so it can be revoked.
    """

    def run(db: SessionDep, principal: CurrentPrincipal) -> KeyCreated:
        new = keys.create_key(
            db_session=db,
            principal=principal,
            role=body.role,
            person_id=body.person_id,
            name=body.name,
            expires_in_days=body.expires_in_days,
        )
        db.flush()
        return KeyCreated(**KeyOut.model_validate(new.key).model_dump(), token=new.token)

    # The token is shown once: it is never kept for an Idempotency-Key replay.
    return create(body, run, secret_fields={"token"})


@router.get("/keys", response_model=list[KeyOut], responses=errors(403))
def list_keys(db: SessionDep, principal: CurrentPrincipal) -> list[KeyOut]:
    """List API keys, revoked and expired ones included (admin)."""
    return [KeyOut.model_validate(k) for k in keys.list_keys(db_session=db, principal=principal)]


@router.post("/keys/{key_ref}/revoke", response_model=KeyOut, responses=errors(403))
def revoke_key(key_ref: str, db: SessionDep, principal: CurrentPrincipal) -> KeyOut:
    """Revoke an API key by id or prefix (admin)."""
    return KeyOut.model_validate(
        keys.revoke_key(db_session=db, principal=principal, key_ref=key_ref)
    )


@router.get("/audit-events", response_model=Page[AuditEventOut], responses=errors(403))
def list_audit_events(
    db: SessionDep, principal: CurrentPrincipal, page: PageDep, entity_id: str | None = None
) -> Page[AuditEventOut]:
    """List audit events, newest first, optionally for one entity (admin)."""
    statement = readable_events(principal)
    if entity_id is not None:
        statement = statement.where(AuditEvent.entity_id == entity_id)
    return paginate(db, statement, page, AuditEventOut.model_validate)


@router.put("/ladder", response_model=list[LevelOut], responses=errors(403, 409))
def load_ladder(body: LadderSpec, db: SessionDep, principal: CurrentPrincipal) -> list[LevelOut]:
    """Replace the leveling framework (admin, hr)."""
    spec = ladder.check_ladder(body, source="request")
    levels = ladder.load_ladder(db_session=db, principal=principal, spec=spec)
    return [LevelOut.model_validate(level) for level in levels]
