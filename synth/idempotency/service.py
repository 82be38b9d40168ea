"""Replay the first response to a POST retried with the same Idempotency-Key."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from synth.auth.principal import Principal
from synth.errors import InvalidInput
from synth.idempotency.models import IdempotencyRecord

MAX_KEY_CHARS = 255


def request_fingerprint(method: str, path: str, body: Any) -> str:
    """Hash of what was asked, so one key cannot be reused for a different request."""
    canonical = json.dumps([method, path, body], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    *,
    db_session: Session,
    principal: Principal,
    key: str | None,
    fingerprint: str,
    produce: Callable[[], tuple[int, Any]],
) -> tuple[int, Any, bool]:
    """Run `produce` once per (API key, Idempotency-Key); returns (status, body, replayed).

    The record is inserted before the work, in the same transaction: a concurrent retry
    waits on the unique index and then replays the committed response. A failed request
    rolls back with its record, so a retry after an error runs again.
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
    try:
        with db_session.begin_nested():
            db_session.add(record)
            db_session.flush()
    except IntegrityError:
        stored = db_session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.api_key_id == principal.key_id, IdempotencyRecord.key == key
            )
        )
        assert stored is not None
        if stored.request_hash != fingerprint:
            raise InvalidInput(
                "this Idempotency-Key was already used for a different request",
                code="idempotency_key_reused",
            ) from None
        return stored.status_code, stored.body, True
    status, body = produce()
    record.status_code = status
    record.body = body
    return status, body, False
