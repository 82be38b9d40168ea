"""Signing in to the web app: an API key becomes a session cookie, checked on every page.

These run through the ASGI app in the test's transaction; tests/browser/ drives the same
pages in Chromium.
"""

from collections.abc import MutableMapping
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from synth.audit.models import AuditEvent
from synth.auth.models import ApiKey, Role, WebSession
from synth.auth.principal import Principal
from synth.auth.service import revoke_key
from synth.db.base import utcnow
from synth.web.deps import SESSION_COOKIE
from tests import factories as f
from tests.factories import token as token_for
from tests.web import csrf_of, form_token, signed_in


@pytest.fixture
def service_token(db: Session) -> str:
    # The service role has no pages: its home is the plain landing page, which every
    # signed-in viewer can open, so these tests do not depend on any role's pages.
    return token_for(db, Role.SERVICE)


def test_a_key_becomes_an_http_only_same_site_cookie_and_is_not_kept(
    client: TestClient, service_token: str, db: Session
) -> None:
    assert signed_in(client, service_token) == "/app/"
    cookie = next(c for c in client.cookies.jar if c.name == SESSION_COOKIE)
    assert cookie.path == "/app" and cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite", "").lower() == "lax"
    assert service_token not in (cookie.value or "")
    stored = db.scalars(select(WebSession)).all()
    assert len(stored) == 1 and stored[0].token_hash != cookie.value
    page = client.get("/app/")
    assert page.status_code == 200 and "no page for the role" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    actions = db.scalars(select(AuditEvent.action)).all()
    assert "web_session.started" in actions


def test_a_wrong_key_is_refused_on_the_form_and_sets_no_session(client: TestClient) -> None:
    answer = client.post(
        "/app/sign-in",
        data={"api_key": "synth_nope_nope", "form_token": form_token(client)},
        follow_redirects=False,
    )
    assert answer.status_code == 401 and "unknown API key" in answer.text
    assert SESSION_COOKIE not in client.cookies


@pytest.mark.parametrize(
    "api_key, status",
    [("", 422), ("x" * 5000, 422), ("not-a-key", 401), ("synth_a_b\u0000", 401)],
)
def test_malformed_keys_get_the_form_back_with_a_reason(
    client: TestClient, api_key: str, status: int
) -> None:
    answer = client.post(
        "/app/sign-in", data={"api_key": api_key, "form_token": form_token(client)}
    )
    assert answer.status_code == status and 'role="alert"' in answer.text


def test_the_sign_in_form_needs_its_own_token(client: TestClient, service_token: str) -> None:
    client.get("/app/sign-in")
    forged = client.post("/app/sign-in", data={"api_key": service_token, "form_token": "forged"})
    assert forged.status_code == 403 and SESSION_COOKIE not in client.cookies


def test_many_wrong_keys_are_throttled(client: TestClient) -> None:
    for _ in range(10):
        client.post("/app/sign-in", data={"api_key": "synth_x_y", "form_token": form_token(client)})
    answer = client.post(
        "/app/sign-in", data={"api_key": "synth_x_y", "form_token": form_token(client)}
    )
    assert answer.status_code == 429 and "Retry-After" in answer.headers
    assert "too_many_failed_attempts" in answer.text


def test_a_page_without_a_session_sends_you_to_sign_in_and_back(
    client: TestClient, service_token: str
) -> None:
    answer = client.get("/app/?x=1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/app/sign-in?next=/app/?x=1")
    assert signed_in(client, service_token, next_url="/app/?x=1") == "/app/?x=1"


@pytest.mark.parametrize(
    "target", ["//evil.example/app/", "https://evil.example/", "/v1/people", "/app/\\\\evil"]
)
def test_sign_in_never_redirects_off_the_app(
    client: TestClient, service_token: str, target: str
) -> None:
    assert signed_in(client, service_token, next_url=target) == "/app/"


def test_sign_out_ends_the_session_for_good(
    client: TestClient, service_token: str, db: Session
) -> None:
    signed_in(client, service_token)
    cookie = client.cookies[SESSION_COOKIE]
    out = client.post(
        "/app/sign-out", data={"csrf_token": csrf_of(client, "/app/")}, follow_redirects=False
    )
    assert out.status_code == 303 and "reason=signed_out" in out.headers["location"]
    client.cookies.set(SESSION_COOKIE, cookie, path="/app")  # a stolen copy of the cookie
    again = client.get("/app/", follow_redirects=False)
    assert again.status_code == 303 and "reason=signed_out" in again.headers["location"]
    assert db.scalars(select(WebSession.ended_at)).one() is not None


def test_a_forged_sign_out_is_not_honoured(client: TestClient, service_token: str) -> None:
    signed_in(client, service_token)
    client.post("/app/sign-out", data={"csrf_token": "forged"})
    assert client.get("/app/", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("column", ["expires_at", "last_seen_at"])
def test_a_session_expires_absolutely_and_when_idle(
    client: TestClient, service_token: str, db: Session, column: str
) -> None:
    signed_in(client, service_token)
    long_ago = utcnow() - timedelta(days=2)
    db.execute(update(WebSession).values({column: long_ago}))
    db.flush()
    answer = client.get("/app/", follow_redirects=False)
    assert answer.status_code == 303 and "reason=session_expired" in answer.headers["location"]


def test_revoking_the_key_signs_its_browsers_out(
    client: TestClient, service_token: str, db: Session
) -> None:
    signed_in(client, service_token)
    prefix = service_token.split("_")[1]
    revoke_key(db_session=db, principal=Principal.system(), key_ref=prefix)
    db.flush()
    answer = client.get("/app/", follow_redirects=False)
    assert answer.status_code == 303 and "reason=key_revoked" in answer.headers["location"]
    assert db.scalar(select(ApiKey.revoked_at).where(ApiKey.prefix == prefix)) is not None


def test_a_post_without_the_sessions_csrf_token_is_refused(
    client: TestClient, service_token: str
) -> None:
    signed_in(client, service_token)
    for data in ({}, {"csrf_token": "guess"}):
        answer = client.post("/app/sign-out", data=data, follow_redirects=False)
        assert answer.status_code == 303  # sign-out ignores it and keeps the session
    assert client.get("/app/", follow_redirects=False).status_code == 200


def test_unknown_pages_and_bad_ids_are_pages_with_a_code(
    client: TestClient, service_token: str
) -> None:
    signed_in(client, service_token)
    missing = client.get("/app/nothing-here")
    assert missing.status_code == 404 and "<code>not_found</code>" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    api = client.get("/v1/nothing-here")
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_static_assets_ship_with_the_package(client: TestClient) -> None:
    chart = client.get("/app/static/vendor/chart.umd.min.js")
    assert chart.status_code == 200 and "Chart.js v4" in chart.text[:200]
    assert client.get("/app/static/charts.js").status_code == 200
    assert client.get("/app/static/app.css").status_code == 200


def test_the_people_behind_sessions_are_the_keys_people(client: TestClient, db: Session) -> None:
    o = f.org(db)
    signed_in(client, token_for(db, Role.MANAGER, o.manager))
    page = client.get("/app/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/app/review"


def test_a_body_over_the_limit_on_a_page_is_a_413_page(client: TestClient) -> None:
    answer = client.post(
        "/app/sign-in",
        content=b"api_key=" + b"x" * 3_000_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413 and answer.headers["content-type"].startswith("text/html")
    assert "<code>payload_too_large</code>" in answer.text
    assert "default-src 'self'" in answer.headers["content-security-policy"]


@pytest.mark.parametrize(
    "path, kind", [("/app/hr", "text/html"), ("/v1/people", "application/json")]
)
def test_overload_on_a_page_is_a_503_page_with_retry_after(path: str, kind: str) -> None:
    """At capacity the limit answers before any route: a browser still gets a page."""
    import asyncio

    from synth.api.limits import ConcurrencyLimit

    async def never(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("an overloaded request must not reach the app")

    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def run() -> None:
        limit = ConcurrencyLimit(never, limit=1, queue_timeout_s=0)
        await limit._semaphore().acquire()  # the one slot is taken
        await limit({"type": "http", "path": path, "method": "GET"}, receive, send)

    asyncio.run(run())
    start, body = sent
    headers = dict(start["headers"])
    assert start["status"] == 503 and headers[b"retry-after"] == b"2"
    assert headers[b"content-type"].decode().startswith(kind)
    assert b"overloaded" in body["body"]


def test_a_sign_in_form_stuffed_with_fields_is_refused_not_a_crash(client: TestClient) -> None:
    fields = {f"f{i}": "x" for i in range(50)} | {"form_token": form_token(client)}
    answer = client.post("/app/sign-in", data=fields)
    assert answer.status_code == 422 and "<code>form_too_large</code>" in answer.text
