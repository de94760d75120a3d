"""The OPAC in Chromium on a phone: search with Indonesian analysis, apply a facet (the form
submits itself with JavaScript, and works without), open a record, see where the copies are;
a right-to-left vernacular title. axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalog.records import ParsedContributor, ParsedItem, ParsedRecord
from catalog.services import save_parsed_record
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

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def records(library):
    # A transactional test: the index follows these saves through the real on-commit signal.
    saved = {}
    for key, title, language, items in (
        ("bacaan", "Bacaan anak", "ind", ["pusat", "pusat", "cabang"]),
        ("reading", "Reading for children", "eng", ["cabang"]),
        ("arab", "Kitāb al-qirāʼah", "ara", ["pusat"]),
    ):
        saved[key] = save_parsed_record(
            ParsedRecord(
                title=title,
                title_vernacular="كتاب القراءة" if key == "arab" else "",
                contributors=[ParsedContributor("Sutrisno, Budi")],
                subjects=["Buku bacaan -- Anak-anak"],
                language=language,
                year=2019,
                items=[ParsedItem(branch_code=code, shelf_location="Rak Anak 3") for code in items],
            )
        ).record
    return saved


def test_visitor_on_a_phone_searches_filters_and_finds_the_shelf(page, site, records):
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": site("/")}])
    page.goto(site("/"))
    page.locator("#q").fill("judul:membaca anak-anak")
    page.locator("#q").press("Enter")
    expect(page.locator("main [role=status]")).to_contain_text(
        "1 result for “judul:membaca anak-anak”"
    )
    expect(page.locator(".result-title")).to_have_text(["Bacaan anak"])
    assert_accessible(page)

    page.goto(site("/catalogue/?q=sutrisno"))
    expect(page.locator("main [role=status]")).to_contain_text("3 results")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert_accessible(page)
    take_screenshots(page, "opac-results")

    # Ticking a language narrows the results at once.
    page.get_by_label("English").check()
    expect(page.locator("main [role=status]")).to_contain_text("1 result")
    expect(page.locator(".result-title")).to_have_text(["Reading for children"])
    expect(page.locator(".chosen a")).to_contain_text("English")
    assert_accessible(page)

    page.locator(".result-title a").first.click()
    expect(page.locator("h1")).to_have_text("Reading for children")
    expect(page.locator("caption")).to_contain_text("Cabang: 1 of 1 available")
    expect(page.locator(".copies-table td").first).to_have_text("Rak Anak 3")
    assert_accessible(page)
    take_screenshots(page, "opac-record")


def test_a_vernacular_title_reads_right_to_left(page, site, records):
    page.set_viewport_size(PHONE)
    page.goto(site(f"/catalogue/records/{records['arab'].pk}/"))
    vernacular = page.locator(".vernacular")
    expect(vernacular).to_have_text("كتاب القراءة")
    expect(vernacular).to_have_attribute("lang", "ar")
    assert vernacular.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert_accessible(page)


def test_filters_work_without_javascript(browser, site, records):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": site("/")}])
    page = context.new_page()
    page.goto(site("/catalogue/?q=sutrisno"))
    page.get_by_label("English").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".result-title")).to_have_text(["Reading for children"])
    context.close()
