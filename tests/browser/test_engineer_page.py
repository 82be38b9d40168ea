"""In Chromium: the engineer's own page shows released material only, and key steps can be
asked for and adopted from it."""

from playwright.sync_api import Page, expect

from synth.auth.models import Role
from tests.browser.conftest import Live, shot, sign_in


def test_the_engineer_asks_for_key_steps_and_adopts_one(page: Page, live: Live) -> None:
    o = live.seed.org
    sign_in(page, live, live.key(Role.ENGINEER, o.engineer))
    expect(page).to_have_url(f"{live.url}/app/me")
    expect(page.get_by_role("heading", level=1)).to_contain_text(o.engineer.name)
    first = page.locator("article").filter(has_text="Ship the payments retry service")
    expect(first.locator("ol.steps > li")).to_have_count(3)
    first.get_by_role("button", name="Suggest key steps").click()
    expect(page.get_by_role("status")).to_contain_text("Suggested key steps are below")
    first = page.locator("article").filter(has_text="Ship the payments retry service")
    suggested = first.get_by_label("Suggested key steps").locator("li")
    assert suggested.count() >= 3
    step_text = suggested.first.inner_text().split(" (")[0]
    first.get_by_role("button", name="Adopt").first.click()
    expect(page.get_by_role("status")).to_contain_text("now one of your key steps")
    first = page.locator("article").filter(has_text="Ship the payments retry service")
    expect(first.locator("ol.steps > li")).to_have_count(4)
    expect(first.locator("ol.steps > li").last).to_contain_text(step_text)
    expect(first.get_by_label("Suggested key steps").get_by_text("adopted")).to_have_count(1)
    shot(page, "engineer-page")


def test_the_engineer_reads_nothing_unreleased_and_no_raw_feedback(page: Page, live: Live) -> None:
    o = live.seed.org
    sign_in(page, live, live.key(Role.ENGINEER, o.engineer))
    page.goto(f"{live.url}/app/me")
    html = page.content()
    if "has not released a synthesis" not in html:  # the review desk's test released it
        assert "Released by your manager" in html
    for text in live.seed.feedback_texts:
        assert text not in html
    for reviewer in (o.teammate, o.partner, o.pm, o.director):
        assert reviewer.name not in html
    assert "Talent" not in html and "assessment_id" not in html


def test_other_roles_pages_are_refused_to_the_engineer(page: Page, live: Live) -> None:
    sign_in(page, live, live.key(Role.ENGINEER, live.seed.org.engineer))
    for path in ("/app/hr", "/app/review", "/app/partner"):
        response = page.goto(f"{live.url}{path}")
        assert response is not None and response.status in (403, 404), path
    response = page.goto(f"{live.url}/app/me?period=00000000-0000-0000-0000-000000000000")
    assert response is not None and response.status == 422
    expect(page.locator("code")).to_have_text("unknown_period")


def test_hr_has_no_own_page(page: Page, live: Live) -> None:
    sign_in(page, live, live.key(Role.HR))
    response = page.goto(f"{live.url}/app/me")
    assert response is not None and response.status == 403
    expect(page.locator("code")).to_have_text("forbidden")


def test_the_engineer_assesses_an_expectation_by_keyboard(page: Page, live: Live) -> None:
    o = live.seed.org
    sign_in(page, live, live.key(Role.ENGINEER, o.engineer))
    card = page.locator("article").filter(has_text="Mentor one junior engineer")
    card.get_by_text("Assess this expectation").click()
    card.get_by_label("Outcome").select_option("partially_met")
    text = card.get_by_label("What happened, with examples")
    text.fill("Jo shadowed two incidents with me; Jo's first solo shift is in January.")
    text.press("Tab")
    page.keyboard.press("Enter")  # the focused "Save my assessment" button
    expect(page.get_by_role("status")).to_contain_text("Your self-assessment is saved")
    card = page.locator("article").filter(has_text="Mentor one junior engineer")
    expect(card).to_contain_text("partially met")
    expect(card).to_contain_text("first solo shift is in January")
    expect(card.get_by_text("Assess this expectation")).to_have_count(0)
