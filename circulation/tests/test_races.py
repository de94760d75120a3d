"""Real races on PostgreSQL: threads released together, each on its own connection."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from circulation import services
from circulation.errors import CirculationError
from circulation.models import FineEntry, Hold, Loan
from circulation.selectors import hold_position
from circulation.states import InvalidTransitionError
from core.testing import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]


def test_two_desks_and_a_kiosk_lending_one_item_make_exactly_one_loan(item, make_member, librarian):
    members = [make_member() for _ in range(3)]
    workers = [
        lambda m=members[0]: services.check_out(item, m, staff=librarian),
        lambda m=members[1]: services.check_out(item, m, staff=librarian),
        lambda m=members[2]: services.check_out(item, m, staff=None, channel="sip2"),
    ]
    results, errors = race(workers)
    assert len(results) == 1
    assert len(errors) == 2 and all(isinstance(e, CirculationError) for e in errors)
    assert Loan.objects.filter(item=item, state="on_loan").count() == 1


def test_fifty_members_placing_holds_at_once_get_distinct_gap_free_positions(
    record, item, make_member, branches
):
    members = [make_member() for _ in range(50)]
    results, errors = race(
        [lambda m=m: services.place_hold(record, m, pickup_branch=branches[0]) for m in members]
    )
    assert errors == []
    holds = list(Hold.objects.filter(record=record))
    assert len(holds) == 50
    assert sorted(h.queue_number for h in holds) == list(range(1, 51))
    assert sorted(hold_position(h) for h in holds) == list(range(1, 51))


def test_checking_in_one_item_twice_at_once_is_harmless(item, member, librarian, branches):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        services.check_out(item, member, staff=librarian)
    with time_machine.travel(dt.datetime(2026, 12, 10, 3, 0, tzinfo=dt.UTC), tick=True):
        results, errors = race(
            [lambda: services.check_in(item, staff=librarian, branch=branches[0]) for _ in range(4)]
        )
    assert errors == []
    assert sorted(r.already_in for r in results) == [False, True, True, True]
    assert FineEntry.objects.filter(kind="overdue").count() == 1


def test_two_copies_of_a_title_returned_at_once_fill_one_waiting_hold_once(
    record, make_item, make_member, librarian, branches
):
    """Two desks take back two copies of the same title while one member waits for it: one
    copy goes to the hold shelf for them, the other back to the shelf; neither desk fails."""
    copies = [make_item(), make_item()]
    for copy in copies:
        services.check_out(copy, make_member(), staff=librarian)
    waiting = services.place_hold(record, make_member(), pickup_branch=branches[0])

    results, errors = race(
        [lambda c=c: services.check_in(c, staff=librarian, branch=branches[0]) for c in copies]
    )
    assert errors == []
    assert sorted(r.route for r in results) == ["hold_shelf", "shelve"]
    waiting.refresh_from_db()
    assert waiting.state == "ready"
    assert waiting.item_id in {c.pk for c in copies}
    assert waiting.events.filter(to_state="ready").count() == 1


def test_two_copies_returned_at_once_fill_the_first_two_holds_in_order(
    record, make_item, make_member, librarian, branches
):
    copies = [make_item(), make_item()]
    for copy in copies:
        services.check_out(copy, make_member(), staff=librarian)
    holds = [
        services.place_hold(record, make_member(), pickup_branch=branches[0]) for _ in range(3)
    ]

    results, errors = race(
        [lambda c=c: services.check_in(c, staff=librarian, branch=branches[0]) for c in copies]
    )
    assert errors == []
    assert [r.route for r in results] == ["hold_shelf", "hold_shelf"]
    for hold in holds:
        hold.refresh_from_db()
    assert [h.state for h in holds] == ["ready", "ready", "waiting"]
    assert sorted(h.item_id for h in holds[:2]) == sorted(c.pk for c in copies)


def test_a_member_cancelling_a_hold_while_the_desk_lends_the_title_leaves_one_true_story(
    record, make_item, make_member, librarian, branches
):
    """Rina cancels her hold on her phone the moment the desk lends her a copy of the title
    from the open shelf. Whichever comes first wins and the other sees it: the hold is either
    cancelled (and the loan fills nothing) or filled by the loan (and the cancel is refused);
    its history never says it went from waiting to filled after it was cancelled."""
    import time

    def cancel_after(hold, delay):
        time.sleep(delay)
        return services.cancel_hold(hold, reason="found it on the shelf")

    outcomes = set()
    for n in range(10):  # the phone a little later each round: every interleaving is tried
        member = make_member()
        item = make_item()
        hold = services.place_hold(record, member, pickup_branch=branches[0])
        results, errors = race(
            [
                lambda h=hold, n=n: cancel_after(h, 0.002 * n),
                lambda i=item, m=member: services.check_out(i, m, staff=librarian),
            ]
        )
        hold.refresh_from_db()
        loans = [r for r in results if not isinstance(r, Hold)]
        assert len(loans) == 1 and Loan.objects.filter(item=item, member=member).exists()
        if hold.state == "cancelled":
            assert errors == [] and loans[0].fulfilled_hold is None
        else:
            assert hold.state == "fulfilled" and hold.item_id == item.pk
            assert len(errors) == 1 and isinstance(errors[0], InvalidTransitionError)
        events = list(hold.events.order_by("at", "pk").values_list("from_state", "to_state"))
        for (_, to), (after, _) in zip(events, events[1:], strict=False):
            assert after == to, events
        outcomes.add(hold.state)
    assert outcomes <= {"cancelled", "fulfilled"}


def test_the_nightly_expiry_and_the_desk_lending_the_copy_at_once_neither_fails(
    record, make_item, make_member, librarian, branches
):
    """The job that expires uncollected holds runs while the member, late, collects the copy at
    the desk. Both lock the copy first and the hold second, so neither waits for the other in
    a circle (a deadlock fails one of them): the member goes home with the book either way."""
    import datetime as dt
    import time

    def expire_after(delay, at):
        time.sleep(delay)
        return services.expire_uncollected_holds(at=at)

    later = timezone.now() + dt.timedelta(days=30)  # every pickup deadline has passed
    for n in range(10):
        member = make_member()
        copy = make_item()
        lender = make_member()
        services.check_out(copy, lender, staff=librarian)
        hold = services.place_hold(record, member, pickup_branch=branches[0])
        services.check_in(copy, staff=librarian, branch=branches[0])
        hold.refresh_from_db()
        assert (hold.state, hold.item_id) == ("ready", copy.pk)
        results, errors = race(
            [
                lambda n=n: expire_after(0.002 * n, later),
                lambda c=copy, m=member: services.check_out(c, m, staff=librarian),
            ]
        )
        assert errors == []
        hold.refresh_from_db()
        assert hold.state in {"expired", "fulfilled"}
        assert Loan.objects.filter(item=copy, member=member, state="on_loan").exists()


def test_the_nightly_resume_and_a_member_resuming_the_same_hold_at_once_neither_fails(
    record, item, make_member, branches
):
    """A suspended hold's date has passed: the nightly job resumes it just as the member taps
    "Resume" on the phone. One of them resumes it, once; the other finds nothing to do, and
    the night's other work (the notices) is not stopped by a refused transition."""
    import datetime as dt
    import time

    def nightly_after(delay, at):
        time.sleep(delay)
        return services.resume_due_suspensions(at=at)

    later = timezone.now() + dt.timedelta(days=30)
    for n in range(10):
        hold = services.place_hold(record, make_member(), pickup_branch=branches[0])
        services.suspend_hold(hold, until=timezone.localdate() + dt.timedelta(days=7))
        results, errors = race(
            [
                lambda n=n: nightly_after(0.002 * n, later),
                lambda h=hold: services.resume_hold(h),
            ]
        )
        hold.refresh_from_db()
        assert hold.state == "waiting"
        assert hold.events.filter(from_state="suspended", to_state="waiting").count() == 1
        # Either the job resumed it (and the member's tap was refused: already waiting) or
        # the member did (and the job found nothing): the job never fails.
        assert len([r for r in results if isinstance(r, int)]) == 1
        assert len(errors) <= 1 and all(isinstance(e, InvalidTransitionError) for e in errors)
