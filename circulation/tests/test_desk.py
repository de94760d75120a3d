"""The desk: one scan box for member cards and item barcodes, check out in a row, check in with
routing and slips, refusals and overrides, renewals, the no-JavaScript path, query counts.

Wording is asserted in the English interface (the language cookie), so translating the
Indonesian catalogue does not break these tests."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import ItemStatus
from circulation import services
from circulation.models import Loan, LoanPolicy
from circulation.tests.conftest import MONDAY
from core.models import AuditEntry
from core.tests.test_views import signed_in

pytestmark = pytest.mark.django_db

SCAN = reverse("circulation:scan")
DESK = reverse("circulation:desk")
HTMX = {"HTTP_HX_REQUEST": "true"}


def desk_client(user, branch=None):
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if branch is not None:
        session = client.session
        session["desk_branch"] = branch.pk
        session.save()
    return client


def scan(client, code, **extra):
    return client.post(SCAN, {"code": code, **extra}, **HTMX).content.decode()


@pytest.fixture
def head(make_user, library):
    """The head of library signs in with a second factor (their role requires it)."""
    return make_user("kepala", roles={"head"}, totp=True)


@pytest.fixture
def desk(librarian, branches):
    return desk_client(librarian, branches[0])


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def test_the_desk_asks_for_the_branch_once_and_remembers_it(librarian, branches):
    client = desk_client(librarian)
    response = client.get(DESK)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("circulation:branch"))
    page = client.get(response["Location"]).content.decode()
    assert "Cabang" in page and "Pusat" in page
    response = client.post(reverse("circulation:branch"), {"branch": branches[1].pk, "next": DESK})
    assert response["Location"] == DESK
    page = client.get(DESK).content.decode()
    assert "Working at <strong>Cabang</strong>" in page
    assert 'id="scan-code"' in page and "autofocus" in page and 'aria-live="polite"' in page


def test_a_cataloguer_gets_403_at_the_desk(make_user, branches, item):
    client = desk_client(make_user("katalog", roles={"cataloguer"}), branches[0])
    assert client.get(DESK).status_code == 403
    assert client.post(SCAN, {"code": item.barcode}).status_code == 403
    assert not Loan.objects.exists()


def test_scanning_a_member_card_opens_their_panel(desk, member, make_item, librarian, record):
    late = make_item()
    with time_machine.travel(MONDAY - dt.timedelta(days=20), tick=False):
        services.check_out(late, member, staff=librarian)
    services.charge(member, 2500, kind="damaged", reason="sobek", staff=librarian)
    html = scan(desk, member.number.lower())  # scanners and typists differ in case
    assert "Rina (M00001)" in html and "session open" in html
    assert "Umum" in html  # category
    assert "31 December 2027" in html  # expiry
    assert 'class="overdue"' in html and "overdue" in html
    assert "Rp\xa02.500" in html
    assert 'hx-swap-oob="true"' in html  # the panel comes out of band
    assert AuditEntry.objects.filter(action="member.view", object_id=str(member.pk)).exists()


def test_a_blocked_members_card_shows_why_and_checkout_is_refused(desk, make_member, item):
    expired = make_member(expires_on=dt.date(2026, 10, 1))
    html = scan(desk, expired.number)
    assert "May not borrow now" in html and "2026-10-01" in html
    html = scan(desk, item.barcode)
    assert "Not checked out" in html and "2026-10-01" in html
    # A librarian may not override: no form, a hint instead.
    assert 'name="reason"' not in html and "right to override" in html
    assert not Loan.objects.exists()


def test_items_scanned_with_a_member_open_are_checked_out_in_a_row(desk, member, make_item):
    first, second = make_item(), make_item()
    scan(desk, member.number)
    html = scan(desk, first.barcode)
    assert "Checked out" in html and "Due on 7 December 2026" in html
    html = scan(desk, second.barcode)
    assert "2 items on loan" in html
    loans = Loan.objects.filter(member=member, state="on_loan")
    assert loans.count() == 2
    assert all(loan.branch.code == "pusat" for loan in loans)
    assert desk.session["desk_loans"] == sorted(loan.pk for loan in loans)


def test_after_a_checkout_the_panel_still_shows_what_the_member_owes_and_has_on_loan(
    desk, member, make_item, librarian
):
    late = make_item()
    with time_machine.travel(MONDAY - dt.timedelta(days=20), tick=False):
        services.check_out(late, member, staff=librarian)
    services.charge(member, 2500, kind="damaged", reason="sobek", staff=librarian)
    scan(desk, member.number)
    html = scan(desk, make_item().barcode)
    assert "Checked out" in html
    assert "2 items on loan" in html and 'class="overdue"' in html
    assert "Rp\xa02.500" in html and "building up on overdue items" in html


def test_the_desk_page_has_one_panel_and_a_scan_answers_with_result_and_panel(desk, member):
    page = desk.get(DESK).content.decode()
    assert page.count('id="desk-panel"') == 1 and page.count('id="scan-help"') == 1
    html = scan(desk, member.number)
    assert html.count('id="desk-panel"') == 1 and 'hx-swap-oob="true"' in html
    assert "session open" in html


def test_an_unknown_barcode_is_named(desk, member):
    html = scan(desk, "XYZ-404")
    assert "No member card or item has the code “XYZ-404”." in html
    assert 'role="alert"' in html


def test_an_empty_scan_says_what_to_do(desk):
    html = scan(desk, "   ")
    assert "Scan or type a member number or an item barcode." in html


def test_without_a_member_an_item_scan_checks_it_in_to_the_shelf(desk, item, member, librarian):
    services.check_out(item, member, staff=librarian)
    html = scan(desk, item.barcode)
    assert "Checked in" in html and "Shelve" in html
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE
    # The check-ins of this session are listed in the panel.
    assert "Check-ins" in html and item.barcode in html


def test_a_withdrawn_copy_dropped_in_the_returns_is_set_aside_not_shelved(desk, item):
    item.status = ItemStatus.WITHDRAWN
    item.save(update_fields=["status"])
    html = scan(desk, item.barcode)
    assert "Not for the shelf" in html and "Withdrawn" in html and "Shelve" not in html
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN


def test_a_returned_item_wanted_by_a_hold_goes_to_the_hold_shelf_with_a_slip(
    desk, item, member, make_member, librarian, record, branches
):
    services.check_out(item, member, staff=librarian)
    budi = make_member("Budi")
    hold = services.place_hold(record, budi, pickup_branch=branches[0])
    html = scan(desk, item.barcode)
    assert "Hold shelf" in html and "for Budi (M00002)" in html
    assert "collect by 26 November 2026" in html
    slip_url = reverse("circulation:hold-slip", args=[hold.pk])
    assert slip_url in html
    slip = desk.get(slip_url).content.decode()
    assert "Budi" in slip and "26 November 2026" in slip and "receipt.css" in slip


def test_lending_another_copy_than_the_one_on_the_hold_shelf_says_where_that_one_goes(
    desk, make_item, member, make_member, librarian, record, branches
):
    """Rina's copy waits on the hold shelf, but she brings another from the open shelf. The
    desk tells the librarian what to do with the one on the hold shelf: a new slip for the next
    in line (Budi), or, once nobody waits, back to the shelf — with or without JavaScript."""
    waiting_copy, shelf_copy, third = make_item(), make_item(), make_item()
    services.check_out(waiting_copy, make_member("Dewi"), staff=librarian)
    services.place_hold(record, member, pickup_branch=branches[0])
    budi = services.place_hold(record, make_member("Budi"), pickup_branch=branches[0])
    services.check_in(waiting_copy, staff=librarian, branch=branches[0])

    scan(desk, member.number)
    html = scan(desk, shelf_copy.barcode)
    assert "This fills the member's hold on the title." in html
    freed = f"waiting on the hold shelf for this member, Laskar pelangi ({waiting_copy.barcode})"
    assert freed in html
    assert "Hold shelf" in html and "for Budi (M00003)" in html
    assert reverse("circulation:hold-slip", args=[budi.pk]) in html  # Budi's slip to print
    assert "collect by 26 November 2026" in html

    budi_desk = desk_client(librarian, branches[0])
    budi_desk.post(SCAN, {"code": budi.member.number})
    budi_desk.post(SCAN, {"code": third.barcode})  # no JavaScript: redirect, then the page
    page = budi_desk.get(DESK).content.decode()
    assert f"({waiting_copy.barcode}), is free again" in page and "Shelve" in page


def test_a_return_at_another_branch_prints_a_transfer_slip(item, member, librarian, branches):
    services.check_out(item, member, staff=librarian)
    desk = desk_client(librarian, branches[1])  # working at Cabang; the item lives at Pusat
    html = scan(desk, item.barcode)
    assert "Send to Pusat" in html
    transfer = item.transfers.get()
    slip = desk.get(reverse("circulation:transfer-slip", args=[transfer.pk])).content.decode()
    assert "Pusat" in slip and item.barcode in slip and "Cabang" in slip


def test_a_double_sent_checkout_makes_one_loan_and_shows_the_result_once(desk, member, item):
    scan(desk, member.number)
    first = scan(desk, item.barcode)
    second = scan(desk, item.barcode)
    assert "Checked out" in first and "Checked out" in second
    assert "Not checked out" not in second and "nothing changed" in second
    loan = Loan.objects.get()
    assert loan.renewals == 0 and loan.events.count() == 1
    assert desk.session["desk_loans"] == [loan.pk]


def test_a_librarian_sees_no_override_but_the_head_overrides_with_an_audited_reason(
    make_item, member, librarian, head, branches
):
    LoanPolicy.objects.create(name="Satu", max_items=1)
    services.check_out(make_item(), member, staff=librarian)
    extra = make_item()
    desk = desk_client(librarian, branches[0])
    scan(desk, member.number)
    html = scan(desk, extra.barcode)
    assert "the limit is 1" in html and 'name="reason"' not in html

    head_desk = desk_client(head, branches[0])
    scan(head_desk, member.number)
    html = scan(head_desk, extra.barcode)
    assert 'name="reason"' in html and "Lend anyway" in html and "autofocus" in html
    html = scan(head_desk, extra.barcode, override="1", reason="  ")
    assert "Give a reason for overriding the warning." in html and 'name="reason"' in html
    assert not Loan.objects.filter(item=extra).exists()
    html = scan(head_desk, extra.barcode, override="1", reason="tugas sekolah")
    assert "Checked out" in html and "loan limit reached" in html
    entry = AuditEntry.objects.get(action="circulation.override")
    assert entry.actor == head and entry.details["reason"] == "tugas sekolah"


def test_a_closed_membership_cannot_be_overridden_even_by_the_head(
    make_item, member, librarian, head, branches
):
    """A record closed at the member's request (or merged into another) stands for nobody: the
    head, who may override a block, is not offered it, and a forged override is refused."""
    from patrons.services.members import close_membership

    close_membership(member, "pindah ke luar kota", by=librarian)
    item = make_item()
    head_desk = desk_client(head, branches[0])
    scan(head_desk, member.number)
    html = scan(head_desk, item.barcode)
    assert "the membership is closed" in html
    assert 'name="reason"' not in html and "Lend anyway" not in html
    html = scan(head_desk, item.barcode, override="1", reason="kenal baik")
    assert "the membership is closed" in html and "Checked out" not in html
    assert not Loan.objects.filter(item=item).exists()


def test_an_override_posted_by_a_librarian_is_refused(desk, make_item, member, librarian):
    LoanPolicy.objects.create(name="Satu", max_items=1)
    services.check_out(make_item(), member, staff=librarian)
    extra = make_item()
    scan(desk, member.number)
    html = scan(desk, extra.barcode, override="1", reason="pokoknya")
    assert "Your role may not override this warning." in html
    assert not Loan.objects.filter(item=extra).exists()


def test_renewing_from_the_panel_and_overriding_the_renewal_limit(
    item, member, librarian, head, branches
):
    LoanPolicy.objects.create(name="Sekali", max_renewals=1)
    loan = services.check_out(item, member, staff=librarian).loan
    desk = desk_client(librarian, branches[0])
    panel = scan(desk, member.number)
    url = reverse("circulation:renew", args=[loan.pk])
    # The panel's row forms point at this loan (their addresses are built once per panel).
    assert f'action="{url}"' in panel and 'name="csrfmiddlewaretoken"' in panel
    assert f'href="{reverse("circulation:mark-lost", args=[loan.pk])}"' in panel
    html = desk.post(url, **HTMX).content.decode()
    assert "already due on 7 December 2026" in html  # same day: nothing to extend
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        html = desk.post(url, **HTMX).content.decode()
        assert "Renewed" in html and "Now due on 10 December 2026" in html
    with time_machine.travel(MONDAY + dt.timedelta(days=5), tick=False):
        html = desk.post(url, **HTMX).content.decode()
        assert "Not renewed" in html and "renewed 1 times" in html and 'name="reason"' not in html
        head_desk = desk_client(head, branches[0])
        html = head_desk.post(url, **HTMX).content.decode()
        assert "Renew anyway" in html
        html = head_desk.post(url, {"override": "1", "reason": "sakit"}, **HTMX).content.decode()
        assert "Now due on 12 December 2026" in html  # a Saturday: Pusat is open
    loan.refresh_from_db()
    assert loan.renewals == 2


def test_without_javascript_a_scan_redirects_and_the_desk_shows_the_result_once(desk, member, item):
    response = desk.post(SCAN, {"code": member.number})
    assert response.status_code == 302 and response["Location"] == DESK
    response = desk.post(SCAN, {"code": item.barcode})
    page = desk.get(DESK).content.decode()
    assert "Checked out" in page and "Laskar pelangi" in page
    again = desk.get(DESK).content.decode()
    assert "Checked out" not in again and "Laskar pelangi" in again  # still in the loan list


def test_finishing_the_session_makes_item_scans_check_ins_again(desk, member, item):
    scan(desk, member.number)
    scan(desk, item.barcode)
    html = desk.post(reverse("circulation:finish"), **HTMX).content.decode()
    assert "Session ended" in html
    html = scan(desk, item.barcode)
    assert "Checked in" in html
    assert Loan.objects.get().state == "returned"


def test_marking_a_loan_lost_charges_the_price(desk, item, member, librarian):
    loan = services.check_out(item, member, staff=librarian).loan
    url = reverse("circulation:mark-lost", args=[loan.pk])
    assert "Rp\xa050.000" in desk.get(url).content.decode()
    desk.post(url)
    loan.refresh_from_db()
    assert loan.state == "lost"
    assert member.fines.get().amount == 50000


def test_a_scan_costs_the_same_queries_for_few_or_many_loans(
    make_item, make_member, librarian, branches, django_assert_max_num_queries
):
    LoanPolicy.objects.create(name="Banyak", max_items=100)

    def checkout_queries(loans: int) -> int:
        reader = make_member()
        for _ in range(loans):
            services.check_out(make_item(), reader, staff=librarian)
        client = desk_client(librarian, branches[0])
        scan(client, reader.number)
        target = make_item()
        with CaptureQueriesContext(connection) as queries:
            html = scan(client, target.barcode)
        assert "Checked out" in html
        return len(queries)

    few, many = checkout_queries(1), checkout_queries(15)
    assert few == many

    reader = make_member()
    client = desk_client(librarian, branches[0])
    scan(client, reader.number)
    with django_assert_max_num_queries(24):
        scan(client, make_item().barcode)
    with django_assert_max_num_queries(15):
        scan(client, reader.number)


def test_a_check_in_scan_costs_few_queries(
    make_item, member, librarian, branches, django_assert_max_num_queries
):
    item = make_item()
    services.check_out(item, member, staff=librarian)
    client = desk_client(librarian, branches[0])
    client.get(DESK)
    with django_assert_max_num_queries(18):
        scan(client, item.barcode)


def test_a_member_with_many_loans_sees_the_first_due_and_this_sessions_loans(
    desk, make_member, make_item, librarian
):
    LoanPolicy.objects.create(name="Lembaga", max_items=100)
    school = make_member("SD Negeri 1", category="institution")
    for _ in range(52):
        services.check_out(make_item(), school, staff=librarian)
    scan(desk, school.number)
    newest = make_item()
    html = scan(desk, newest.barcode)
    assert "53 items on loan" in html and "Showing 51 of 53 loans" in html
    assert newest.barcode in html  # lent now: always listed
    page = desk.get(DESK, {"loans": "all"}).content.decode()
    assert "Showing" not in page and page.count('class="badge new"') == 1


def test_a_double_sent_check_in_shows_the_first_answer_again(desk, item, member, librarian):
    with time_machine.travel(MONDAY - dt.timedelta(days=20), tick=False):
        services.check_out(item, member, staff=librarian)
    first = scan(desk, item.barcode)
    second = scan(desk, item.barcode)
    assert "a fine of Rp\xa02.500 was charged" in first  # due 17 Nov: 5 open days late
    assert "a fine of Rp\xa02.500 was charged" in second and "nothing changed" in second
    assert "not on loan" not in second
    assert member.fines.count() == 1
