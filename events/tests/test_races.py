"""Never overbooked: real races on PostgreSQL, threads released together, each on its own
connection (the pattern of circulation/tests/test_races.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from core.testing import race
from events import services
from events.errors import EventError
from events.models import Registration
from events.selectors import event_counts

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]


def test_forty_guests_racing_for_ten_seats_make_ten_confirmed_and_thirty_waiting_in_order(
    make_event, member_categories
):
    event = make_event(capacity=10)
    results, errors = race(
        [
            lambda n=n: services.register(event, name=f"Tamu {n}", phone=f"0812{n:06d}")
            for n in range(40)
        ]
    )
    assert errors == []
    assert len(results) == 40 and all(r.created for r in results)
    confirmed = Registration.objects.filter(event=event, state="confirmed")
    waiting = Registration.objects.filter(event=event, state="waitlisted").order_by(
        "waitlist_number"
    )
    assert confirmed.count() == 10
    assert [r.waitlist_number for r in waiting] == list(range(1, 31))
    # The waiting list is in the order the registrations were taken (under the lock).
    taken = [r.pk for r in waiting]
    assert taken == sorted(taken)
    # Every one of the confirmed got in before every one waiting.
    assert max(r.pk for r in confirmed) < min(r.pk for r in waiting)
    assert event_counts(event).taken == 10


def test_the_same_member_submitting_five_times_at_once_registers_once(make_event, make_member):
    event = make_event(capacity=3)
    member = make_member()
    results, errors = race([lambda: services.register(event, member=member) for _ in range(5)])
    assert errors == []
    assert sorted(r.created for r in results) == [False, False, False, False, True]
    assert Registration.objects.filter(event=event).count() == 1


def test_cancellations_racing_with_registrations_never_overbook(make_event):
    event = make_event(capacity=5)
    holders = [
        services.register(event, name=f"Awal {n}", phone=f"0813{n:06d}").registration
        for n in range(5)
    ]
    work = [lambda r=r: services.cancel_registration(r) for r in holders]
    work += [
        lambda n=n: services.register(event, name=f"Baru {n}", phone=f"0814{n:06d}")
        for n in range(15)
    ]
    results, errors = race(work)
    assert [e for e in errors if not isinstance(e, EventError)] == []
    counts = event_counts(event)
    assert counts.taken <= 5
    # Every seat freed was taken or offered: nobody waits while a seat is free.
    assert counts.taken == 5 or counts.waitlisted == 0
