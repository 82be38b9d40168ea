"""In Chromium: signing in and out by keyboard, a refused page, and /docs rendered offline."""

from playwright.sync_api import Page, expect

from synth.auth.models import Role
from tests.browser.conftest import Live, shot, sign_in


def test_sign_in_by_keyboard_then_sign_out(page: Page, live: Live) -> None:
    token = live.key(Role.SERVICE)  # the one role whose home is the plain landing page
    page.goto(f"{live.url}/app/")
    expect(page).to_have_url(f"{live.url}/app/sign-in?next=/app/&reason=sign_in_required")
    shot(page, "sign-in")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # autofocus already put us in the key field: it stays usable
    field = page.get_by_label("API key")
    field.fill(token)
    field.press("Enter")
    expect(page).to_have_url(f"{live.url}/app/")
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["synth_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax" and session["path"] == "/app"
    assert token not in session["value"]
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    page.goto(f"{live.url}/app/")
    expect(page).to_have_url(f"{live.url}/app/sign-in?next=/app/&reason=sign_in_required")


def test_a_wrong_key_says_why(page: Page, live: Live) -> None:
    page.goto(f"{live.url}/app/sign-in")
    page.get_by_label("API key").fill("synth_000000000000_wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("unknown API key")
    assert not [c for c in page.context.cookies() if c["name"] == "synth_session"]


def test_a_page_for_another_role_is_refused_with_its_code(page: Page, live: Live) -> None:
    sign_in(page, live, live.key(Role.SERVICE))
    response = page.goto(f"{live.url}/app/no-such-page")
    assert response is not None and response.status == 404
    expect(page.locator("code")).to_have_text("not_found")


def test_docs_render_offline_with_every_operation(page: Page, live: Live) -> None:
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live.url) else None,
    )
    page.goto(f"{live.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("synth")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 50
    shot(page, "docs")
    assert not [u for u in outside if not u.startswith("data:")], outside
