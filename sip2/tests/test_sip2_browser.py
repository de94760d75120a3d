"""The SIP2 accounts screen in Chromium: axe-clean list and form, at phone and desktop widths."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from circulation.tests.test_desk_browser import browser_type_launch_args, page, sign_in  # noqa: F401
from tests.browser.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists() and os.environ.get("PUSTAKA_REQUIRE_BROWSER", "") != "1",
        reason=f"{CHROMIUM} is missing; PUSTAKA_REQUIRE_BROWSER unset",
    ),
]


def test_accounts_screen_and_form(page, live_server, librarian, branches, account):  # noqa: F811
    from django.utils import timezone

    from sip2.models import SipDailyCount
    from tests.browser.helpers import assert_accessible, take_screenshots

    SipDailyCount.objects.create(
        account=account, day=timezone.localdate(), code="11", count=12, errors=1
    )
    sign_in(page, live_server, librarian, branch=branches[0])
    page.goto(live_server.url + "/staff/sip2/")
    expect(page.locator("h1")).to_have_text("Self-check kiosks (SIP2)")
    expect(page.locator("table")).to_contain_text("11: 12")
    assert_accessible(page)
    take_screenshots(page, "sip2-accounts")

    page.get_by_role("link", name="kiosk").click()
    expect(page.locator("h1")).to_contain_text("kiosk")
    assert_accessible(page)
    take_screenshots(page, "sip2-account-form")
    page.get_by_label("idle timeout (seconds)").fill("90")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text("Self-check kiosks (SIP2)")
    account.refresh_from_db()
    assert account.timeout_seconds == 90
