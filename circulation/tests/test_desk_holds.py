"""Holds at the desk: placing one by barcode, ISBN or record number, cancel, pause and resume;
the hold shelf with deadlines and expired holds to clear; the pull list; transfers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from catalog.models import Item, ItemStatus
from catalog.records import ParsedRecord
from catalog.services import save_parsed_record
from circulation import services
from circulation.models import Hold, Transfer
from circulation.tests.conftest import MONDAY
from circulation.tests.test_desk import HTMX, desk_client, scan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def desk(librarian, branches):
    return desk_client(librarian, branches[0])


def place(desk, member, code, branch):
    return desk.post(
        reverse("circulation:place-hold", args=[member.pk]),
        {"record": code, "pickup_branch": branch.pk},
        **HTMX,
    ).content.decode()


def test_a_hold_is_placed_by_copy_barcode_isbn_or_record_number(
    desk, make_member, item, record, branches, librarian
):
    services.check_out(item, make_member(), staff=librarian)
    first, second, third = make_member("Ani"), make_member("Budi"), make_member("Citra")
    book = save_parsed_record(ParsedRecord(title="Bumi manusia", isbns=["979-3062-79-7"])).record
    Item.objects.create(record=book, barcode="B1", branch=branches[0])
    scan(desk, first.number)
    html = place(desk, first, item.barcode, branches[1])
    assert "Hold placed on “Laskar pelangi” for pickup at Cabang; number 1 in line." in html
    html = place(desk, second, str(record.pk), branches[0])
    assert "number 2 in line" in html
    html = place(desk, third, "9789793062792", branches[0])
    assert "Bumi manusia" in html
    assert Hold.objects.filter(channel="desk").count() == 3


def test_an_unknown_title_code_is_named(desk, member, branches):
    html = place(desk, member, "NOPE-1", branches[0])
    assert "No title found for “NOPE-1”" in html
    assert not Hold.objects.exists()


def test_a_refused_hold_shows_the_rule(desk, member, item, record, branches, librarian):
    services.check_out(item, member, staff=librarian)
    html = place(desk, member, str(record.pk), branches[0])
    assert "already has a copy of this title on loan" in html


def test_cancel_pause_and_resume_a_hold_at_the_desk(desk, member, item, record, branches):
    hold = services.place_hold(record, member, pickup_branch=branches[0])
    scan(desk, member.number)
    html = desk.post(
        reverse("circulation:suspend-hold", args=[hold.pk]), {"until": "2026-12-20"}, **HTMX
    ).content.decode()
    assert "paused until 20 December 2026" in html
    hold.refresh_from_db()
    assert hold.state == "suspended" and hold.suspended_until == dt.date(2026, 12, 20)
    html = desk.post(
        reverse("circulation:suspend-hold", args=[hold.pk]), {"until": "2026-11-01"}, **HTMX
    ).content.decode()
    assert "Choose a date after today." in html
    desk.post(reverse("circulation:resume-hold", args=[hold.pk]), **HTMX)
    hold.refresh_from_db()
    assert hold.state == "waiting"
    html = desk.post(reverse("circulation:cancel-hold", args=[hold.pk]), **HTMX).content.decode()
    assert "is cancelled" in html
    hold.refresh_from_db()
    assert hold.state == "cancelled"


def test_the_hold_shelf_lists_ready_holds_and_the_expired_ones_to_clear(
    desk, member, make_member, item, record, branches, librarian
):
    services.check_out(item, member, staff=librarian)
    first = services.place_hold(record, make_member("Ani"), pickup_branch=branches[0])
    second = services.place_hold(record, make_member("Budi"), pickup_branch=branches[0])
    services.check_in(item, staff=librarian, branch=branches[0])
    page = desk.get(reverse("circulation:hold-shelf")).content.decode()
    assert "1 hold ready for pickup" in page and "Ani" in page and "26 Nov 2026" in page
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, tzinfo=dt.UTC), tick=False):
        page = desk.get(reverse("circulation:hold-shelf")).content.decode()
        assert "not collected in time" in page
        response = desk.post(reverse("circulation:expire-holds"), follow=True)
        page = response.content.decode()
    assert "1 uncollected holds expired" in page
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == "expired" and second.state == "ready"
    assert "Hold shelf for Budi" in page
    assert reverse("circulation:hold-slip", args=[second.pk]) in page


def test_a_copy_left_on_the_hold_shelf_by_a_kiosk_loan_is_listed_to_clear(
    desk, member, make_member, make_item, record, branches, librarian
):
    """Rina's copy waits on the hold shelf; at the self-check kiosk she borrows another copy
    from the open shelf. Nobody at the desk saw it: the hold shelf screen lists the waiting copy
    to take off — for Budi with a new slip while he waits, back to the shelf once nobody does."""
    waiting_copy, shelf_copy, third = make_item(), make_item(), make_item()
    services.check_out(waiting_copy, make_member("Dewi"), staff=librarian)
    services.place_hold(record, member, pickup_branch=branches[0])
    budi = services.place_hold(record, make_member("Budi"), pickup_branch=branches[0])
    services.check_in(waiting_copy, staff=librarian, branch=branches[0])

    services.check_out(shelf_copy, member, staff=None, channel="sip2")
    page = desk.get(reverse("circulation:hold-shelf")).content.decode()
    assert "Items to take off the hold shelf" in page
    assert waiting_copy.barcode in page and "borrowed another copy</span>" in page
    assert "Hold shelf for Budi" in page
    assert reverse("circulation:hold-slip", args=[budi.pk]) in page

    services.check_out(third, budi.member, staff=None, channel="sip2")  # Budi too, at the kiosk
    page = desk.get(reverse("circulation:hold-shelf")).content.decode()
    assert page.count("borrowed another copy</span>") == 2 and "Back to the shelf" in page
    assert Item.objects.get(pk=waiting_copy.pk).status == ItemStatus.AVAILABLE


def test_the_pull_list_is_printable(desk, record, make_item, make_member, branches):
    shelf_copy = make_item(shelf_location="Rak 3")
    services.place_hold(record, make_member(), pickup_branch=branches[1])
    page = desk.get(reverse("circulation:pull-list")).content.decode()
    assert shelf_copy.barcode in page and "Rak 3" in page
    assert "data-print" in page and "circulation/circulation.css" in page


def test_transfers_list_incoming_and_outgoing_and_are_received(item, member, librarian, branches):
    services.check_out(item, member, staff=librarian)
    at_branch = desk_client(librarian, branches[1])
    scan(at_branch, item.barcode)  # returned at Cabang, goes home to Pusat
    page = at_branch.get(reverse("circulation:transfers")).content.decode()
    assert "1 item sent from here" in page and item.barcode in page
    home = desk_client(librarian, branches[0])
    page = home.get(reverse("circulation:transfers")).content.decode()
    assert "1 item on its way here" in page
    transfer = Transfer.objects.get()
    response = home.post(reverse("circulation:receive-transfer", args=[transfer.pk]))
    assert response.status_code == 302
    transfer.refresh_from_db()
    item.refresh_from_db()
    assert transfer.received_at is not None and item.status == ItemStatus.AVAILABLE


def test_hold_screens_need_their_permissions(make_user, branches):
    client = desk_client(make_user("katalog", roles={"cataloguer"}), branches[0])
    for name in ("hold-shelf", "pull-list", "transfers"):
        assert client.get(reverse(f"circulation:{name}")).status_code == 403
