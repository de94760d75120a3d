"""The desk and the member's account in Chromium: a keyboard-wedge scanner (typed barcode +
Enter, fast, several in a row), check-in routing, and renewing from a phone. Every page is
checked with axe-core. Skipped without /usr/bin/chromium unless PUSTAKA_REQUIRE_BROWSER=1."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists() and os.environ.get("PUSTAKA_REQUIRE_BROWSER", "") != "1",
        reason=f"{CHROMIUM} is missing; PUSTAKA_REQUIRE_BROWSER unset",
    ),
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def page(page):
    page.set_default_timeout(TIMEOUT_MS)
    return page


def sign_in(page, live_server, user, *, branch=None, width=1280, language="en") -> None:
    """Put a signed-in session (verified with the user's second factor, if they have one, and
    with the desk's branch) into the browser, in English unless `language` says otherwise."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    session = client.session
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session["otp_device_id"] = device.persistent_id
    if branch is not None:
        session["desk_branch"] = branch.pk
    session.save()
    page.set_viewport_size({"width": width, "height": 800})
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )


def scanner(page, code: str) -> None:
    """A keyboard-wedge scanner: the code typed fast, then Enter."""
    page.locator("#scan-code").press_sequentially(code, delay=5)
    page.locator("#scan-code").press("Enter")


def test_scanning_a_card_and_three_items_in_a_row_then_checking_one_in(
    page, live_server, librarian, branches, member, make_item
):
    from tests.browser.helpers import assert_accessible, take_screenshots

    items = [make_item() for _ in range(3)]
    sign_in(page, live_server, librarian, branch=branches[0])
    page.goto(live_server.url + "/staff/desk/")
    expect(page.locator("#scan-code")).to_be_focused()
    assert_accessible(page)

    scanner(page, member.number)
    expect(page.locator("#desk-panel h2")).to_have_text("Rina")
    for item in items:  # no waiting between scans: they queue and are sent in order
        scanner(page, item.barcode)
    expect(page.locator("#desk-panel")).to_contain_text("3 items on loan")
    expect(page.locator("#scan-result")).to_contain_text(items[-1].barcode)
    expect(page.locator("#scan-code")).to_have_value("")
    expect(page.locator("#scan-code")).to_be_focused()
    assert_accessible(page)
    take_screenshots(page, "desk-member-session")

    page.locator("#desk-panel button", has_text="Finish").click()
    expect(page.locator("#scan-result")).to_contain_text("Session ended")
    scanner(page, items[0].barcode)
    expect(page.locator("#scan-result")).to_contain_text("Checked in")
    expect(page.locator("#scan-result")).to_contain_text("Shelve")
    scanner(page, "NOPE-42")
    expect(page.locator("#scan-result [role=alert]")).to_contain_text("“NOPE-42”")
    assert_accessible(page)
    take_screenshots(page, "desk-check-in")


def test_the_member_panel_in_indonesian_marks_late_renewed_and_new_loans(
    page, live_server, librarian, branches, make_member, make_item
):
    """The panel's rows in the default language: an overdue loan renewed once, and one lent in
    this desk session; each row's Renew and Lost… name its title for screen readers."""
    import time_machine

    from circulation import services
    from tests.browser.helpers import assert_accessible, take_screenshots

    reader = make_member("Dewi Lestari")
    late, new = make_item(), make_item()
    with time_machine.travel(dt.datetime(2026, 10, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        loan = services.check_out(late, reader, staff=librarian, branch=branches[0]).loan
    with time_machine.travel(dt.datetime(2026, 10, 10, 3, 0, tzinfo=dt.UTC), tick=False):
        services.renew(loan, staff=librarian)
    sign_in(page, live_server, librarian, branch=branches[0], language="id")
    page.goto(live_server.url + "/staff/desk/")
    scanner(page, reader.number)
    expect(page.locator("#desk-panel h2")).to_have_text("Dewi Lestari")
    scanner(page, new.barcode)
    panel = page.locator("#desk-panel")
    expect(panel).to_contain_text("2 eksemplar dipinjam")
    rows = panel.locator("table.loans tbody tr")
    expect(rows).to_have_count(2)
    late_row = panel.locator("tr.overdue")
    expect(late_row).to_contain_text(late.barcode)
    expect(late_row.locator(".badge.late")).to_have_text("terlambat")
    expect(late_row).to_contain_text("diperpanjang 1 kali")
    new_row = panel.locator("tr[data-new]")
    expect(new_row).to_contain_text(new.barcode)
    expect(new_row.locator(".badge.new")).to_have_text("baru")
    expect(new_row.locator("button")).to_have_text(f"Perpanjang {new.record.title}")
    assert_accessible(page)
    take_screenshots(page, "desk-panel-id")


def test_lending_another_copy_than_the_one_waiting_tells_where_the_waiting_one_goes(
    page, live_server, librarian, branches, make_member, make_item, record
):
    """In Indonesian on a phone-wide desk: Rina's copy waits on the hold shelf, she brings
    another; the answer says her hold is filled and that the waiting copy now goes to Budi,
    with his slip to print."""
    from circulation import services
    from tests.browser.helpers import assert_accessible, take_screenshots

    rina, budi = make_member("Rina"), make_member("Budi")
    waiting_copy, shelf_copy = make_item(), make_item()
    services.check_out(waiting_copy, make_member("Dewi"), staff=librarian)
    services.place_hold(record, rina, pickup_branch=branches[0])
    services.place_hold(record, budi, pickup_branch=branches[0])
    services.check_in(waiting_copy, staff=librarian, branch=branches[0])

    sign_in(page, live_server, librarian, branch=branches[0], width=360, language="id")
    page.goto(live_server.url + "/staff/desk/")
    scanner(page, rina.number)
    expect(page.locator("#desk-panel h2")).to_have_text("Rina")
    scanner(page, shelf_copy.barcode)
    result = page.locator("#scan-result")
    expect(result).to_contain_text("Ini memenuhi reservasi anggota")
    expect(result).to_contain_text(f"({waiting_copy.barcode}), kini bebas lagi")
    expect(result.locator(".route.hold")).to_contain_text(f"Budi ({budi.number})")
    expect(result.get_by_role("link", name="Cetak slip reservasi")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "desk-freed-copy-id")


def test_a_refused_checkout_offers_the_head_an_override_form(
    page, live_server, make_user, branches, make_member, item
):
    from tests.browser.helpers import assert_accessible

    head = make_user("kepala", roles={"head"}, totp=True)
    blocked = make_member(expires_on=dt.date(2020, 1, 1))
    sign_in(page, live_server, head, branch=branches[0])
    page.goto(live_server.url + "/staff/desk/")
    scanner(page, blocked.number)
    expect(page.locator("#desk-panel .blocks")).to_contain_text("expired")
    scanner(page, item.barcode)
    reason = page.locator("#override-reason")
    expect(reason).to_be_focused()
    assert_accessible(page)
    reason.fill("kartu diperpanjang hari ini")
    reason.press("Enter")
    expect(page.locator("#scan-result")).to_contain_text("Checked out")
    expect(page.locator("#desk-panel")).to_contain_text("1 item on loan")


def test_a_member_renews_from_a_phone(page, live_server, make_user, make_member, item, librarian):
    from circulation import services
    from tests.browser.helpers import assert_accessible, take_screenshots

    reader = make_member("Rina", user=make_user("rina", roles={"member"}))
    loan = services.check_out(item, reader, staff=librarian).loan
    loan.due_at -= dt.timedelta(days=10)  # borrowed a while ago
    loan.save()
    sign_in(page, live_server, reader.user, width=360)
    page.goto(live_server.url + "/account/library/")
    expect(page.locator("h1")).to_have_text("My library account")
    assert_accessible(page)
    page.locator("main button", has_text="Renew").click()
    expect(page.locator(".messages")).to_contain_text("is renewed")
    assert_accessible(page)
    take_screenshots(page, "account-renewed")


def test_the_other_desk_and_account_screens_pass_axe(
    page, live_server, make_user, branches, make_member, make_item, record, librarian
):
    from circulation import services
    from circulation.models import LoanPolicy
    from tests.browser.helpers import assert_accessible, take_screenshots

    LoanPolicy.objects.create(name="Pelajar", member_category_id="school_student", loan_days=7)
    rina = make_user("rina", roles={"member"})
    reader = make_member("Rina", user=rina, category="school_student")
    waiting = make_member("Budi")
    first, shelf_copy = make_item(), make_item(shelf_location="Rak 2")
    loan = services.check_out(first, reader, staff=librarian).loan
    services.charge(reader, 7500, kind="damaged", reason="sobek", staff=librarian)
    payment = services.pay(reader, 2500, method="cash", staff=librarian)
    hold = services.place_hold(record, waiting, pickup_branch=branches[0])

    head = make_user("kepala", roles={"head"}, totp=True)
    sign_in(page, live_server, head, branch=branches[0])
    staff_pages = {
        "rules": f"/staff/desk/rules/?member={reader.number}&item={first.barcode}"
        f"&branch={branches[0].pk}",
        "rule-form": "/staff/desk/rules/new/",
        "fines": f"/staff/desk/members/{reader.pk}/fines/",
        "hold-shelf": "/staff/desk/hold-shelf/",
        "pull-list": "/staff/desk/pull-list/",
        "transfers": "/staff/desk/transfers/",
        "receipt": f"/staff/desk/members/{reader.pk}/receipt/?loan={loan.pk}",
        "payment-receipt": f"/staff/desk/payments/{payment.pk}/receipt/",
        "lost": f"/staff/desk/loans/{loan.pk}/lost/",
        "branch": "/staff/desk/branch/",
        "deletion-requests": "/staff/desk/account-requests/",
    }
    for name, path in staff_pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_accessible(page)
        if name in ("rules", "fines", "receipt"):
            take_screenshots(page, f"desk-{name}")
    assert hold.pk and shelf_copy.pk

    page.context.clear_cookies()
    sign_in(page, live_server, reader.user, width=360)
    for name in ("fines", "history", "privacy", "delete"):
        page.goto(f"{live_server.url}/account/library/{name}/")
        assert_accessible(page)
