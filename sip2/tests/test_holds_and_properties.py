"""Hold modify (15 `*`), queue positions on place and cancel, and item status update (19/20)
with the properties coming back in item information (18 CH). Straight through `acs.respond`
at a fixed moment; every reply is also decoded by pysip2."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import translation
from pysip2.codec import decode_message

from circulation import services
from circulation.models import Hold, HoldEvent, LoanPolicy
from circulation.tests.conftest import MONDAY
from sip2 import acs
from sip2.models import ItemProperties
from sip2.protocol import checksum
from sip2.tests.conftest import PIN

pytestmark = pytest.mark.django_db
D = "20261123    100000"


def signed(text: str) -> str:
    return text + checksum(text.encode())


@pytest.fixture
def kiosk(account, pin_member):
    from core.selectors import get_library
    from sip2 import services as sip_services

    sip_services.update_account(account, {"language": "en"}, by=None)
    session = acs.Session(peer="test", zone=get_library().zone)
    with time_machine.travel(MONDAY, tick=False), translation.override("en"):
        assert acs.respond(session, b"9300CNkiosk|COkiosk|") == b"941\r"
        yield session


def exchange(session, request: str) -> str:
    reply = acs.respond(session, signed(request).encode())
    decode_message(reply, encoding="utf-8")  # strict, independent codec
    return reply.decode()[:-1]


def hold(session, member, item, mode, extra="", seq=1):
    return exchange(
        session,
        f"15{mode}{D}{extra}AOpusat|AA{member.number}|AD{PIN}|AB{item.barcode}|AY{seq}AZ",
    )


def test_modify_moves_the_pickup_branch(kiosk, pin_member, make_member, item, branches):
    services.place_hold(item.record, make_member(), pickup_branch=branches[0])
    assert hold(kiosk, pin_member, item, "+", seq=1).startswith(f"161N{D}BR2|BSpusat|")
    reply = hold(kiosk, pin_member, item, "*", extra="BScabang|", seq=2)
    expected = (
        f"161N{D}BR2|BScabang|AOpusat|AA{pin_member.number}|AB{item.barcode}|"
        f"AJLaskar pelangi|AFHold changed: collect it at {branches[1].name}. "
        "You are number 2 in the queue.|AY2AZ"
    )
    assert reply == signed(expected)
    mine = Hold.objects.get(member=pin_member)
    assert mine.pickup_branch == branches[1]
    assert HoldEvent.objects.filter(hold=mine, reason="pickup changed", channel="sip2").exists()


def test_cancel_reports_the_place_it_had(kiosk, pin_member, make_member, item, branches):
    services.place_hold(item.record, make_member(), pickup_branch=branches[0])
    hold(kiosk, pin_member, item, "+", seq=1)
    reply = hold(kiosk, pin_member, item, "-", seq=2)
    assert reply.startswith(f"161N{D}BR2|BSpusat|")
    assert "AFHold cancelled.|" in reply
    assert Hold.objects.get(member=pin_member).state == "cancelled"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("BScabang|BW20261231    000000|", "The end date of a hold cannot be changed."),
        ("BSnowhere|", "Unknown pickup branch."),
    ],
)
def test_modify_refusals_change_nothing(kiosk, pin_member, item, branches, extra, message):
    hold(kiosk, pin_member, item, "+", seq=1)
    reply = hold(kiosk, pin_member, item, "*", extra=extra, seq=2)
    assert reply.startswith("160N") and message in reply
    assert Hold.objects.get(member=pin_member).pickup_branch == branches[0]


def test_modify_to_a_branch_without_holds_is_refused_by_circulation(
    kiosk, pin_member, item, branches
):
    hold(kiosk, pin_member, item, "+", seq=1)
    LoanPolicy.objects.create(name="Cabang tanpa pesanan", branch=branches[1], holds_allowed=False)
    reply = hold(kiosk, pin_member, item, "*", extra="BScabang|", seq=2)
    assert reply.startswith("160N") and "cannot be collected at" in reply
    assert Hold.objects.get(member=pin_member).pickup_branch == branches[0]


def test_modify_without_a_hold_and_of_a_ready_hold(
    kiosk, pin_member, make_member, item, librarian, branches
):
    reply = hold(kiosk, pin_member, item, "*", extra="BScabang|", seq=1)
    assert reply.startswith("160N") and "You have no hold on this title." in reply
    services.check_out(item, make_member(), staff=librarian)
    services.place_hold(item.record, pin_member, pickup_branch=branches[0])
    services.check_in(item, staff=librarian, branch=branches[0])
    ready = Hold.objects.get(member=pin_member)
    assert ready.state == "ready" and ready.pickup_deadline
    # Asking again answers with the hold as it stands: available, collect by BW.
    deadline = ready.pickup_deadline.strftime("%Y%m%d")
    reply = hold(kiosk, pin_member, item, "+", seq=2)
    assert reply.startswith(f"161Y{D}BW{deadline}    235959|BR1|BSpusat|")
    reply = hold(kiosk, pin_member, item, "*", extra="BScabang|", seq=3)
    assert reply.startswith("160N") and "can no longer be changed" in reply
    ready.refresh_from_db()
    assert ready.pickup_branch == branches[0]


def test_item_status_update_is_kept_and_shown_in_item_information(kiosk, item, account):
    reply = exchange(kiosk, f"19{D}AOpusat|AB{item.barcode}|AC|CHsorter bin 3|AY1AZ")
    assert reply == signed(
        f"201{D}AB{item.barcode}|AJLaskar pelangi|CHsorter bin 3|AFItem properties saved.|AY1AZ"
    )
    stored = ItemProperties.objects.get(item=item)
    assert stored.text == "sorter bin 3" and stored.account == account
    reply = exchange(kiosk, f"17{D}AOpusat|AB{item.barcode}|AY2AZ")
    assert "|CHsorter bin 3|" in reply
    # An empty CH forgets them.
    assert exchange(kiosk, f"19{D}AOpusat|AB{item.barcode}|CH|AY3AZ").startswith("201")
    assert "|CH" not in exchange(kiosk, f"17{D}AOpusat|AB{item.barcode}|AY4AZ")


def test_item_status_update_of_an_unknown_item(kiosk):
    reply = exchange(kiosk, f"19{D}AOpusat|ABnothing|CHx|AY1AZ")
    assert reply == signed(f"200{D}ABnothing|AJ|AFItem not recognised.|AY1AZ")
    assert not ItemProperties.objects.exists()


def test_item_status_update_not_allowed_for_this_account(kiosk, account, item):
    from sip2 import services as sip_services

    sip_services.update_account(account, {"operations": ["17", "09"]}, by=None)
    kiosk.account.refresh_from_db()
    reply = exchange(kiosk, f"19{D}AOpusat|AB{item.barcode}|CHx|AY1AZ")
    assert reply.startswith("200") and "This kiosk may not do that." in reply
    assert not ItemProperties.objects.exists()
    status = exchange(kiosk, "9900802.00AY2AZ")
    assert status[2:8] == "YYNNNN"  # check-in yes, checkout no, …, status update no


def test_lookups_take_no_transaction_and_changes_do(kiosk, pin_member, item):
    """On SQLite a transaction takes the write lock: an item or patron lookup must not open one
    (it would wait behind every checkout), a checkout must (all or nothing)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def opens_transaction(request: str) -> bool:
        with CaptureQueriesContext(connection) as queries:
            exchange(kiosk, request)
        # Inside the test's own transaction, `atomic()` shows as a savepoint.
        return any("SAVEPOINT" in query["sql"].upper() for query in queries.captured_queries)

    assert not opens_transaction(f"17{D}AOpusat|AB{item.barcode}|AY1AZ")
    assert not opens_transaction(f"63001{D}          AOpusat|AA{pin_member.number}|AD{PIN}|AY2AZ")
    assert not opens_transaction(f"23001{D}AOpusat|AA{pin_member.number}|AD{PIN}|AY3AZ")
    blank = " " * 18
    assert opens_transaction(
        f"11NN{D}{blank}AOpusat|AA{pin_member.number}|AB{item.barcode}|AD{PIN}|AY4AZ"
    )


def test_patron_information_counts_loans_without_reading_them_unless_listed(
    kiosk, pin_member, make_item, librarian
):
    """A kiosk asks 63 at every sign-in, mostly for the counts: those come from the member's
    standing; the loans themselves (with their copies) are read only when a list is asked."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    late, current = make_item(), make_item()
    with time_machine.travel(MONDAY - dt.timedelta(days=30), tick=False):
        services.check_out(late, pin_member, staff=librarian)
    services.check_out(current, pin_member, staff=librarian)
    head = f"63001{D}"
    with CaptureQueriesContext(connection) as queries:
        counts_only = exchange(kiosk, f"{head}          AOpusat|AA{pin_member.number}|AD{PIN}|")
    assert counts_only[37:61] == "000000010002000100000000"
    assert not any(
        'FROM "circulation_loan" INNER JOIN "catalog_item"' in q["sql"]
        for q in queries.captured_queries
    )
    overdue_list = exchange(kiosk, f"{head} Y        AOpusat|AA{pin_member.number}|AD{PIN}|")
    assert overdue_list[37:61] == counts_only[37:61]
    assert f"|AT{late.barcode}|" in overdue_list and current.barcode not in overdue_list
    charged = exchange(kiosk, f"{head}  Y       AOpusat|AA{pin_member.number}|AD{PIN}|")
    assert f"|AU{late.barcode}|" in charged and f"|AU{current.barcode}|" in charged
