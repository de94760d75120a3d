"""Issue 4 point 15: place a hold from the OPAC and see it trapped at check-in.

A member on a phone finds a title whose only copy is on loan, is asked to sign in, comes back to
the record and places a hold; a librarian checks the copy in at the desk with a keyboard-wedge
scanner (typed barcode + Enter) and is told to put it on the hold shelf, with a hold slip; the
member's account then shows it ready for pickup. axe-core on every page; screenshots in
test-artifacts/screenshots/holds-*.png. Skipped without /usr/bin/chromium unless
PUSTAKA_REQUIRE_BROWSER=1."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from catalog.records import ParsedContributor, ParsedItem, ParsedRecord
from catalog.services import save_parsed_record
from tests.browser import conftest as browser_conf
from tests.browser.helpers import assert_accessible, take_screenshots

browser_type_launch_args = browser_conf.browser_type_launch_args
browser_context_args = browser_conf.browser_context_args
page = browser_conf.page
site = browser_conf.site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not browser_conf.CHROMIUM.exists() and not browser_conf._browser_required(),
        reason=f"{browser_conf.CHROMIUM} is missing; PUSTAKA_REQUIRE_BROWSER unset",
    ),
]

PHONE = {"width": 360, "height": 800}
RESULTS_PAGE_LIMIT = 60 * 1024


@pytest.fixture
def title_on_loan(library, branches, make_member, librarian):
    """ "Ronggeng Dukuh Paruk": one copy, at the main library, lent to Budi."""
    from circulation import services

    record = save_parsed_record(
        ParsedRecord(
            title="Ronggeng Dukuh Paruk",
            contributors=[ParsedContributor("Tohari, Ahmad")],
            language="ind",
            year=1982,
            items=[ParsedItem(barcode="RDP-0001", branch_code="pusat", shelf_location="Rak 5")],
        )
    ).record
    item = record.items.get()
    services.check_out(item, make_member("Budi"), staff=librarian)
    return record, item


def desk_session(context, live_server, user, branch) -> None:
    """A librarian's signed-in desk session (at `branch`), in English, in `context`."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["desk_branch"] = branch.pk
    session.save()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )


def scanner(page, code: str) -> None:
    """A keyboard-wedge scanner: the code typed fast, then Enter."""
    page.locator("#scan-code").press_sequentially(code, delay=5)
    page.locator("#scan-code").press("Enter")


def test_place_a_hold_from_the_opac_and_see_it_trapped_at_check_in(
    page, site, live_server, browser, title_on_loan, make_member, make_user, librarian, branches
):
    record, item = title_on_loan
    user = make_user("rina", roles={"member"})
    user.preferred_language = "en"  # signing in switches to the member's own language
    user.save()
    reader = make_member("Rina", user=user)

    # The member, on a phone, finds the title: its only copy is on loan.
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": site("/")}])
    page.goto(site("/"))
    page.locator("#q").fill("ronggeng")
    page.locator("#q").press("Enter")
    expect(page.locator(".result-title")).to_have_text(["Ronggeng Dukuh Paruk"])
    response = page.request.get(page.url)
    assert len(response.body()) < RESULTS_PAGE_LIMIT
    assert_accessible(page)
    page.locator(".result-title a").click()
    expect(page.locator("h1")).to_contain_text("Ronggeng Dukuh Paruk")
    expect(page.locator("#availability ~ .summary")).to_contain_text("0 of 1 copy available")
    assert_accessible(page)
    take_screenshots(page, "holds-record-visitor")

    # Not signed in: the panel asks to sign in and comes back to the record.
    page.locator("#hold a", has_text="Sign in to place a hold").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    assert_accessible(page)
    page.get_by_label("User name or e-mail").fill("rina")
    page.get_by_label("Password").fill("secret-pass-1")
    page.locator("main button[type=submit]", has_text="Sign in").click()
    expect(page).to_have_url(site(f"/catalogue/records/{record.pk}/#hold"))

    # Signed in: choose where to collect it and place the hold.
    panel = page.locator("#hold")
    expect(panel.get_by_label("Collect it at")).to_have_value(str(branches[0].pk))
    assert_accessible(page)
    take_screenshots(page, "holds-record-member")
    panel.get_by_role("button", name="Place a hold").click()
    expect(page.locator(".messages")).to_contain_text(
        "Your hold on “Ronggeng Dukuh Paruk” is placed. You are number 1 in line"
    )
    expect(page.locator("#hold")).to_contain_text("you are number 1 in line; pickup at Pusat")
    assert_accessible(page)
    take_screenshots(page, "holds-placed")
    hold = reader.holds.get()
    assert hold.state == "waiting"

    # The librarian checks the copy in at the desk: it is trapped for Rina's hold.
    desk = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    try:
        desk_session(desk, live_server, librarian, branches[0])
        desk_page = desk.new_page()
        desk_page.set_default_timeout(browser_conf.TIMEOUT_MS)
        desk_page.goto(site("/staff/desk/"))
        expect(desk_page.locator("#scan-code")).to_be_focused()
        scanner(desk_page, item.barcode)
        result = desk_page.locator("#scan-result")
        expect(result).to_contain_text("Checked in")
        expect(result).to_contain_text("Hold shelf")
        expect(result).to_contain_text("for Rina")
        expect(result.get_by_role("link", name="Print hold slip")).to_be_visible()
        assert_accessible(desk_page)
        take_screenshots(desk_page, "holds-desk-trapped")
        result.get_by_role("link", name="Print hold slip").click()
        expect(desk_page.locator("main")).to_contain_text("Ronggeng Dukuh Paruk")
        expect(desk_page.locator("main")).to_contain_text("Rina")
        assert_accessible(desk_page)
        take_screenshots(desk_page, "holds-slip")
    finally:
        desk.close()
    hold.refresh_from_db()
    assert hold.state == "ready" and hold.item_id == item.pk

    # The member's account now shows the hold ready for pickup.
    page.goto(site("/account/library/"))
    ready = page.locator(".card.ready")
    expect(ready).to_contain_text("Ronggeng Dukuh Paruk")
    expect(ready).to_contain_text("Ready for you at Pusat. Collect it by")
    assert_accessible(page)
    take_screenshots(page, "holds-ready-in-account")
    # And the record page says so too.
    page.goto(site(f"/catalogue/records/{record.pk}/"))
    expect(page.locator("#hold")).to_contain_text("Your hold is ready for you at Pusat")
    assert_accessible(page)
