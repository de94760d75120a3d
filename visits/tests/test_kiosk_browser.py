"""The entrance kiosk in Chromium at tablet and phone size: a member scans a card (typed code +
Enter), a guest taps a purpose tile; staff record in-library use. axe-core on every page. Uses
the browser fixtures of tests/browser (skipped without Chromium, like those)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.browser import conftest as browser
from tests.browser.helpers import assert_accessible, take_screenshots
from visits.models import InLibraryUse, Visit

browser_type_launch_args = browser.browser_type_launch_args
browser_context_args = browser.browser_context_args
page = browser.page
site = browser.site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not browser.CHROMIUM.exists() and not browser._browser_required(),
        reason=f"{browser.CHROMIUM} is missing; PUSTAKA_REQUIRE_BROWSER unset",
    ),
]


def test_member_and_guest_sign_the_visitor_book(page, site, make_member):
    member = make_member("Rina Wulandari")
    page.set_viewport_size({"width": 800, "height": 1280})  # a tablet standing up
    page.goto(site("/visit/?branch=pusat"))
    expect(page.locator("html")).to_have_attribute("lang", "id")  # Indonesian by default
    assert_accessible(page)
    take_screenshots(page, "visits-kiosk")

    # A keyboard-wedge scanner types the number and presses Enter into the focused box.
    expect(page.locator("#id_card")).to_be_focused()
    page.keyboard.type(member.number)
    page.keyboard.press("Enter")
    expect(page.locator(".greeting")).to_contain_text("Rina")
    expect(page.locator("body")).not_to_contain_text("Wulandari")
    assert_accessible(page)
    take_screenshots(page, "visits-welcome")
    page.locator('button[name="purpose"][value="studying"]').click()
    expect(page.locator("#id_card")).to_be_visible()
    assert Visit.objects.get(member=member).purpose == "studying"

    page.fill("#id_guest_name", "Budi Santoso")
    page.fill("#id_institution", "SMA Negeri 1 Samarinda")
    page.locator("label.tile", has=page.locator('input[value="research"]')).click()
    page.locator("form", has=page.locator("#id_guest_name")).locator("button").click()
    expect(page.locator(".greeting")).to_contain_text("Budi")
    guest = Visit.objects.get(kind="guest")
    assert (guest.guest_name, guest.purpose) == ("Budi Santoso", "research")


def test_a_guest_without_a_name_is_told_so(page, site, branches):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": site("/")}]
    )
    page.goto(site("/visit/?branch=pusat"))
    page.locator("label.tile", has=page.locator('input[value="reading"]')).click()
    page.locator("form", has=page.locator("#id_guest_name")).locator("button").click()
    expect(page.get_by_role("alert")).to_contain_text("Please write your name.")
    assert_accessible(page)
    assert not Visit.objects.exists()


def test_staff_record_items_left_on_tables(page, site, make_user, item):
    librarian = make_user("siti", roles={"librarian"})
    client = Client()
    client.force_login(librarian)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site("/"),
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": site("/")},
        ]
    )
    page.goto(site("/visit/staff/use/"))
    # A scanner types into whatever has the focus: the box must have it before the first code.
    expect(page.locator("#id_code")).to_be_focused()
    page.keyboard.type("B00001")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Bumi manusia")
    expect(page.locator("#id_code")).to_have_value("")
    assert_accessible(page)
    assert InLibraryUse.objects.count() == 1
    page.goto(site("/visit/staff/"))
    assert_accessible(page)
    take_screenshots(page, "visits-statistics")
