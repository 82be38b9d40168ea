"""Web app sessions: an API key exchanged once for a cookie, checked on every page.

The browser never keeps the API key. Signing in checks the key like any API call and stores
a session whose random token goes into an HttpOnly cookie; each page looks the session up
by the token's hash and re-checks the key, so revoking a key signs its browsers out at once.
Every session carries its own CSRF token, which every form posts back.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from synth.audit.service import record
from synth.auth.models import ApiKey, WebSession
from synth.auth.principal import Principal
from synth.auth.service import authenticate
from synth.config import get_settings
from synth.db.base import utcnow
from synth.errors import Unauthorized

# Touching last_seen_at on every page would write on every read: once a minute is enough
# for an idle window counted in minutes.
_TOUCH_EVERY = timedelta(minutes=1)
SESSION_OMIT = frozenset({"token_hash", "csrf_token"})


@dataclass(frozen=True)
class SignedIn:
    """A new session: `token` (for the cookie) exists nowhere else."""

    session: WebSession
    token: str
    principal: Principal


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(*, db_session: Session, api_key: str) -> SignedIn:
    """Check `api_key` as the API would and open a session for it (Unauthorized if bad)."""
    principal = authenticate(db_session=db_session, token=api_key.strip())
    assert principal.key_id is not None
    settings = get_settings()
    now = utcnow()
    token = secrets.token_urlsafe(32)
    session = WebSession(
        token_hash=_hash(token),
        csrf_token=secrets.token_urlsafe(32),
        key_id=principal.key_id,
        expires_at=now + timedelta(hours=settings.session_hours),
        last_seen_at=now,
    )
    db_session.add(session)
    record(
        db_session,
        principal=principal,
        action="web_session.started",
        entity=session,
        omit=SESSION_OMIT,
    )
    return SignedIn(session=session, token=token, principal=principal)


def current(*, db_session: Session, token: str) -> tuple[WebSession, Principal]:
    """The live session behind a cookie and who it acts as, or Unauthorized
    (`session_expired` for one that lapsed, `signed_out` for an unknown or ended one)."""
    now = utcnow()
    row = db_session.execute(
        select(WebSession, ApiKey)
        .join(ApiKey, ApiKey.id == WebSession.key_id)
        .where(WebSession.token_hash == _hash(token))
    ).first()
    if row is None or row[0].ended_at is not None:
        raise Unauthorized("you are signed out", code="signed_out")
    session, key = row
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if session.expires_at <= now or session.last_seen_at + idle <= now:
        raise Unauthorized("your session has expired: sign in again", code="session_expired")
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        raise Unauthorized("the API key behind this session no longer works", code="key_revoked")
    if now - session.last_seen_at >= _TOUCH_EVERY:
        db_session.execute(
            update(WebSession).where(WebSession.id == session.id).values(last_seen_at=now)
        )
    return session, Principal(role=key.role, person_id=key.person_id, key_id=key.id)


def sign_out(*, db_session: Session, token: str) -> None:
    """End the session behind `token`; ending an unknown or ended one is a no-op."""
    session = db_session.scalar(select(WebSession).where(WebSession.token_hash == _hash(token)))
    if session is None or session.ended_at is not None:
        return
    key = db_session.get(ApiKey, session.key_id)
    session.ended_at = utcnow()
    principal = Principal(
        role=key.role if key else Principal.system().role,
        person_id=key.person_id if key else None,
        key_id=session.key_id,
    )
    record(
        db_session,
        principal=principal,
        action="web_session.ended",
        entity=session,
        before={"ended_at": None},
        omit=SESSION_OMIT,
    )


def csrf_matches(session: WebSession, sent: str | None) -> bool:
    """Whether a form's token is this session's (compared in constant time)."""
    return sent is not None and secrets.compare_digest(session.csrf_token, sent)
