"""The cataloguing screens in Chromium: describing a record with suggestions and an extra
contributor row (htmx), adding copies, printing labels (the PDF comes back). axe-core on every
page. Uses the browser fixtures of tests/browser (skipped without Chromium, like those)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from catalog.models import Item, Record
from catalog.records import ParsedContributor, ParsedRecord
from catalog.services import create_record
from tests.browser import conftest as browser
from tests.browser.helpers import assert_accessible, take_screenshots

# The browser fixtures of tests/browser (Debian's Chromium, timeouts, the live server's URLs).
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


def sign_in_as(page, site, user) -> None:
    """Put a signed-in session for `user` into the browser, in English."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site("/")},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": site("/")},
        ]
    )


def test_cataloguer_describes_a_record_adds_copies_and_prints_labels(
    page, site, library, make_user
):
    cataloguer = make_user("katalog", roles={"cataloguer"})
    create_record(
        ParsedRecord(
            title="Laskar pelangi",
            contributors=[ParsedContributor("Hirata, Andrea", "author", "1967-")],
        ),
        by=cataloguer,
    )
    sign_in_as(page, site, cataloguer)

    page.goto(site("/staff/catalogue/"))
    assert_accessible(page)
    take_screenshots(page, "cataloguing-home")
    page.get_by_role("link", name="Add a record").first.click()

    expect(page.locator("h1")).to_have_text("Add a record")
    page.locator("#id_title").fill("Sang pemimpi")
    first_name = page.locator("input[name=contributors-0-name]")
    first_name.press_sequentially("hira", delay=30)
    expect(page.locator("#contributor-suggestions option")).to_have_count(1)
    first_name.fill("Hirata, Andrea, 1967-")
    page.get_by_role("button", name="Add a row").click()
    expect(page.locator("input[name=contributors-3-name]")).to_be_visible()
    expect(page.locator("#id_contributors-TOTAL_FORMS")).to_have_value("4")
    page.locator("input[name=contributors-3-name]").fill("Lane, Max")
    page.locator("select[name=contributors-3-role]").select_option("translator")
    page.locator("#id_isbns").fill("978-602-03-3295-5")  # a wrong check digit
    assert_accessible(page)
    take_screenshots(page, "cataloguing-record-form")
    page.get_by_role("button", name="Save", exact=True).last.click()

    expect(page.locator("#error-summary")).to_contain_text("check digit")
    assert_accessible(page)
    page.locator("#id_isbns").fill("978-602-03-3295-6")
    page.get_by_role("button", name="Save", exact=True).last.click()

    expect(page.locator("h1")).to_contain_text("Sang pemimpi")
    record = Record.objects.get(title="Sang pemimpi")
    assert [link.role for link in record.record_contributors.order_by("position")] == [
        "author",
        "translator",
    ]
    page.get_by_role("link", name="Add copies").click()
    page.locator("#id_count").fill("3")
    page.locator("#id_first_barcode").fill("P0099")
    page.locator("#id_price").fill("45.000")
    assert_accessible(page)
    page.get_by_role("button", name="Add the copies").click()

    expect(page.locator("main table tbody tr")).to_have_count(3)
    expect(page.locator("main table")).to_contain_text("P0101")
    assert_accessible(page)
    take_screenshots(page, "cataloguing-record")
    assert Item.objects.filter(record=record).count() == 3

    page.get_by_role("link", name="Barcode labels").click()
    expect(page.locator("#id_record")).to_have_value(str(record.pk))
    assert_accessible(page)
    take_screenshots(page, "cataloguing-labels")
    with page.expect_response(lambda r: r.request.method == "POST") as response_info:
        page.get_by_role("button", name="Make the PDF").click()
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
