"""Real races on PostgreSQL: threads released together, each on its own connection. Asking for
overlapping slots of one room, the database's exclusion constraint decides: exactly one booking
is made, every other request gets "already booked". Changing one booking from two places at
once (cancel and move, block and move, decline and cancel the series) leaves one true story and
never deadlocks."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from core.testing import race
from spaces import services
from spaces.errors import SlotTakenError
from spaces.models import Booking
from spaces.tests.conftest import local

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL"),
]


def test_twelve_members_racing_for_overlapping_slots_leave_exactly_one_booking(
    now, room, make_member
):
    members = [make_member() for _ in range(12)]
    # Half ask for 10.00-11.00, half for 10.30-11.30: every pair overlaps.
    slots = [(local(24, 10), local(24, 11)), (local(24, 10, 30), local(24, 11, 30))]
    workers = [
        lambda m=m, s=slots[i % 2]: services.book(room, m, start=s[0], end=s[1])
        for i, m in enumerate(members)
    ]
    results, errors = race(workers)
    assert len(results) == 1, errors
    assert len(errors) == 11
    assert all(isinstance(e, SlotTakenError) for e in errors), errors
    assert {e.code for e in errors} == {"already_booked"}
    assert Booking.objects.filter(space=room, state__in=["confirmed", "pending"]).count() == 1


def test_a_projector_raced_for_by_two_rooms_goes_to_one(now, room, projector, make_member):
    from spaces.models import Space

    other = Space.objects.create(branch=room.branch, kind="discussion_room", name="R2")
    workers = [
        lambda: services.book(
            room, make_member_safe(), start=local(24, 10), end=local(24, 11), equipment=[projector]
        ),
        lambda: services.book(
            other, make_member_safe(), start=local(24, 10), end=local(24, 11), equipment=[projector]
        ),
    ]
    members = iter([make_member(), make_member()])
    lock = threading.Lock()

    def make_member_safe():
        with lock:
            return next(members)

    results, errors = race(workers)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], SlotTakenError)
    assert Booking.objects.filter(equipment=projector, state="confirmed").count() == 1
    # The losing room booking was rolled back with its equipment.
    assert Booking.objects.filter(space__isnull=False, state="confirmed").count() == 1


def test_a_block_displacing_bookings_never_cancels_one_just_moved_out_of_its_way(
    now, branches, make_member, make_user, librarian
):
    """The librarian blocks a room from 9.00 to 12.00 for repairs, cancelling the bookings in
    the way, at the moment Dodi moves his 11.00 booking of that room to 14.00 on his phone.
    Whichever comes first, Dodi's booking is cancelled only if it is still in the way: either
    his move is refused (the booking was cancelled at 11.00) or he keeps it at 14.00."""
    import time

    from spaces.errors import NotBookableError
    from spaces.models import Space

    def after(delay, work):
        time.sleep(delay)
        return work()

    for n in range(10):  # the phone a little later each round: every interleaving is tried
        room = Space.objects.create(branch=branches[0], kind="discussion_room", name=f"R{n}")
        for start in (local(24, 9), local(24, 9, 30), local(24, 10), local(24, 10, 30)):
            services.book(room, make_member(), start=start, end=start + dt.timedelta(minutes=30))
        dodi = make_member("Dodi", user=make_user(f"dodi{n}", roles={"member"}))
        booking = services.book(room, dodi, start=local(24, 11), end=local(24, 12))
        results, errors = race(
            [
                lambda r=room: services.block_space(
                    r, local(24, 9), local(24, 12), "Perbaikan AC", librarian, displace=True
                ),
                lambda b=booking, u=dodi.user, n=n: after(
                    0.02 * n,
                    lambda: services.change(b, start=local(24, 14), end=local(24, 15), by=u),
                ),
            ]
        )
        booking.refresh_from_db()
        if booking.state == "cancelled":
            assert booking.starts_at == local(24, 11), n
            assert len(errors) == 1 and isinstance(errors[0], NotBookableError), errors
        else:
            assert errors == [], errors
            assert (booking.state, booking.starts_at) == ("confirmed", local(24, 14))
        assert Booking.objects.filter(space=room, kind="block", state="confirmed").count() == 1


def test_a_member_cancelling_while_the_desk_moves_the_booking_never_deadlocks(
    now, room, member, librarian
):
    """Rina cancels her booking on her phone while the librarian moves it to the afternoon at
    her request. Whichever comes first, both finish (or the move is refused because the
    booking is already cancelled): neither fails on a deadlock, and the booking ends cancelled
    with a history where each move starts from the state the last one left."""
    import time

    from spaces.errors import NotBookableError

    def after(delay, work):
        time.sleep(delay)
        return work()

    for n in range(10):  # the desk a little later each round: every interleaving is tried
        start = local(24, 8) + dt.timedelta(minutes=30 * n)
        booking = services.book(room, member, start=start, end=start + dt.timedelta(minutes=30))
        later = start + dt.timedelta(hours=3)
        results, errors = race(
            [
                lambda b=booking: services.cancel(b, by=member.user),
                lambda b=booking, s=later, n=n: after(
                    0.002 * n,
                    lambda: services.change(
                        b, start=s, end=s + dt.timedelta(minutes=30), by=librarian
                    ),
                ),
            ]
        )
        assert all(isinstance(e, NotBookableError) for e in errors), errors
        booking.refresh_from_db()
        assert booking.state == "cancelled"
        assert booking.starts_at == (start if errors else later)
        moves = list(booking.events.order_by("at", "pk").values_list("from_state", "to_state"))
        for (_, to), (after_state, _) in zip(moves, moves[1:], strict=False):
            assert after_state == to, moves


def test_a_group_cancelling_its_weekly_booking_while_staff_decline_a_date_cancels_the_rest(
    now, branches, member, librarian
):
    """A reading group cancels its weekly booking from the first date on while the librarian
    declines its last date. Whichever comes first, the group's cancellation goes through: every
    date ends cancelled, or declined if the librarian was first (then it is not in the way)."""
    import time

    from spaces.models import Space
    from spaces.states import InvalidTransitionError

    def after(delay, work):
        time.sleep(delay)
        return work()

    for n in range(10):  # the librarian a little later each round: every interleaving is tried
        room = Space.objects.create(branch=branches[0], kind="discussion_room", name=f"R{n}")
        made = services.book_series(
            room, member, start=local(24, 10), end=local(24, 11), weeks=4, by=member.user
        )
        first, last = made.booked[0], made.booked[-1]
        results, errors = race(
            [
                lambda b=first: services.cancel_series_from(b, by=member.user),
                lambda b=last, n=n: after(
                    0.003 * n,
                    lambda: services.decline(b, by=librarian, reason="Ruang dipakai"),
                ),
            ]
        )
        states = list(
            Booking.objects.filter(series=made.series)
            .order_by("starts_at")
            .values_list("state", flat=True)
        )
        assert states[:3] == ["cancelled"] * 3, (n, errors)
        if states[3] == "declined":
            assert errors == [] and len(results) == 2
        else:
            assert states[3] == "cancelled"
            assert len(errors) == 1 and isinstance(errors[0], InvalidTransitionError), errors
