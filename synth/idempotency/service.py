"""Replay the first response to a POST retried with the same Idempotency-Key.

A record lives SYNTH_IDEMPOTENCY_TTL_HOURS (24 h by default): after that the key is new
again, and `purge_expired` deletes it (opportunistically on keyed writes, or from a job).
Fields that hold a secret (a new API key) are never stored; a retry of such a request is
refused with `idempotency_replay_unavailable` rather than answered without its secret.
"""

import hashlib
import itertools
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from synth.auth.principal import Principal
from synth.config import get_settings
from synth.db.base import utcnow
from synth.errors import Conflict, InvalidInput
from synth.idempotency.models import IdempotencyRecord

MAX_KEY_CHARS = 255
PURGE_EVERY = 100  # keyed writes between two opportunistic purges
PURGE_BATCH = 1_000  # rows one opportunistic purge deletes at most
_keyed_writes = itertools.count(1)


def request_fingerprint(method: str, path: str, body: Any) -> str:
    """Hash of what was asked, so one key cannot be reused for a different request."""
    canonical = json.dumps([method, path, body], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def expiry_cutoff(now: datetime | None = None) -> datetime:
    """Records created before this instant have expired."""
    return (now or utcnow()) - timedelta(hours=get_settings().idempotency_ttl_hours)


def purge_expired(db_session: Session, *, limit: int | None = None) -> int:
    """Delete expired idempotency records (at most `limit`); returns how many went.

    Rows another transaction holds are skipped, so concurrent purges neither wait nor
    deadlock on each other.
    """
    expired = (
        select(IdempotencyRecord.id)
        .where(IdempotencyRecord.created_at < expiry_cutoff())
        .with_for_update(skip_locked=True)
        .limit(limit)
    )
    result = db_session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(expired.scalar_subquery()))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _redacted(body: Any, secret_fields: frozenset[str]) -> Any:
    if not secret_fields or not isinstance(body, dict):
        return body
    return {name: value for name, value in body.items() if name not in secret_fields}


def _claim(db_session: Session, record: IdempotencyRecord) -> IdempotencyRecord | None:
    """Insert `record`; if the key is taken, the stored record (an expired one is replaced).

    The insert runs in a savepoint: a concurrent request with the same key waits on the
    unique index, then sees the committed record and replays it.
    """
    for _ in range(2):
        try:
            with db_session.begin_nested():
                db_session.add(record)
                db_session.flush()
            return None
        except IntegrityError:
            stored = db_session.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.api_key_id == record.api_key_id,
                    IdempotencyRecord.key == record.key,
                )
            )
            if stored is None:  # the holder rolled back meanwhile: the key is free again
                continue
            if stored.created_at >= expiry_cutoff():
                return stored
            db_session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == stored.id))
    # Two rounds lost to other requests with this key in a few milliseconds.
    raise Conflict(
        "this Idempotency-Key is in use by another request; retry", code="idempotency_key_busy"
    )


def run_once(
    *,
    db_session: Session,
    principal: Principal,
    key: str | None,
    fingerprint: str,
    produce: Callable[[], tuple[int, Any]],
    secret_fields: frozenset[str] = frozenset(),
) -> tuple[int, Any, bool]:
    """Run `produce` once per (API key, Idempotency-Key); returns (status, body, replayed).

    The record is inserted before the work, in the same transaction, and rolls back with
    it: a retry after an error runs again.
    """
    if key is None or principal.key_id is None:
        status, body = produce()
        return status, body, False
    if not key.strip() or len(key) > MAX_KEY_CHARS:
        raise InvalidInput(
            f"Idempotency-Key must be 1-{MAX_KEY_CHARS} visible characters",
            code="invalid_idempotency_key",
        )
    record = IdempotencyRecord(
        api_key_id=principal.key_id, key=key, request_hash=fingerprint, status_code=0, body=None
    )
    stored = _claim(db_session, record)
    if stored is not None:
        if stored.request_hash != fingerprint:
            raise InvalidInput(
                "this Idempotency-Key was already used for a different request",
                code="idempotency_key_reused",
            )
        if secret_fields:
            raise Conflict(
                "this request already succeeded, but its response held a secret that is shown "
                "only once; revoke what it created (see details) and send a new request",
                code="idempotency_replay_unavailable",
                details=stored.body,
            )
        return stored.status_code, stored.body, True
    status, body = produce()
    record.status_code = status
    record.body = _redacted(body, secret_fields)
    if next(_keyed_writes) % PURGE_EVERY == 0:
        purge_expired(db_session, limit=PURGE_BATCH)
    return status, body, False
