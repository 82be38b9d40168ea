"""Signing in to the web app from a TestClient, for page tests that run in the test's
transaction (tests/browser/ drives the same pages in Chromium)."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.people.models import Person
from tests.factories import token as token_for


def form_token(client: TestClient, path: str = "/app/sign-in") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def signed_in(client: TestClient, token: str, next_url: str = "") -> str:
    """Sign in with `token`; the page it lands on."""
    answer = client.post(
        "/app/sign-in",
        data={"api_key": token, "form_token": form_token(client), "next": next_url},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def sign_in_as(client: TestClient, db: Session, role: Role, person: Person | None = None) -> str:
    """Sign in with a new key for `role` (bound to `person`); the page it lands on."""
    return signed_in(client, token_for(db, role, person))


def csrf_of(client: TestClient, path: str) -> str:
    """The session's CSRF token, read from a page's forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no form on {path}"
    return found.group(1)
