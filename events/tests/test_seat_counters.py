"""The event's seat counters (`Event.seats_taken`, `registrations_waiting`,
`last_waitlist_number`) always say what the registrations say: through registrations of
groups, cancellations, offers that expire, check-in, walk-ins, a cancelled event and series.
Races on PostgreSQL are in test_races.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Max, Sum
from django.utils import timezone

from events import errors, series, services
from events.models import Event, Registration
from events.states import SEAT_STATES

from .conftest import local

pytestmark = pytest.mark.django_db


def counted(event: Event) -> tuple[int, int, int]:
    """What the registrations say: people holding seats, registrations waiting, last number."""
    rows = Registration.objects.filter(event=event)
    return (
        rows.filter(state__in=SEAT_STATES).aggregate(n=Sum("seats"))["n"] or 0,
        rows.filter(state="waitlisted").count(),
        rows.aggregate(n=Max("waitlist_number"))["n"] or 0,
    )


def counters(event: Event) -> tuple[int, int, int]:
    event = Event.objects.get(pk=event.pk)
    return event.seats_taken, event.registrations_waiting, event.last_waitlist_number


def guest(event, n, **extra):
    return services.register(event, name=f"Tamu {n}", phone=f"08130000{n:04d}", **extra)


def test_groups_count_their_size_and_a_group_that_does_not_fit_waits(make_event):
    event = make_event(capacity=5, max_group_size=4)
    a = guest(event, 1, seats=3).registration
    b = guest(event, 2, seats=3)  # 3 + 3 > 5: waits, although 2 seats are free
    c = guest(event, 3, seats=1)  # fits, but someone waits: nobody jumps the queue
    assert a.state == "confirmed" and b.waitlisted and c.waitlisted
    assert (b.registration.waitlist_number, c.registration.waitlist_number) == (1, 2)
    assert counters(event) == counted(event) == (3, 2, 2)
    with pytest.raises(errors.GroupTooLargeError):
        guest(event, 4, seats=5)
    assert counters(event) == (3, 2, 2)

    services.cancel_registration(a)  # 5 free: the group of 3 and then the 1 are offered
    b.registration.refresh_from_db()
    c.registration.refresh_from_db()
    assert (b.registration.state, c.registration.state) == ("offered", "offered")
    assert counters(event) == counted(event) == (4, 0, 2)
    # The next one confirms at once (a seat is free, nobody waits) and the numbers go on.
    assert guest(event, 5).registration.state == "confirmed"
    assert guest(event, 6).registration.waitlist_number == 3
    assert counters(event) == counted(event) == (5, 1, 3)


def test_offers_that_expire_give_their_seats_to_the_next_in_line(make_event):
    event = make_event(capacity=1)
    first = guest(event, 1).registration
    second, third = guest(event, 2).registration, guest(event, 3).registration
    now = timezone.now()
    services.cancel_registration(first, at=now)
    assert counters(event) == counted(event) == (1, 1, 2)
    assert services.expire_offers(at=now + dt.timedelta(hours=25)) == 1
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.state, third.state) == ("expired", "offered")
    assert counters(event) == counted(event) == (1, 0, 2)
    services.confirm_offer(third, at=now + dt.timedelta(hours=26))
    assert counters(event) == counted(event) == (1, 0, 2)


def test_check_in_walk_ins_and_a_cancelled_event_keep_the_counts(
    make_event, librarian, coordinator
):
    event = make_event(capacity=3, max_group_size=2)
    made = [guest(event, n, seats=2 if n == 1 else 1).registration for n in range(1, 4)]
    services.check_in(made[0], by=librarian)
    services.record_walk_in(event, by=librarian, name="Pak Joko", seats=2)
    assert counters(event) == counted(event) == (5, 1, 1)  # walk-ins are in the room
    services.cancel_event(event, by=coordinator)
    assert counters(event) == counted(event) == (4, 0, 1)  # who came stays counted


def test_saving_an_event_read_earlier_does_not_put_back_old_counts(event, coordinator):
    stale = Event.objects.get(pk=event.pk)
    guest(event, 1)
    guest(event, 2)
    stale.title = "Baca Bersama Anak"
    services.save_event(stale, by=coordinator)
    assert counters(event) == counted(event) == (2, 0, 0)
    assert Event.objects.get(pk=event.pk).title == "Baca Bersama Anak"


def test_a_registration_refused_at_the_last_moment_takes_nothing(event):
    """The event closed or was cancelled between reading it and taking the seat."""
    seen = Event.objects.get(pk=event.pk)
    Event.objects.filter(pk=event.pk).update(status="cancelled")
    with pytest.raises(errors.EventCancelledError):
        guest(seen, 1)
    closed = timezone.now() - dt.timedelta(hours=1)
    Event.objects.filter(pk=event.pk).update(status="published", registration_closes_at=closed)
    with pytest.raises(errors.RegistrationClosedError):
        guest(seen, 2)
    assert counters(event) == (0, 0, 0) and not Registration.objects.exists()


def test_a_double_submit_by_telephone_or_by_e_mail_counts_once(make_event):
    event = make_event(capacity=1)
    first = services.register(event, name="Budi", phone="0812 1111", email="budi@example.org")
    by_phone = services.register(event, name="Budi S.", phone="0812  1111")
    by_mail = services.register(event, name="Budi", email="BUDI@example.org")
    assert not by_phone.created and not by_mail.created
    assert by_phone.registration.pk == by_mail.registration.pk == first.registration.pk
    assert counters(event) == counted(event) == (1, 0, 0)
    # Once cancelled, the same person may register again (nobody waited for the seat).
    services.cancel_registration(first.registration)
    again = services.register(event, name="Budi", phone="0812 1111")
    assert again.created and again.registration.state == "confirmed"
    assert counters(event) == counted(event) == (1, 0, 0)


def test_series_registrations_count_on_each_session(make_event, coordinator, library, member):
    library.observe_public_holidays = False
    library.save()
    day = timezone.localdate() + dt.timedelta(days=7)
    while day.weekday() != 5:  # the main branch opens on Saturdays
        day += dt.timedelta(days=1)
    event = make_event(starts_at=local(day, 9), ends_at=local(day, 11), capacity=1)
    made = series.create_series(
        event, frequency="weekly", until=day + dt.timedelta(weeks=2), by=coordinator
    )
    sessions = list(made.sessions.order_by("starts_at"))
    guest(sessions[1], 1)  # the second session is full
    result = series.register_series(made, member=member)
    assert [r.state for r in result.registrations] == ["confirmed", "waitlisted", "confirmed"]
    for session in sessions:
        assert counters(session) == counted(session)
    assert [counters(s) for s in sessions] == [(1, 0, 0), (1, 1, 1), (1, 0, 0)]
    services.cancel_registration(Registration.objects.get(event=sessions[1], member=None))
    assert counters(sessions[1]) == counted(sessions[1]) == (1, 0, 1)
    assert Registration.objects.get(event=sessions[1], member=member).state == "offered"
