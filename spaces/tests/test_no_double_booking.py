"""Never double-booked: the services refuse overlaps clearly, and the database refuses them
even when a writer skips the services (exclusion constraint on PostgreSQL, trigger on SQLite)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from spaces import services
from spaces.errors import SlotTakenError
from spaces.models import Booking, BookingRule
from spaces.states import ACTIVE_STATES, BookingState
from spaces.tests.conftest import local

pytestmark = pytest.mark.django_db


def test_a_second_booking_of_the_same_slot_is_refused_as_already_booked(
    now, room, member, make_member
):
    services.book(room, member, start=local(24, 10), end=local(24, 11), by=member.user)
    other = make_member()
    with pytest.raises(SlotTakenError) as caught, translation.override("en"):
        services.book(room, other, start=local(24, 10, 30), end=local(24, 11, 30))
    assert caught.value.code == "already_booked"
    with translation.override("en"):
        assert "already booked" in str(caught.value)
    assert len(caught.value.conflicts) == 1
    assert Booking.objects.filter(space=room).count() == 1


def test_back_to_back_bookings_are_allowed(now, room, member, make_member):
    services.book(room, member, start=local(24, 10), end=local(24, 11))
    services.book(room, make_member(), start=local(24, 11), end=local(24, 12))
    assert Booking.objects.filter(space=room, state=BookingState.CONFIRMED).count() == 2


def test_the_buffer_after_a_booking_is_blocked_too(now, room, member, make_member):
    BookingRule.objects.create(name="Buffer", space=room, buffer_minutes=30)
    first = services.book(room, member, start=local(24, 10), end=local(24, 11))
    assert first.blocked_until == local(24, 11, 30)
    with pytest.raises(SlotTakenError):
        services.book(room, make_member(), start=local(24, 11), end=local(24, 12))
    services.book(room, make_member(), start=local(24, 11, 30), end=local(24, 12, 30))


def test_a_cancelled_booking_frees_its_slot(now, room, member, make_member):
    first = services.book(room, member, start=local(24, 10), end=local(24, 11), by=member.user)
    services.cancel(first, by=member.user)
    again = services.book(room, make_member(), start=local(24, 10), end=local(24, 11))
    assert again.state == BookingState.CONFIRMED


def test_equipment_is_never_double_booked_alone_or_with_a_room(
    now, room, projector, member, make_member, branches
):
    from spaces.models import Space

    services.book(room, member, start=local(24, 10), end=local(24, 11), equipment=[projector])
    other_room = Space.objects.create(branch=branches[0], kind="discussion_room", name="R2")
    with pytest.raises(SlotTakenError):
        services.book(
            other_room,
            make_member(),
            start=local(24, 10),
            end=local(24, 11),
            equipment=[projector],
        )
    # Nothing of the refused booking remains (the room booking rolled back with it).
    assert not Booking.objects.filter(space=other_room).exists()
    with pytest.raises(SlotTakenError):
        services.book(projector, make_member(), start=local(24, 10, 30), end=local(24, 11, 30))


def test_a_block_over_a_booking_is_refused_unless_it_displaces_it(now, room, member, librarian):
    booking = services.book(room, member, start=local(24, 10), end=local(24, 11))
    with pytest.raises(SlotTakenError):
        services.block_space(room, local(24, 9), local(24, 12), "Perbaikan AC", librarian)
    block = services.block_space(
        room, local(24, 9), local(24, 12), "Perbaikan AC", librarian, displace=True
    )
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED
    assert block.state == BookingState.CONFIRMED and block.kind == "block"


def _raw(room, start, end, state="confirmed") -> Booking:
    return Booking.objects.create(
        space=room, state=state, starts_at=start, ends_at=end, blocked_until=end
    )


def test_the_database_refuses_an_overlap_that_skips_the_services(room, library):
    _raw(room, local(24, 10), local(24, 11))
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(room, local(24, 10, 59), local(24, 12))
    # Touching ranges and inactive bookings are fine.
    _raw(room, local(24, 11), local(24, 12))
    _raw(room, local(24, 10), local(24, 11), state="cancelled")


def test_the_database_refuses_moving_a_booking_onto_another(room, library):
    _raw(room, local(24, 10), local(24, 11))
    second = _raw(room, local(24, 12), local(24, 13))
    second.starts_at = local(24, 10, 30)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    # Reactivating a cancelled booking over an active one is refused too.
    third = _raw(room, local(24, 10), local(24, 11), state="cancelled")
    third.state = "confirmed"
    with pytest.raises(IntegrityError), transaction.atomic():
        third.save()


def test_the_migration_lists_the_same_active_states():
    from importlib import import_module

    migration = import_module("spaces.migrations.0002_no_double_booking")
    listed = {s.strip().strip("'") for s in migration.ACTIVE.strip("()").split(",")}
    assert listed == {str(s) for s in ACTIVE_STATES}


def test_a_booking_may_not_hold_a_room_and_equipment_at_once(room, projector, library):
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            space=room,
            equipment=projector,
            starts_at=local(24, 10),
            ends_at=local(24, 11),
            blocked_until=local(24, 11),
        )


def test_the_end_must_follow_the_start(room, library):
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(room, local(24, 11), local(24, 10))


def test_moving_a_booking_keeps_the_old_time_when_the_new_one_is_taken(
    now, room, member, make_member
):
    mine = services.book(room, member, start=local(24, 10), end=local(24, 11), by=member.user)
    services.book(room, make_member(), start=local(24, 13), end=local(24, 14))
    with pytest.raises(SlotTakenError):
        services.change(mine, start=local(24, 13), end=local(24, 14), by=member.user)
    mine.refresh_from_db()
    assert (mine.starts_at, mine.ends_at) == (local(24, 10), local(24, 11))
    services.change(mine, start=local(24, 11), end=local(24, 12), by=member.user)
    mine.refresh_from_db()
    assert mine.starts_at == local(24, 11)
    assert dt.timedelta(hours=1) == mine.ends_at - mine.starts_at


def test_a_deadlock_broken_by_the_database_is_a_lost_slot_not_a_crash(monkeypatch):
    """Two rooms racing for one projector can each wait for the other's exclusion check;
    PostgreSQL fails one of them (SQLSTATE 40P01): that one is told the time is taken."""
    from django.db import OperationalError

    from spaces import services
    from spaces.errors import SlotTakenError
    from spaces.models import Booking

    class Deadlock(Exception):
        sqlstate = "40P01"

    def save(self, *args, **kwargs):
        raise OperationalError("deadlock detected") from Deadlock()

    monkeypatch.setattr(Booking, "save", save)
    with pytest.raises(SlotTakenError):
        services._save_guarded(Booking())

    def other_failure(self, *args, **kwargs):
        raise OperationalError("the server closed the connection")

    monkeypatch.setattr(Booking, "save", other_failure)
    with pytest.raises(OperationalError):
        services._save_guarded(Booking())
