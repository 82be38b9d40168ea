"""In Chromium: every page of every role has labelled controls, named buttons and links, one
h1, and its main actions are reachable with the Tab key alone."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from synth.auth.models import Role
from synth.people.models import Person
from tests.browser.conftest import Live, sign_in

# Controls and links with no accessible name, found in the page itself.
UNNAMED = """() => {
  const named = (el) => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return true;
    if (el.labels && el.labels.length) return true;
    return (el.innerText || el.textContent || el.value || '').trim().length > 0;
  };
  const controls = document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, a[href]');
  return [...controls].filter((el) => !named(el)).map((el) => el.outerHTML.slice(0, 120));
}"""
PAGES: dict[str, tuple[Role, Callable[[Live], Person | None], Callable[[Live], str]]] = {
    "sign-in": (Role.SERVICE, lambda live: None, lambda live: "/app/sign-in"),
    "hr-dashboard": (Role.HR, lambda live: None, lambda live: "/app/hr"),
    "hr-run": (Role.HR, lambda live: None, lambda live: f"/app/hr/evals/{live.seed.eval_runs[0]}"),
    "hr-compare": (
        Role.HR,
        lambda live: None,
        lambda live: f"/app/hr/evals/compare?a={live.seed.eval_runs[0]}&b={live.seed.eval_runs[1]}",
    ),
    "review-desk": (Role.MANAGER, lambda live: live.seed.org.manager, lambda live: "/app/review"),
    "review-draft": (
        Role.MANAGER,
        lambda live: live.seed.org.manager,
        lambda live: f"/app/review/drafts/{live.seed.drafts['eli_expectations']}",
    ),
    "engineer-page": (Role.ENGINEER, lambda live: live.seed.org.engineer, lambda live: "/app/me"),
    "partner-checklists": (
        Role.THOUGHT_PARTNER,
        lambda live: live.seed.org.partner,
        lambda live: "/app/partner",
    ),
    "partner-checklist": (
        Role.THOUGHT_PARTNER,
        lambda live: live.seed.org.partner,
        lambda live: f"/app/partner/drafts/{live.seed.drafts['eli_checklist']}",
    ),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_control_is_named_and_the_page_has_one_title(
    page: Page, live: Live, name: str
) -> None:
    role, who, path = PAGES[name]
    if name != "sign-in":
        sign_in(page, live, live.key(role, who(live)))
    response = page.goto(f"{live.url}{path(live)}")
    assert response is not None and response.status == 200, name
    assert page.evaluate(UNNAMED) == [], name
    assert page.locator("h1").count() == 1, name
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_review_desk_can_be_worked_by_keyboard(page: Page, live: Live) -> None:
    """Tab from the top reaches the skip link, the navigation, a draft, and on the draft's
    page every text field and the decision buttons, in reading order."""
    sign_in(page, live, live.key(Role.MANAGER, live.seed.org.manager))
    page.goto(f"{live.url}/app/review")
    focused: list[str] = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.innerText || ''").strip())
    assert focused[0] == "Skip to content"
    assert any(text.startswith("Expectations for") for text in focused), focused
    page.goto(f"{live.url}/app/review/drafts/{live.seed.drafts['eli_expectations']}")
    kinds: list[str] = []
    for _ in range(400):
        page.keyboard.press("Tab")
        tag = page.evaluate(
            "document.activeElement.tagName + ':' + (document.activeElement.innerText || '')"
        )
        kinds.append(tag.strip())
        if tag.startswith("BUTTON:Reject"):
            break
    assert any(k.startswith("TEXTAREA") for k in kinds)
    assert "BUTTON:Save edits" in kinds and "BUTTON:Approve" in kinds
    assert kinds[-1].startswith("BUTTON:Reject"), kinds[-5:]


def test_the_check_finds_an_unnamed_control(page: Page) -> None:
    page.set_content(
        '<label for="a">Named</label><input id="a"><input id="b"><button></button>'
        '<a href="/x"></a><select aria-label="Also named"></select>'
    )
    assert len(page.evaluate(UNNAMED)) == 3
