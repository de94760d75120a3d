"""A stocktake in Chromium: start it, scan with a simulated scanner (typed code + Enter, the
panel and the counts swapped by htmx), upload a reader file, close. axe-core on every page.
Uses the browser fixtures of tests/browser (skipped without Chromium, like those)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from catalog.models import Item, ItemStatus
from tests.browser import conftest as browser
from tests.browser.helpers import assert_accessible, take_screenshots

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


def test_scan_upload_and_close_a_stocktake(page, site, cataloguer, make_item, branches, tmp_path):
    for n in range(1, 6):
        make_item(barcode=f"B{n:05d}", shelf=f"A-0{n}")
    make_item(barcode="B00009", branch=branches[1])
    client = Client()
    client.force_login(cataloguer)
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
    page.set_viewport_size({"width": 360, "height": 800})  # a phone between the shelves
    page.goto(site("/staff/stocktake/"))
    assert_accessible(page)
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pusat")

    expect(page.locator("#id_code")).to_be_focused()  # a scanner types into the focus
    page.keyboard.type("B00001")
    page.keyboard.press("Enter")
    expect(page.locator("#scan-result")).to_contain_text("Found")
    expect(page.locator("#counts")).to_contain_text("Found1 (20%)")
    expect(page.locator("#id_code")).to_be_focused()  # the new box has the focus again
    page.keyboard.type("B00009")
    page.keyboard.press("Enter")
    expect(page.locator("#scan-result")).to_contain_text("Misplaced")
    expect(page.locator("#scan-result")).to_contain_text("Cabang")
    assert_accessible(page)
    take_screenshots(page, "stocktake-scan")

    reader = tmp_path / "reader.txt"
    reader.write_text("B00002\nB00002\nnot a code\nB00003\nX404\n")
    page.set_input_files("#id_file", str(reader))
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_text("Line 3 (“not a code”)")).to_be_visible()
    expect(page.locator("#counts")).to_contain_text("Found3 (60%)")
    assert_accessible(page)

    page.get_by_role("link", name="Close the stocktake").click()
    assert_accessible(page)
    page.get_by_role("button", name="Close and mark missing").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stocktake result")
    assert_accessible(page)
    take_screenshots(page, "stocktake-report")
    assert set(
        Item.objects.filter(status=ItemStatus.MISSING).values_list("barcode", flat=True)
    ) == {
        "B00004",
        "B00005",
    }
