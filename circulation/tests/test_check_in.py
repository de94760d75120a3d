"""Checking in anywhere: fines per open day, routing home or to the hold shelf, idempotence."""

import datetime as dt

import pytest
import time_machine

from catalog.models import ItemStatus
from circulation import services
from circulation.models import FineEntry, Transfer
from circulation.selectors import fine_balance
from circulation.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


def lend(item, member, librarian):
    with time_machine.travel(MONDAY, tick=False):
        return services.check_out(item, member, staff=librarian).loan


def test_on_time_return_goes_back_on_the_shelf(item, member, librarian, branches):
    loan = lend(item, member, librarian)
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        result = services.check_in(item, staff=librarian, branch=branches[0])
    assert result.route == "shelve" and result.fine == 0
    loan.refresh_from_db()
    item.refresh_from_db()
    assert loan.state == "returned" and item.status == ItemStatus.AVAILABLE


def test_late_return_charges_per_open_day(item, member, librarian, branches):
    lend(item, member, librarian)  # due Monday 7 Dec
    # Returned Thursday 10 Dec: Tue 8, Wed 9, Thu 10 are open days at Pusat -> 3 x Rp 500.
    with time_machine.travel(dt.datetime(2026, 12, 10, 3, 0, tzinfo=dt.UTC), tick=False):
        result = services.check_in(item, staff=librarian, branch=branches[0])
    assert (result.days_overdue, result.fine) == (3, 1500)
    assert fine_balance(member) == 1500
    assert FineEntry.objects.get().kind == "overdue"


def test_checking_in_twice_is_harmless(item, member, librarian, branches):
    lend(item, member, librarian)
    with time_machine.travel(dt.datetime(2026, 12, 10, 3, 0, tzinfo=dt.UTC), tick=False):
        first = services.check_in(item, staff=librarian, branch=branches[0])
        second = services.check_in(item, staff=librarian, branch=branches[0])
    assert not first.already_in and second.already_in
    assert FineEntry.objects.count() == 1
    assert second.route == "shelve"


def test_return_at_another_branch_sends_the_item_home(item, member, librarian, branches):
    main, other = branches
    lend(item, member, librarian)
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        result = services.check_in(item, staff=librarian, branch=other)
    assert result.route == "transfer" and result.destination == main
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_TRANSIT
    # Arriving home closes the transfer and shelves it.
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        arrived = services.check_in(item, staff=librarian, branch=main)
    assert arrived.route == "shelve"
    assert Transfer.objects.get().received_at is not None
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE


def test_reading_history_is_not_kept_unless_chosen(
    item, make_item, make_member, librarian, branches
):
    private = make_member()
    keeper = make_member(keep_reading_history=True)
    other_item = make_item()
    first = lend(item, private, librarian)
    second = lend(other_item, keeper, librarian)
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        services.check_in(item, staff=librarian, branch=branches[0])
        services.check_in(other_item, staff=librarian, branch=branches[0])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.member is None and first.member_category == "general"
    assert second.member == keeper


def test_a_fined_loan_keeps_its_member_until_the_fine_is_paid(item, member, librarian, branches):
    loan = lend(item, member, librarian)
    with time_machine.travel(dt.datetime(2026, 12, 10, 3, 0, tzinfo=dt.UTC), tick=False):
        services.check_in(item, staff=librarian, branch=branches[0])
    loan.refresh_from_db()
    assert loan.member == member
    services.pay(member, 1500, method="cash", staff=librarian)
    loan.refresh_from_db()
    assert loan.member is None


@pytest.mark.parametrize(
    "status", [ItemStatus.WITHDRAWN, ItemStatus.IN_PROCESSING, ItemStatus.REPAIR]
)
def test_a_copy_taken_out_of_circulation_is_not_put_back_on_the_shelf(
    item, librarian, branches, status
):
    item.status = status
    item.save(update_fields=["status"])
    result = services.check_in(item, staff=librarian, branch=branches[1])
    item.refresh_from_db()
    assert result.route == "set_aside" and result.already_in
    assert item.status == status  # a book return does not quietly make it available
    assert not Transfer.objects.exists()


def test_a_missing_copy_that_turns_up_is_available_again(item, librarian, branches):
    item.status = ItemStatus.MISSING
    item.save(update_fields=["status"])
    result = services.check_in(item, staff=librarian, branch=branches[0])
    item.refresh_from_db()
    assert result.route == "shelve" and item.status == ItemStatus.AVAILABLE
