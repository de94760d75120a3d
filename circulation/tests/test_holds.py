"""Holds: queue order, trapping at check-in, pickup deadlines in open days, expiry, cancel."""

import datetime as dt

import pytest
import time_machine

from catalog.models import ItemStatus
from circulation import services
from circulation.errors import AlreadyOnLoanToMemberError, RenewalBlockedByHoldError
from circulation.models import Hold, Notice
from circulation.selectors import hold_position, hold_shelf, pull_list
from circulation.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_queue_positions_follow_placement_without_gaps(record, item, make_member, branches):
    holds = [
        services.place_hold(record, make_member(), pickup_branch=branches[0]) for _ in range(3)
    ]
    assert [hold_position(h) for h in holds] == [1, 2, 3]
    services.cancel_hold(holds[0], reason="tidak jadi")
    assert [hold_position(h) for h in holds[1:]] == [1, 2]


def test_placing_the_same_hold_twice_returns_the_first(record, item, member, branches):
    first = services.place_hold(record, member, pickup_branch=branches[0])
    assert services.place_hold(record, member, pickup_branch=branches[0]) == first
    assert Hold.objects.count() == 1


def test_returned_item_is_trapped_for_the_first_in_line_at_the_pickup_branch(
    record,
    item,
    member,
    make_member,
    librarian,
    branches,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        waiting = make_member("Budi")
        hold = services.place_hold(record, waiting, pickup_branch=branches[0])
    # Returned Friday 27 Nov; 3 open days to collect at Pusat: Sat 28, Mon 30, Tue 1 Dec.
    friday = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
    with (
        time_machine.travel(friday, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.check_in(item, staff=librarian, branch=branches[0])
    hold.refresh_from_db()
    item.refresh_from_db()
    assert result.route == "hold_shelf" and result.hold == hold
    assert hold.state == "ready" and hold.item == item
    assert hold.pickup_deadline == dt.date(2026, 12, 1)
    assert item.status == ItemStatus.ON_HOLD_SHELF
    assert list(hold_shelf(branches[0])) == [hold]
    notice = Notice.objects.get(kind="hold_ready")
    assert notice.status == "sent" and len(mailoutbox) == 1
    assert "Laskar pelangi" in mailoutbox[0].subject


def test_the_ready_notice_is_written_by_the_worker_once_in_the_members_language(
    record, item, member, make_member, librarian, branches, mailoutbox
):
    from circulation.notices import send_hold_ready

    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        waiting = make_member("Budi", preferred_language="id")
        hold = services.place_hold(record, waiting, pickup_branch=branches[0])
        services.check_in(item, staff=librarian, branch=branches[0])  # the task is not run
    assert not Notice.objects.exists()  # the check-in only queued the worker's task

    assert send_hold_ready(hold.pk) == "sent"
    assert send_hold_ready(hold.pk) == "sent"  # a second run (a retry) sends nothing more
    notice = Notice.objects.get()
    assert (notice.kind, notice.member, notice.hold, notice.language) == (
        "hold_ready",
        waiting,
        hold,
        "id",
    )
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [waiting.email]
    assert "Laskar pelangi" in mailoutbox[0].subject
    assert "Budi" in mailoutbox[0].body and "Your hold" not in mailoutbox[0].subject


def test_a_hold_cancelled_before_the_worker_runs_gets_no_ready_notice(
    record, item, member, make_member, librarian, branches, mailoutbox
):
    from circulation.notices import send_hold_ready

    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        hold = services.place_hold(record, make_member(), pickup_branch=branches[0])
        services.check_in(item, staff=librarian, branch=branches[0])
        services.cancel_hold(hold, reason="sudah beli sendiri")
    assert send_hold_ready(hold.pk) == "no longer ready"
    assert not Notice.objects.exists() and mailoutbox == []


def test_item_returned_elsewhere_travels_to_the_pickup_branch(
    record, item, member, make_member, librarian, branches
):
    main, other = branches
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        hold = services.place_hold(record, make_member(), pickup_branch=other)
        result = services.check_in(item, staff=librarian, branch=main)
    assert result.route == "transfer" and result.destination == other
    hold.refresh_from_db()
    assert hold.state == "in_transit"
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        arrived = services.check_in(item, staff=librarian, branch=other)
    hold.refresh_from_db()
    assert arrived.route == "hold_shelf" and hold.state == "ready"


def test_the_holder_collects_and_the_hold_is_fulfilled(
    record, item, member, make_member, librarian, branches
):
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        budi = make_member("Budi")
        hold = services.place_hold(record, budi, pickup_branch=branches[0])
        services.check_in(item, staff=librarian, branch=branches[0])
        services.check_out(item, budi, staff=librarian)
    hold.refresh_from_db()
    assert hold.state == "fulfilled"


def test_uncollected_hold_expires_and_the_item_goes_to_the_next(
    record, item, member, make_member, librarian, branches
):
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        first = services.place_hold(record, make_member(), pickup_branch=branches[0])
        second = services.place_hold(record, make_member(), pickup_branch=branches[0])
        services.check_in(item, staff=librarian, branch=branches[0])
    with time_machine.travel(dt.datetime(2026, 12, 10, 2, 0, tzinfo=dt.UTC), tick=False):
        assert services.expire_uncollected_holds() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == "expired"
    assert second.state == "ready" and second.item == item


def test_a_waiting_hold_blocks_renewal(record, item, member, make_member, librarian, branches):
    with time_machine.travel(MONDAY, tick=False):
        loan = services.check_out(item, member, staff=librarian).loan
        services.place_hold(record, make_member(), pickup_branch=branches[0])
        with pytest.raises(RenewalBlockedByHoldError):
            services.renew(loan, staff=librarian)


def test_no_hold_on_a_title_the_member_already_has(record, item, member, librarian, branches):
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        with pytest.raises(AlreadyOnLoanToMemberError):
            services.place_hold(record, member, pickup_branch=branches[0])


def test_pull_list_shows_shelf_copies_wanted_by_holds(record, make_item, make_member, branches):
    shelf_copy = make_item()
    services.place_hold(record, make_member(), pickup_branch=branches[1])
    assert list(pull_list(branches[0])) == [shelf_copy]


def test_cancelling_a_ready_hold_passes_the_item_on(
    record, item, member, make_member, librarian, branches
):
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        first = services.place_hold(record, make_member(), pickup_branch=branches[0])
        second = services.place_hold(record, make_member(), pickup_branch=branches[0])
        services.check_in(item, staff=librarian, branch=branches[0])
        services.cancel_hold(first, reason="tidak jadi")
    second.refresh_from_db()
    assert second.state == "ready" and second.item == item


def test_borrowing_another_copy_fills_the_hold_and_frees_the_copy_set_aside(
    record, make_item, member, make_member, librarian, branches
):
    """Rina's hold is ready with copy A on the hold shelf; she takes copy B from the open shelf
    to the desk instead. Her hold is filled by B, and A is not stranded on the hold shelf: it
    goes to the next in line (Budi), and once nobody waits, back on the shelf."""
    first, other = make_item(), make_item()
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(first, make_member("Dewi"), staff=librarian)
        hold = services.place_hold(record, member, pickup_branch=branches[0])
        budi = services.place_hold(record, make_member("Budi"), pickup_branch=branches[0])
        services.check_in(first, staff=librarian, branch=branches[0])
        hold.refresh_from_db()
        assert (hold.state, hold.item) == ("ready", first)

        result = services.check_out(other, member, staff=librarian)
    hold.refresh_from_db()
    budi.refresh_from_db()
    first.refresh_from_db()
    assert result.fulfilled_hold == hold
    assert (hold.state, hold.item) == ("fulfilled", other)
    assert (budi.state, budi.item) == ("ready", first)  # A went to the next in line
    assert first.status == ItemStatus.ON_HOLD_SHELF
    assert list(hold_shelf(branches[0])) == [budi]

    with time_machine.travel(MONDAY, tick=False):
        services.check_out(make_item(), budi.member, staff=librarian)  # Budi too takes another
    first.refresh_from_db()
    budi.refresh_from_db()
    assert budi.state == "fulfilled"
    assert first.status == ItemStatus.AVAILABLE  # nobody waits: back on the shelf
    assert list(hold_shelf(branches[0])) == []
