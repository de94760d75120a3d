"""The member's own account: loans and online renewal, holds with queue position, fines, the
reading history only when kept, privacy choices (turning the history off deletes it), the data
download, the request to delete the account, and nobody else's data."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from circulation import services
from circulation.models import AccountDeletionRequest, Hold, Loan, LoanPolicy
from circulation.tests.conftest import MONDAY
from circulation.tests.test_desk import desk_client
from core.models import AuditEntry
from core.tests.test_views import signed_in

pytestmark = pytest.mark.django_db
HOME = reverse("myaccount:home")


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def reader(make_user, make_member):
    user = make_user("rina", roles={"member"})
    return make_member("Rina", user=user)


def phone(member):
    client = signed_in(member.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def lend(item, member, librarian, *, days_ago=0):
    with time_machine.travel(MONDAY - dt.timedelta(days=days_ago), tick=False):
        return services.check_out(item, member, staff=librarian).loan


def test_signing_in_is_required(client, library):
    response = client.get(HOME)
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_a_user_without_a_membership_sees_a_clear_page(make_user, library):
    client = signed_in(make_user("tamu"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(HOME).content.decode()
    assert "not linked to a library membership" in page
    assert client.get(reverse("myaccount:fines")).status_code == 200


def test_loans_show_due_dates_and_are_renewed_online(reader, make_item, librarian):
    loan = lend(make_item(), reader, librarian, days_ago=3)  # due Friday 4 December
    client = phone(reader)
    page = client.get(HOME).content.decode()
    assert "1 item on loan" in page and "Due Friday 4 December 2026" in page
    response = client.post(reverse("myaccount:renew", args=[loan.pk]), follow=True)
    assert "is renewed. It is now due on 7 December 2026." in response.content.decode()
    loan.refresh_from_db()
    assert loan.renewals == 1
    event = loan.events.get(kind="renewal")
    assert event.channel == "web" and event.by is None


def test_a_refused_renewal_says_why(reader, make_item, make_member, librarian, record, branches):
    loan = lend(make_item(), reader, librarian, days_ago=3)
    services.place_hold(record, make_member("Budi"), pickup_branch=branches[0])
    response = phone(reader).post(reverse("myaccount:renew", args=[loan.pk]), follow=True)
    page = response.content.decode()
    assert "could not be renewed: Another member is waiting for this title" in page
    loan.refresh_from_db()
    assert loan.renewals == 0


def test_holds_show_the_place_in_the_queue_and_are_cancelled_or_paused(
    reader, make_member, record, item, branches
):
    services.place_hold(record, make_member("Budi"), pickup_branch=branches[0])
    hold = services.place_hold(record, reader, pickup_branch=branches[1])
    client = phone(reader)
    page = client.get(HOME).content.decode()
    assert "You are number 2 in line; pickup at Cabang." in page
    client.post(reverse("myaccount:suspend-hold", args=[hold.pk]), {"until": "2026-12-31"})
    hold.refresh_from_db()
    assert hold.state == "suspended"
    assert (
        "Paused until 31 December 2026. You are number 2 in line."
        in client.get(HOME).content.decode()
    )
    client.post(reverse("myaccount:resume-hold", args=[hold.pk]))
    client.post(reverse("myaccount:cancel-hold", args=[hold.pk]))
    hold.refresh_from_db()
    assert hold.state == "cancelled"


def second_title(branches):
    from catalog.models import Item
    from catalog.records import ParsedRecord
    from catalog.services import save_parsed_record

    book = save_parsed_record(ParsedRecord(title="Bumi manusia")).record
    Item.objects.create(record=book, barcode="B1", branch=branches[0])
    return book


def test_another_members_loans_and_holds_answer_404(
    reader, make_member, make_item, librarian, branches
):
    other = make_member("Budi")
    loan = lend(make_item(), other, librarian)
    hold = services.place_hold(second_title(branches), other, pickup_branch=branches[0])
    client = phone(reader)
    assert client.post(reverse("myaccount:renew", args=[loan.pk])).status_code == 404
    for name in ("cancel-hold", "suspend-hold", "resume-hold"):
        response = client.post(
            reverse(f"myaccount:{name}", args=[hold.pk]), {"until": "2026-12-31"}
        )
        assert response.status_code == 404
    hold.refresh_from_db()
    assert hold.state == "waiting"
    assert "Budi" not in client.get(HOME).content.decode()


def test_fines_show_the_ledger_the_balance_and_what_is_accruing(reader, make_item, librarian):
    lend(make_item(), reader, librarian, days_ago=20)  # due 16 Nov, 6 open days late
    services.charge(reader, 3000, kind="damaged", reason="sobek", staff=librarian)
    page = phone(reader).get(reverse("myaccount:fines")).content.decode()
    assert "Rp\xa03.000" in page and "Damaged item" in page
    assert "Rp\xa03.000" in page and "Building up on overdue items" in page
    home = phone(reader).get(HOME).content.decode()
    assert "You owe Rp\xa03.000." in home and "overdue" in home


def test_the_history_is_shown_only_when_the_member_keeps_one(
    reader, make_item, librarian, branches
):
    item = make_item()
    lend(item, reader, librarian, days_ago=2)
    services.check_in(item, staff=librarian, branch=branches[0])
    client = phone(reader)
    page = client.get(reverse("myaccount:history")).content.decode()
    assert "does not keep a list" in page and "Laskar pelangi" not in page
    reader.keep_reading_history = True
    reader.save()
    second = make_item()
    lend(second, reader, librarian, days_ago=2)
    services.check_in(second, staff=librarian, branch=branches[0])
    page = client.get(reverse("myaccount:history")).content.decode()
    assert "Laskar pelangi" in page


def test_turning_the_history_off_deletes_it_and_says_so(reader, make_item, librarian, branches):
    reader.keep_reading_history = True
    reader.save()
    for _ in range(2):
        item = make_item()
        lend(item, reader, librarian, days_ago=2)
        services.check_in(item, staff=librarian, branch=branches[0])
    assert Loan.objects.filter(member=reader).count() == 2
    response = phone(reader).post(
        reverse("myaccount:privacy"),
        {"notify_by_email": "on", "preferred_language": "en"},
        follow=True,
    )
    page = response.content.decode()
    assert "Your reading history is off and has been deleted (2 returned loans)." in page
    reader.refresh_from_db()
    assert not reader.keep_reading_history and reader.preferred_language == "en"
    assert not Loan.objects.filter(member=reader).exists()
    assert AuditEntry.objects.filter(action="member.history_deleted").exists()
    fields = AuditEntry.objects.get(action="member.preferences").details["fields"]
    assert fields == ["keep_reading_history", "preferred_language"]


def test_notices_can_be_turned_off(reader):
    phone(reader).post(reverse("myaccount:privacy"), {"preferred_language": "id"})
    reader.refresh_from_db()
    assert reader.notify_by_email is False


def test_download_all_my_data_as_json_and_csv(
    reader, make_member, make_item, librarian, record, branches
):
    lend(make_item(), reader, librarian)
    services.place_hold(second_title(branches), reader, pickup_branch=branches[1])
    services.charge(reader, 1500, kind="damaged", reason="=HYPERLINK(1)", staff=librarian)
    other = make_member("Budi")
    lend(make_item(), other, librarian)
    client = phone(reader)
    response = client.get(reverse("myaccount:download-json"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["member_number"] == reader.number
    assert len(data["loans"]) == 1 and data["fines"][0]["amount"] == 1500
    assert data["holds"][0]["title"] == "Bumi manusia"
    assert set(data) == {"profile", "loans", "holds", "fines", "notices"}
    assert "Budi" not in response.content.decode()

    response = client.get(reverse("myaccount:download-csv"))
    bundle = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(bundle.namelist()) == [
        "fines.csv",
        "holds.csv",
        "loans.csv",
        "notices.csv",
        "profile.csv",
    ]
    fines = bundle.read("fines.csv").decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in fines  # no formula reaches a spreadsheet
    assert "Laskar pelangi" in bundle.read("loans.csv").decode("utf-8-sig")
    assert AuditEntry.objects.filter(action="member.data_download").count() == 2


def test_a_request_to_delete_the_account_is_recorded_once_for_staff(reader, librarian, branches):
    client = phone(reader)
    response = client.post(reverse("myaccount:delete"), {"reason": "pindah kota"})
    assert "Tick the box to confirm the request." in response.content.decode()
    assert not AccountDeletionRequest.objects.exists()
    client.post(reverse("myaccount:delete"), {"reason": "pindah kota", "confirm": "on"})
    client.post(reverse("myaccount:delete"), {"reason": "lagi", "confirm": "on"})
    request = AccountDeletionRequest.objects.get()
    assert request.member == reader and request.reason == "pindah kota"
    assert "You asked on 23 November 2026" in client.get(HOME).content.decode()

    staff = desk_client(librarian, branches[0])
    page = staff.get(reverse("circulation:deletion-requests")).content.decode()
    assert "Rina" in page and "pindah kota" in page
    staff.post(
        reverse("circulation:handle-deletion-request", args=[request.pk]),
        {"status": "declined", "note": "masih pinjam buku"},
    )
    request.refresh_from_db()
    assert request.status == "declined" and request.handled_by == librarian
    assert AuditEntry.objects.filter(action="member.deletion_request_handled").exists()


def test_the_account_page_costs_the_same_queries_for_few_or_many_loans(
    reader, make_item, librarian, branches
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    LoanPolicy.objects.create(name="Banyak", max_items=50)
    services.place_hold(second_title(branches), reader, pickup_branch=branches[0])
    client = phone(reader)
    client.get(HOME)  # the library profile is cached from here on
    counts = []
    for loans in (1, 10):
        while Loan.objects.filter(member=reader).count() < loans:
            lend(make_item(), reader, librarian, days_ago=20)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 20
    assert Hold.objects.count() == 1
