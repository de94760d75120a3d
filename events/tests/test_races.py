"""Never overbooked: real races on PostgreSQL, threads released together, each on its own
connection (the pattern of circulation/tests/test_races.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from core.testing import race
from events import series, services
from events.errors import EventError
from events.models import Event, Registration
from events.selectors import event_counts

from .conftest import local
from .test_seat_counters import counted, counters

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
    assert counters(event) == counted(event) == (10, 30, 30)


def test_the_same_member_submitting_five_times_at_once_registers_once(make_event, make_member):
    event = make_event(capacity=3)
    member = make_member()
    results, errors = race([lambda: services.register(event, member=member) for _ in range(5)])
    assert errors == []
    assert sorted(r.created for r in results) == [False, False, False, False, True]
    assert Registration.objects.filter(event=event).count() == 1


def _server_rollbacks() -> int:
    """Transactions this database's server has rolled back (a unique violation is one, and a
    line in its log)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # flushed once this one is done
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def test_a_double_submit_is_no_error_on_the_server(make_event, make_member):
    """Submitting again is what people do: it is answered with the first registration, and the
    server sees no failed statement (no unique violation in its log, nothing rolled back)."""
    event = make_event(capacity=3)
    member = make_member()
    first = services.register(event, member=member)
    before = _server_rollbacks()
    again = services.register(event, member=member)
    by_phone = services.register(event, name="Budi", phone="0812 7777 0000")
    by_phone_again = services.register(event, name="Budi S.", phone="0812  7777 0000")
    assert _server_rollbacks() == before
    assert not again.created and again.registration.pk == first.registration.pk
    assert not by_phone_again.created
    assert by_phone_again.registration.pk == by_phone.registration.pk
    assert counters(event) == counted(event) == (2, 0, 0)


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
    # The counters on the event's row say what the registrations say.
    assert counters(event) == counted(event)
    numbers = sorted(
        Registration.objects.filter(event=event, waitlist_number__isnull=False).values_list(
            "waitlist_number", flat=True
        )
    )
    assert numbers == list(range(1, len(numbers) + 1))


def test_groups_racing_never_take_more_seats_than_there_are(make_event):
    event = make_event(capacity=10, max_group_size=3)
    results, errors = race(
        [
            lambda n=n: services.register(
                event, name=f"Guru {n}", phone=f"0815{n:06d}", seats=1 + n % 3
            )
            for n in range(24)
        ]
    )
    assert errors == [] and all(r.created for r in results)
    taken, waiting, last = counters(event)
    assert (taken, waiting, last) == counted(event)
    assert (
        8 <= taken <= 10
        and waiting
        == last
        == 24 - Registration.objects.filter(event=event, state="confirmed").count()
    )
    rows = list(Registration.objects.filter(event=event).order_by("pk"))
    # Taken in turn: confirmed while they fitted and nobody waited, then everyone waits in order.
    states = [r.state for r in rows]
    assert states == sorted(states)  # all "confirmed" before all "waitlisted"
    assert [r.waitlist_number for r in rows if r.waitlist_number] == list(range(1, last + 1))


def test_the_same_guest_submitting_five_times_at_once_registers_once(make_event):
    event = make_event(capacity=3)
    results, errors = race(
        [
            lambda n=n: services.register(
                event, name="Budi", phone="0812 7777 0000", email=f"budi{n % 2}@example.org"
            )
            for n in range(5)
        ]
    )
    assert errors == []
    assert sorted(r.created for r in results) == [False, False, False, False, True]
    assert len({r.registration.pk for r in results}) == 1
    assert counters(event) == counted(event) == (1, 0, 0)


def test_members_registering_for_a_series_at_once_fill_every_session_in_turn(
    make_event, make_member, coordinator, library
):
    library.observe_public_holidays = False
    library.save()
    day = timezone.localdate() + dt.timedelta(days=7)
    while day.weekday() != 5:  # the main branch opens on Saturdays
        day += dt.timedelta(days=1)
    event = make_event(starts_at=local(day, 9), ends_at=local(day, 11), capacity=3)
    made = series.create_series(
        event, frequency="weekly", until=day + dt.timedelta(weeks=1), by=coordinator
    )
    sessions = list(made.sessions.order_by("starts_at"))
    members = [make_member() for _ in range(8)]
    results, errors = race([lambda m=m: series.register_series(made, member=m) for m in members])
    assert errors == [] and len(results) == 8
    assert len(sessions) == 2
    for session in sessions:
        assert counters(session) == counted(session) == (3, 5, 5)
        waiting = Registration.objects.filter(event=session, state="waitlisted")
        assert sorted(waiting.values_list("waitlist_number", flat=True)) == [1, 2, 3, 4, 5]
    assert Event.objects.filter(series=made).count() == len(sessions)


def test_a_registration_in_its_own_transaction_commits_with_its_seat_and_is_told(make_event):
    """Outside any transaction (as a request is) the COMMIT goes with the statement that takes
    the seat: the rows are there for everyone, and the answer goes by e-mail after it."""
    from django.core import mail
    from django.utils import translation

    event = make_event(capacity=1)
    with translation.override("en"):
        first = services.register(event, name="A", email="a@example.org")
        second = services.register(event, name="B", email="b@example.org")
        again = services.register(event, name="B", email="b@example.org")
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert (first.registration.state, second.registration.state) == ("confirmed", "waitlisted")
    assert not again.created and again.registration.pk == second.registration.pk
    assert [(m.to[0], m.subject) for m in mail.outbox] == [
        ("a@example.org", "Registered: Baca Bersama"),
        ("b@example.org", "On the waiting list: Baca Bersama"),
    ]
    assert counters(event) == counted(event) == (1, 1, 1)


def test_editing_every_session_while_one_is_cancelled_leaves_that_one_cancelled(
    make_event, coordinator, library
):
    """A coordinator changes the title of every session of a series while another cancels
    the last session. Whichever comes first, the cancelled session stays cancelled: the edit
    never publishes it again (with its registrations already cancelled)."""
    import time

    library.observe_public_holidays = False
    library.save()
    day = timezone.localdate() + dt.timedelta(days=7)
    while day.weekday() != 5:  # the main branch opens on Saturdays
        day += dt.timedelta(days=1)

    def cancel_after(session, delay):
        time.sleep(delay)
        return services.cancel_event(session, by=coordinator)

    for n in range(10):  # the cancel a little later each round: every interleaving is tried
        first = make_event(starts_at=local(day, 9), ends_at=local(day, 11), capacity=3)
        made = series.create_series(
            first, frequency="weekly", until=day + dt.timedelta(weeks=4), by=coordinator
        )
        last = made.sessions.order_by("starts_at").last()
        held = services.register(last, name="Tamu", phone=f"0816{n:06d}").registration
        title = f"Baca Bersama, putaran {n}"
        results, errors = race(
            [
                lambda f=first, t=title: series.update_series(
                    f, {"title": t}, changed=["title"], by=coordinator
                ),
                lambda s=last, n=n: cancel_after(s, 0.002 * n),
            ]
        )
        assert errors == []
        last.refresh_from_db()
        held.refresh_from_db()
        assert (last.status, last.title) == ("cancelled", title), n
        assert held.state == "cancelled"
        assert counters(last) == counted(last)
