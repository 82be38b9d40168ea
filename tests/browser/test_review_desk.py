"""The manager's review desk and the thought partner's page, in a real Chromium.

A manager opens a waiting draft, opens a citation (its quoted span marked), edits a field,
sees the diff, approves and releases, and the engineer then reads the released text; another
draft is refused release over a blocking finding, overridden and rejected with reasons; other
roles and another team's manager are refused. Drafts are the seed's (tests/browser/seed.py).
"""

import re

import httpx
from playwright.sync_api import Page, expect

from synth.auth.models import Role
from tests.browser.conftest import Live, shot, sign_in


def as_manager(page: Page, live: Live) -> None:
    sign_in(page, live, live.key(Role.MANAGER, live.seed.org.manager))


def test_a_manager_edits_approves_and_releases_a_draft_the_engineer_then_reads(
    page: Page, live: Live
) -> None:
    draft_id = live.seed.drafts["eli_synthesis"]
    as_manager(page, live)
    page.goto(f"{live.url}/app/review")
    shot(page, "review-desk")
    page.get_by_role("link", name="Synthesis for Eli Engineer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Synthesis for Eli Engineer")

    citation = page.locator("details.citation").first
    expect(citation.locator("mark")).to_be_hidden()
    citation.locator("summary").focus()
    page.keyboard.press("Enter")  # a citation opens by keyboard
    mark = citation.locator("mark")
    expect(mark).to_be_visible()
    quote = re.search(r"“(.*)”", citation.locator("summary").inner_text(), re.S)
    assert quote is not None and mark.inner_text() == quote.group(1)
    shot(page, "review-draft")

    # A shown theme's summary reaches the engineer as the manager leaves it (the overview does
    # not: the released one is written from what is released). Withheld themes say so inline.
    withheld = {
        name.removesuffix(".theme")
        for name in page.locator(".field:has([data-code=theme_withheld]) textarea").evaluate_all(
            "els => els.map(e => e.name)"
        )
    }
    sections = page.locator("textarea[name$='].summary']").evaluate_all(
        "els => els.map(e => e.name)"
    )
    shown = next(name for name in sections if name.removesuffix(".summary") not in withheld)
    summary = page.locator(f"textarea[name='{shown}']")
    label = page.locator(f"label[for='{summary.get_attribute('id')}']").inner_text()
    model_text = summary.input_value()
    edited = "Careful work that catches defects before they reach a release."
    summary.fill(edited)
    page.get_by_role("button", name="Save edits").click()
    expect(page.get_by_role("status")).to_contain_text("Saved 1 change(s)")
    diff = page.locator(".diff").filter(has_text=label)
    expect(diff.locator("ins")).not_to_have_count(0)
    deleted = " ".join(diff.locator("del").all_inner_texts()).split()
    assert deleted and all(word in model_text for word in deleted)
    inserted = " ".join(diff.locator("ins").all_inner_texts()).split()
    assert inserted and all(word in edited for word in inserted)
    shot(page, "review-draft-diff")

    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text("Approved.")
    page.get_by_role("button", name="Release to the engineer").click()
    expect(page.get_by_role("status")).to_contain_text("Released")
    shot(page, "review-draft-released")

    # The engineer, in a browser of their own, now reads the edited text on their page.
    browser = page.context.browser
    assert browser is not None
    engineer = browser.new_context().new_page()
    sign_in(engineer, live, live.key(Role.ENGINEER, live.seed.org.engineer))
    expect(engineer).to_have_url(f"{live.url}/app/me")
    synthesis = engineer.locator("section").filter(
        has=engineer.get_by_role("heading", name="Your feedback synthesis")
    )
    expect(synthesis).to_contain_text("Released by your manager")
    expect(synthesis).to_contain_text(edited)
    shot(engineer, "engineer-page-released")
    engineer_key = live.key(Role.ENGINEER, live.seed.org.engineer)
    seen = httpx.get(
        f"{live.url}/v1/drafts/{draft_id}", headers={"Authorization": f"Bearer {engineer_key}"}
    )
    assert seen.status_code == 200, seen.text
    released = seen.json()["released"]
    summaries = [s["summary"] for key in ("strengths", "growth_areas") for s in released[key]]
    assert edited in summaries, released
    engineer.context.close()


def test_release_over_a_blocking_finding_is_refused_then_overridden_and_rejected_with_reasons(
    page: Page, live: Live
) -> None:
    draft_id = live.seed.drafts["tara_synthesis"]
    as_manager(page, live)
    page.goto(f"{live.url}/app/review/drafts/{draft_id}")
    summary = page.get_by_label(re.compile(r"^(Strength|Growth area) 1: summary$")).first
    summary.fill("Eli Engineer says the design docs settle every argument.")
    page.get_by_role("button", name="Save edits").click()
    block = page.locator(".field").filter(has=summary)
    finding = block.locator(".finding.blocking").first
    expect(finding).to_be_visible()
    shot(page, "review-draft-finding")

    page.get_by_role("button", name="Approve").click()
    page.get_by_role("button", name="Release to the engineer").click()
    expect(page.locator("p.code")).to_contain_text("guard_blocked")
    shot(page, "review-release-refused")

    page.goto(f"{live.url}/app/review/drafts/{draft_id}")
    page.get_by_label("Why releasing as it stands is right").fill("Eli agreed to be named.")
    page.get_by_role("button", name="Override with this reason").click()
    expect(page.get_by_role("status")).to_contain_text("Overridden")
    expect(page.locator(".finding.blocking")).to_have_count(0)
    expect(page.get_by_text("Eli agreed to be named.")).to_be_visible()

    page.get_by_role("button", name="Reject").click()  # no reason: the browser asks for one
    expect(page).to_have_url(re.compile(rf"/app/review/drafts/{draft_id}"))
    page.get_by_label("Reason for rejecting").fill("Too close to one reviewer's words.")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status")).to_have_text("Rejected.")
    expect(page.locator(".problem")).to_contain_text("Too close to one reviewer's words.")
    shot(page, "review-draft-rejected")


def test_engineers_hr_and_another_teams_manager_are_refused_the_desk(
    page: Page, live: Live
) -> None:
    org = live.seed.org
    draft = live.seed.drafts["eli_expectations"]
    for key, desk, one in (
        (live.key(Role.ENGINEER, org.engineer), 403, 403),
        (live.key(Role.HR), 403, 403),
        (live.key(Role.MANAGER, org.other_manager), 200, 404),
    ):
        page.context.clear_cookies()
        sign_in(page, live, key)
        assert page.goto(f"{live.url}/app/review").status == desk  # type: ignore[union-attr]
        if desk == 200:
            expect(page.get_by_text("No draft is waiting for you.")).to_be_visible()
        answer = page.goto(f"{live.url}/app/review/drafts/{draft}")
        assert answer is not None and answer.status == one
        expect(page.locator("p.code")).to_contain_text("forbidden" if one == 403 else "not_found")
        assert "Eli Engineer" not in page.content()
    shot(page, "review-refused-other-manager")


def test_a_thought_partner_reads_their_checklist_and_another_gets_404(
    page: Page, live: Live
) -> None:
    checklist = live.seed.drafts["eli_checklist"]
    sign_in(page, live, live.key(Role.THOUGHT_PARTNER, live.seed.org.partner))
    page.goto(f"{live.url}/app/partner")
    shot(page, "partner-checklists")
    page.get_by_role("link", name="Checklist for Eli Engineer").click()
    expect(page).to_have_url(f"{live.url}/app/partner/drafts/{checklist}")
    expect(page.get_by_role("heading", level=3).first).to_be_visible()
    details = page.locator("details.citation").first
    details.locator("summary").click()
    expect(details.locator("mark")).to_be_visible()
    shot(page, "partner-checklist")

    page.context.clear_cookies()
    assert live.seed.other_partner is not None
    sign_in(page, live, live.key(Role.THOUGHT_PARTNER, live.seed.other_partner))
    page.goto(f"{live.url}/app/partner")
    expect(page.get_by_text("No checklist for an assessment you partner.")).to_be_visible()
    answer = page.goto(f"{live.url}/app/partner/drafts/{checklist}")
    assert answer is not None and answer.status == 404
    for role, person in ((Role.ENGINEER, live.seed.org.engineer), (Role.HR, None)):
        page.context.clear_cookies()
        sign_in(page, live, live.key(role, person))
        answer = page.goto(f"{live.url}/app/partner/drafts/{checklist}")
        assert answer is not None and answer.status == 403
