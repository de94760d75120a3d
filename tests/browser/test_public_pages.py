"""A visitor on the public pages: Indonesian first, English when asked, search, hours, a 404."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, take_screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_time_visitor_gets_the_home_page_in_indonesian(page, site, library):
    response = page.goto(site("/"))

    # The browser asks for English; Pustaka speaks Indonesian until the visitor chooses.
    assert response.request.all_headers()["accept-language"].startswith("en-US")
    assert response.status == 200
    assert response.headers["content-language"] == "id"
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator(".hero .search-box button[type=submit]")).to_have_text("Cari")
    expect(page.locator(".main-nav a[href='/account/login/']")).to_have_text("Masuk")
    expect(page.locator(".main-nav a[href='/hours/']")).to_have_text("Jam buka")
    expect(page.locator(".lang-switch button[value=id]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("h1")).to_have_text("Perpustakaan Uji")
    expect(page.locator(".cards .card h3")).to_have_text(["Pusat", "Cabang"])
    assert_accessible(page)
    take_screenshots(page, "home")


def test_visitor_switches_to_english_and_the_choice_is_remembered(page, site, library):
    page.goto(site("/hours/"))
    expect(page.locator("html")).to_have_attribute("lang", "id")

    page.locator(".lang-switch button[value=en]").click()

    # Back on the same page, now in English.
    expect(page).to_have_url(site("/hours/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Opening hours")
    expect(page.locator(".main-nav a[href='/account/login/']")).to_have_text("Sign in")
    expect(page.locator(".lang-switch button[value=en]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".hours-grid")).to_have_count(2)
    assert_accessible(page)

    # The next page load remembers the choice.
    page.goto(site("/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".hero .search-box button[type=submit]")).to_have_text("Search")
    expect(page.locator(".main-nav a[href='/hours/']")).to_have_text("Opening hours")
    assert_accessible(page)

    # And back to Indonesian.
    page.locator(".lang-switch button[value=id]").click()
    expect(page).to_have_url(site("/"))
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "id")


def test_visitor_searches_reads_opening_hours_and_meets_a_missing_page(page, site, library):
    page.goto(site("/"))
    page.locator("#q").fill("laskar pelangi")
    page.locator("#q").press("Enter")

    expect(page).to_have_url(site("/catalogue/?q=laskar+pelangi"))
    expect(page.locator("#q")).to_have_value("laskar pelangi")
    expect(page.locator("main [role=status]")).to_contain_text("laskar pelangi")
    assert_accessible(page)

    page.goto(site("/hours/"))
    expect(page.locator(".hours-grid")).to_have_count(2)
    expect(page.locator(".hours-grid").first.locator("tbody tr")).to_have_count(7)
    assert_accessible(page)
    take_screenshots(page, "opening-hours")

    response = page.goto(site("/no-such-page/"))
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("main a.button[href='/']")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "not-found")


@pytest.mark.parametrize(
    ("width", "height"),
    [(320, 640), (640, 400)],  # WCAG reflow at 320 CSS px; a 1280 px window at 200% zoom
    ids=["reflow-320", "zoom-200"],
)
def test_pages_fit_a_narrow_or_zoomed_screen_without_sideways_scrolling(
    page, site, library, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    for path in ("/", "/hours/", "/account/login/", "/catalogue/?q=sejarah"):
        page.goto(site(path))
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        # The search box and the main menu stay usable.
        assert page.locator("nav.main-nav").is_visible()
