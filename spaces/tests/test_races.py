"""Real races on PostgreSQL: threads released together, each on its own connection, all asking
for overlapping slots of one room. The database's exclusion constraint decides: exactly one
booking is made, every other request gets "already booked"."""

from __future__ import annotations

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
