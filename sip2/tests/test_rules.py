"""The desk's rules reach the kiosk: every refusal comes from the circulation services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from circulation import services
from circulation.models import FineEntry, Hold, Loan
from sip2 import acs
from sip2.protocol import checksum
from sip2.tests.conftest import PIN, sip_now

pytestmark = pytest.mark.django_db
BLANK = " " * 18


@pytest.fixture
def kiosk(account):
    from core.selectors import get_library
    from sip2 import services as sip_services

    sip_services.update_account(account, {"language": "en"}, by=None)
    session = acs.Session(peer="test", zone=get_library().zone)
    with translation.override("en"):
        assert acs.respond(session, b"9300CNkiosk|COkiosk|") == b"941\r"
        yield session


def ask(session, text: str) -> str:
    return acs.respond(session, text.encode()).decode()[:-1]


def checkout(session, member, item, *, pin=PIN, no_block="N") -> str:
    return ask(
        session,
        f"11N{no_block}{sip_now()}{BLANK}AOpusat|AA{member.number}|AB{item.barcode}|AD{pin}|",
    )


def admin_user():
    from django.contrib.auth import get_user_model

    User = get_user_model()  # noqa: N806
    return User.objects.filter(username="root-rules").first() or User.objects.create_superuser(
        "root-rules", "root-rules@example.org", "x"
    )


@pytest.fixture
def other_member(make_member):
    from patrons.services.pins import set_pin

    return set_pin(make_member("Budi"), PIN, by=admin_user())


def test_item_on_loan_to_another_member_is_refused(kiosk, pin_member, other_member, item):
    assert checkout(kiosk, pin_member, item).startswith("121")
    reply = checkout(kiosk, other_member, item)
    assert reply.startswith("120NUN") and "already on loan to another member" in reply


def test_same_member_again_renews_or_keeps_the_loan(kiosk, pin_member, item):
    first = checkout(kiosk, pin_member, item)
    again = checkout(kiosk, pin_member, item)
    assert first.startswith("121") and again.startswith("121")
    assert "Already on loan to you" in again
    assert Loan.objects.count() == 1


def test_item_waiting_on_the_hold_shelf_for_another(kiosk, pin_member, other_member, item):
    services.place_hold(item.record, other_member, pickup_branch=item.branch)
    services.check_in(item, staff=None, branch=item.branch, channel="sip2")  # trapped
    item.refresh_from_db()
    assert item.status == "on_hold_shelf"
    reply = checkout(kiosk, pin_member, item)
    assert reply.startswith("120") and "another member's hold" in reply
    # … and for the member it is set aside for, the checkout fills the hold.
    assert checkout(kiosk, other_member, item).startswith("121")
    assert Hold.objects.get(member=other_member).state == "fulfilled"


def test_checkin_of_an_item_someone_waits_for_says_hold_shelf(
    kiosk, pin_member, other_member, item
):  # noqa: E501
    services.check_out(item, pin_member, staff=None, channel="sip2")
    services.place_hold(item.record, other_member, pickup_branch=item.branch)
    reply = ask(kiosk, f"09N{sip_now()}{sip_now()}APpusat|AOpusat|AB{item.barcode}|")
    assert reply.startswith("101YNY") and "CV01|" in reply
    assert f"CY{other_member.number}|" in reply


def test_hold_for_pickup_elsewhere_routes_with_cv02(
    kiosk, pin_member, other_member, item, branches
):  # noqa: E501
    services.check_out(item, pin_member, staff=None, channel="sip2")
    services.place_hold(item.record, other_member, pickup_branch=branches[1])
    reply = ask(kiosk, f"09N{sip_now()}{sip_now()}APpusat|AOpusat|AB{item.barcode}|")
    assert "CV02|" in reply and f"CT{branches[1].code}|" in reply


def test_a_withdrawn_copy_in_the_book_return_is_sent_to_staff(kiosk, item):
    from catalog.models import ItemStatus

    item.status = ItemStatus.WITHDRAWN
    item.save(update_fields=["status"])
    reply = ask(kiosk, f"09N{sip_now()}{sip_now()}APpusat|AOpusat|AB{item.barcode}|")
    assert reply.startswith("101YNY") and "CV99|" in reply and "library staff" in reply
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN


def test_blocked_member_is_refused_and_no_block_needs_an_acting_user(
    kiosk, account, pin_member, item, librarian
):
    from patrons.services.members import block_member

    block_member(pin_member, "kartu hilang", by=admin_user())
    reply = checkout(kiosk, pin_member, item)
    assert reply.startswith("120") and "kartu hilang" in reply
    # no block = Y without a staff member to act for the kiosk: still refused
    assert checkout(kiosk, pin_member, item, no_block="Y").startswith("120")


def test_no_block_replays_an_offline_checkout_with_the_kiosks_staff_member(
    account, pin_member, item, make_user
):
    from core.selectors import get_library
    from patrons.services.members import block_member
    from sip2 import services as sip_services

    head = make_user("kepala", roles={"head"})
    sip_services.update_account(account, {"acting_user": head}, by=None)
    block_member(pin_member, "kartu hilang", by=admin_user())
    session = acs.Session(zone=get_library().zone)
    acs.respond(session, b"9300CNkiosk|COkiosk|")
    assert checkout(session, pin_member, item, no_block="Y").startswith("121")
    loan = Loan.objects.get()
    assert loan.channel == "sip2"
    assert loan.events.get(kind="checkout").details == {"overridden": ["member_blocked"]}


def test_loan_limit(kiosk, pin_member, make_item):
    from circulation.models import LoanPolicy

    LoanPolicy.objects.create(name="Satu", max_items=1)
    assert checkout(kiosk, pin_member, make_item()).startswith("121")
    reply = checkout(kiosk, pin_member, make_item())
    assert reply.startswith("120") and "limit is 1" in reply
    info = ask(kiosk, f"63001{sip_now()}          AOpusat|AA{pin_member.number}|AD{PIN}|")
    assert info[2 + 5] == "Y"  # too many items charged


def test_renewal_limit_and_hold_by_another(kiosk, pin_member, other_member, item):
    from circulation.models import LoanPolicy

    LoanPolicy.objects.create(name="Nol", max_renewals=0)
    services.check_out(item, pin_member, staff=None, channel="sip2")
    loan = Loan.objects.get()
    Loan.objects.filter(pk=loan.pk).update(due_at=loan.due_at - dt.timedelta(days=10))
    renew = f"29NN{sip_now()}{BLANK}AOpusat|AA{pin_member.number}|AD{PIN}|AB{item.barcode}|"
    reply = ask(kiosk, renew)
    assert reply.startswith("300") and "renewed 0 times" in reply
    LoanPolicy.objects.update(max_renewals=5)
    Loan.objects.filter(pk=loan.pk).update(rules={**loan.rules, "max_renewals": 5})
    services.place_hold(item.record, other_member, pickup_branch=item.branch)
    reply = ask(kiosk, renew.replace("AY", ""))
    assert reply.startswith("300") and "waiting for this title" in reply


def test_renew_an_item_not_on_loan_to_this_member(kiosk, pin_member, other_member, item):
    services.check_out(item, other_member, staff=None, channel="sip2")
    reply = ask(
        kiosk, f"29NN{sip_now()}{BLANK}AOpusat|AA{pin_member.number}|AD{PIN}|AB{item.barcode}|"
    )
    assert reply.startswith("300") and "not on loan to you" in reply


def test_second_hold_gets_position_two(kiosk, pin_member, other_member, item):
    services.check_out(item, pin_member, staff=None, channel="sip2")
    services.place_hold(item.record, other_member, pickup_branch=item.branch)
    third = other_member.__class__.objects.create(
        number="M09999", full_name="Citra", joined_on=dt.date(2026, 1, 1), pin_hash=""
    )
    from patrons.services.pins import set_pin

    set_pin(third, PIN, by=admin_user())
    reply = ask(kiosk, f"15+{sip_now()}AOpusat|AA{third.number}|AD{PIN}|AB{item.barcode}|")
    assert reply.startswith("161N") and "BR2|" in reply


def test_hold_cancel_when_there_is_none(kiosk, pin_member, item):
    reply = ask(kiosk, f"15-{sip_now()}AOpusat|AA{pin_member.number}|AD{PIN}|AB{item.barcode}|")
    assert reply.startswith("160N")


def test_fee_paid_needs_the_kiosks_staff_member(kiosk, pin_member):
    FineEntry.objects.create(member=pin_member, kind="overdue", amount=2000)
    reply = ask(kiosk, f"37{sip_now()}0100IDRAOpusat|AA{pin_member.number}|AD{PIN}|BV2000|")
    assert reply.startswith("38N")
    assert FineEntry.objects.filter(kind="payment").count() == 0


def test_fee_paid_partial_and_overpaid(account, pin_member, librarian):
    from core.selectors import get_library
    from sip2 import services as sip_services

    sip_services.update_account(account, {"acting_user": librarian, "language": "en"}, by=None)
    FineEntry.objects.create(member=pin_member, kind="overdue", amount=2000)
    session = acs.Session(zone=get_library().zone)
    acs.respond(session, b"9300CNkiosk|COkiosk|")
    pay = f"37{sip_now()}0100IDRAOpusat|AA{pin_member.number}|AD{PIN}|BV"
    assert ask(session, pay + "500|").startswith("38Y")
    assert ask(session, pay + "5000|").startswith("38N")  # more than is owed
    assert ask(session, pay + "12.5|").startswith("38N")
    assert ask(session, pay.replace("IDR", "EUR") + "100|").startswith("38N")
    assert FineEntry.objects.filter(kind="payment").count() == 1


def test_empty_pin_gives_cq_n_and_does_not_count_towards_the_lock(kiosk, pin_member):
    from patrons.services.pins import pin_locked

    for _ in range(10):
        reply = ask(kiosk, f"23001{sip_now()}AOpusat|AA{pin_member.number}|AD|")
        assert "CQN|" in reply
    assert not pin_locked(pin_member)


def test_wrong_pins_lock_the_pin(kiosk, pin_member, item):
    for _ in range(5):
        assert "CQN|" in ask(kiosk, f"23001{sip_now()}AOpusat|AA{pin_member.number}|AD9999|")
    reply = checkout(kiosk, pin_member, item)  # even the right PIN now
    assert reply.startswith("120") and "Too many wrong PINs" in reply


def test_account_without_pins_for_a_book_return(kiosk, account, pin_member, item):
    from sip2 import services as sip_services

    sip_services.update_account(account, {"require_patron_pin": False}, by=None)
    kiosk.account.require_patron_pin = False
    reply = ask(kiosk, f"23001{sip_now()}AOpusat|AA{pin_member.number}|")
    assert "CQY|" in reply


@pytest.mark.parametrize("position", range(10))
def test_every_summary_position(kiosk, pin_member, position):
    summary = [" "] * 10
    summary[position] = "Y"
    reply = ask(
        kiosk,
        f"63001{sip_now()}{''.join(summary)}AOpusat|AA{pin_member.number}|AD{PIN}|BP1|BQ5|",
    )
    assert reply.startswith("64")


def test_sequence_must_follow_when_error_detection_is_required(account, pin_member):
    from core.selectors import get_library
    from sip2 import services as sip_services

    sip_services.update_account(account, {"error_detection": "required"}, by=None)
    session = acs.Session(zone=get_library().zone)

    def signed(text):
        return (text + checksum(text.encode())).encode()

    assert acs.respond(session, signed("9300CNkiosk|COkiosk|AY0AZ")).startswith(b"941")
    assert acs.respond(session, signed("9900802.00AY1AZ")).startswith(b"98")
    assert acs.respond(session, signed("9900802.00AY3AZ")) == b"96\r"  # skipped 2
    assert acs.respond(session, signed("9900802.00AY3AZ")).startswith(b"98")  # resent: fine
    assert acs.respond(session, signed("9900802.00AY4AZ")).startswith(b"98")
    assert acs.respond(session, signed("9900802.00AY9AZ")) == b"96\r"
    assert acs.respond(session, signed("9900802.00AY9AZ")).startswith(b"98")
    assert acs.respond(session, signed("9900802.00AY0AZ")).startswith(b"98")  # 9 → 0 wraps


def test_offline_return_replayed_later_counts_from_its_return_date(kiosk, pin_member, item):
    from django.utils import timezone

    services.check_out(item, pin_member, staff=None, channel="sip2")
    loan = Loan.objects.get()
    returned = timezone.localtime() - dt.timedelta(days=2)
    stamp = returned.strftime("%Y%m%d    %H%M%S")
    reply = ask(kiosk, f"09Y{sip_now()}{stamp}APpusat|AOpusat|AB{item.barcode}|")
    assert reply.startswith("101")
    loan.refresh_from_db()
    assert abs((loan.returned_at - returned).total_seconds()) < 1
    # without no-block, the return date of the kiosk is not trusted: now
    item2_reply = ask(kiosk, f"09N{sip_now()}{stamp}APpusat|AOpusat|AB{item.barcode}|")
    assert item2_reply.startswith("100")  # already in
