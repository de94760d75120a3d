"""Point 2: registration by members and guests, capacity, waiting list in order, offers that
expire, cancellation from the signed link, groups and questions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events import errors, selectors, services
from events.models import Question, Registration
from events.views import registration_url

pytestmark = pytest.mark.django_db


def guest(event, n, **extra):
    return services.register(event, name=f"Tamu {n}", phone=f"08120000{n:04d}", **extra)


def test_a_member_registers_and_is_confirmed(event, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = services.register(event, member=member)
    r = made.registration
    assert made.created and r.state == "confirmed"
    assert (r.name, r.email) == ("Rina Wulandari", member.email)
    assert len(mail.outbox) == 1 and "Baca Bersama" in mail.outbox[0].subject


def test_registering_twice_returns_the_first_registration(event, member):
    first = services.register(event, member=member).registration
    again = services.register(event, member=member)
    assert not again.created and again.registration.pk == first.pk
    guest(event, 1)
    assert not guest(event, 1).created
    assert Registration.objects.count() == 2


def test_a_guest_needs_a_name_and_a_phone_or_an_email(event):
    with pytest.raises(errors.GuestContactRequiredError):
        services.register(event, name="Tamu")
    with pytest.raises(errors.GuestContactRequiredError):
        services.register(event, phone="0812")
    assert not Registration.objects.exists()


def test_full_event_waitlists_in_order_and_a_freed_seat_is_offered_to_the_first(make_event):
    event = make_event(capacity=2)
    a, b = guest(event, 1).registration, guest(event, 2).registration
    w1, w2 = guest(event, 3), guest(event, 4)
    assert w1.waitlisted and w2.waitlisted
    assert (w1.registration.waitlist_number, w2.registration.waitlist_number) == (1, 2)
    services.cancel_registration(a)
    w1.registration.refresh_from_db()
    w2.registration.refresh_from_db()
    assert w1.registration.state == "offered" and w2.registration.state == "waitlisted"
    assert w1.registration.offer_expires_at is not None
    # Nobody jumps the waiting list while someone waits, even when a seat is "free".
    assert guest(event, 5).waitlisted
    services.confirm_offer(w1.registration)
    w1.registration.refresh_from_db()
    assert w1.registration.state == "confirmed"
    assert selectors.event_counts(event).taken == 2
    b.refresh_from_db()
    assert b.state == "confirmed"


def test_an_offer_not_confirmed_in_time_expires_and_passes_to_the_next(make_event, settings):
    settings.PUSTAKA_EVENT_OFFER_HOURS = 12
    event = make_event(capacity=1)
    first = guest(event, 1).registration
    w1, w2 = guest(event, 2).registration, guest(event, 3).registration
    now = timezone.now()
    services.cancel_registration(first, at=now)
    w1.refresh_from_db()
    assert w1.offer_expires_at == now + dt.timedelta(hours=12)
    assert services.expire_offers(at=now + dt.timedelta(hours=11)) == 0
    assert services.expire_offers(at=now + dt.timedelta(hours=13)) == 1
    w1.refresh_from_db()
    w2.refresh_from_db()
    assert w1.state == "expired" and w2.state == "offered"
    assert services.expire_offers(at=now + dt.timedelta(hours=13)) == 0  # twice is once


def test_confirming_a_lapsed_offer_says_so_and_moves_on(make_event):
    event = make_event(capacity=1)
    first = guest(event, 1).registration
    w1, w2 = guest(event, 2).registration, guest(event, 3).registration
    now = timezone.now()
    services.cancel_registration(first, at=now)
    with pytest.raises(errors.OfferExpiredError):
        services.confirm_offer(w1, at=now + dt.timedelta(days=2))
    w1.refresh_from_db()
    w2.refresh_from_db()
    assert w1.state == "expired" and w2.state == "offered"


def test_offers_never_outlast_the_start(make_event):
    start = timezone.now() + dt.timedelta(hours=3)
    event = make_event(capacity=1, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    first = guest(event, 1).registration
    waiting = guest(event, 2).registration
    services.cancel_registration(first)
    waiting.refresh_from_db()
    assert waiting.offer_expires_at == start


def test_a_group_counts_its_size_and_cannot_pass_the_limit(make_event):
    event = make_event(capacity=30, max_group_size=35)
    with pytest.raises(errors.GroupTooLargeError):
        services.register(event, name="Bu Guru", phone="0811", seats=36)
    made = services.register(
        event, name="Bu Guru", phone="0811", seats=28, group_name="SDN 004 kelas 5"
    )
    assert made.registration.state == "confirmed"
    assert guest(event, 1).registration.state == "confirmed"
    assert selectors.event_counts(event).free == 1
    # A group of 3 does not fit in one seat: waitlisted, and a single after it waits too.
    assert services.register(event, name="Pak Guru", phone="0813", seats=3).waitlisted
    assert guest(event, 2).waitlisted


def test_a_waiting_group_that_does_not_fit_stops_the_queue(make_event):
    event = make_event(capacity=2, max_group_size=5)
    a = guest(event, 1).registration
    guest(event, 2)
    group = services.register(event, name="Grup", phone="0899", seats=3).registration
    single = guest(event, 3).registration
    services.cancel_registration(a)
    group.refresh_from_db()
    single.refresh_from_db()
    assert group.state == "waitlisted" and single.state == "waitlisted"


def test_required_questions_must_be_answered(event):
    question = Question.objects.create(event=event, label="Sekolah asal", required=True)
    with pytest.raises(errors.AnswerRequiredError):
        guest(event, 1)
    made = guest(event, 1, answers={str(question.pk): "SMAN 1 Samarinda"})
    assert made.registration.answers == {str(question.pk): "SMAN 1 Samarinda"}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"status": "cancelled"}, errors.EventCancelledError),
        ({"status": "draft"}, errors.EventNotOpenError),
        ({"registration_required": False}, errors.EventNotOpenError),
    ],
)
def test_closed_events_refuse_registrations(event, change, error):
    for name, value in change.items():
        setattr(event, name, value)
    event.save()
    with pytest.raises(error):
        guest(event, 1)
    assert not Registration.objects.exists()


def test_registration_after_the_deadline_or_start_is_refused(event):
    with pytest.raises(errors.RegistrationClosedError):
        guest(event, 1, at=event.starts_at + dt.timedelta(minutes=1))
    event.registration_closes_at = event.starts_at - dt.timedelta(days=2)
    event.save()
    with pytest.raises(errors.RegistrationClosedError):
        guest(event, 1, at=event.starts_at - dt.timedelta(days=1))


def test_raising_the_capacity_offers_the_new_seats(make_event, coordinator):
    event = make_event(capacity=1)
    guest(event, 1)
    waiting = guest(event, 2).registration
    event.capacity = 2
    services.save_event(event, by=coordinator)
    waiting.refresh_from_db()
    assert waiting.state == "offered"


# ---------------------------------------------------------------------------------------------
# Through the pages


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_a_guest_registers_on_the_event_page_and_sees_the_qr(en, event):
    response = en.post(
        reverse("events:detail", args=[event.pk]),
        {"name": "Budi Santoso", "phone": "0812 555 1234", "email": "", "seats": "1"},
    )
    assert response.status_code == 302
    page = en.get(response["Location"]).content.decode()
    registration = Registration.objects.get()
    assert "Confirmed" in page and "<svg" in page and registration.code in page


def test_the_page_form_tells_a_guest_what_is_missing(en, event):
    response = en.post(reverse("events:detail", args=[event.pk]), {"name": "Budi", "seats": "1"})
    assert response.status_code == 400
    assert "Give a telephone number or an e-mail address." in response.content.decode()


def test_a_signed_in_member_registers_without_typing_their_details(en, event, member, make_user):
    user = make_user("rina", roles={"member"})
    member.user = user
    member.save()
    en.force_login(user)
    response = en.post(reverse("events:detail", args=[event.pk]), {"seats": "1"})
    assert response.status_code == 302
    assert Registration.objects.get().member == member


def test_the_registrant_cancels_from_the_link_and_the_first_waiting_is_offered(en, make_event):
    event = make_event(capacity=1)
    first = guest(event, 1).registration
    waiting = guest(event, 2).registration
    url = registration_url(first)
    en.post(url + "cancel/")
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert first.state == "cancelled" and waiting.state == "offered"
    page = en.get(registration_url(waiting)).content.decode()
    assert "Confirm my seat" in page
    en.post(registration_url(waiting) + "confirm/")
    waiting.refresh_from_db()
    assert waiting.state == "confirmed"


def test_a_forged_link_finds_nothing(en, event):
    registration = guest(event, 1).registration
    assert en.get(f"/events/r/{registration.code}:forged/").status_code == 404
    assert en.get(f"/events/r/{registration.code}/").status_code == 404
    assert en.post(f"/events/r/{registration.code}:x/cancel/").status_code == 404
    registration.refresh_from_db()
    assert registration.state == "confirmed"


def test_a_member_sees_their_registrations(en, event, member, make_user):
    user = make_user("rina", roles={"member"})
    member.user = user
    member.save()
    made = services.register(event, member=member)
    assert en.get(reverse("events:mine")).status_code == 302  # sign in first
    en.force_login(user)
    page = en.get(reverse("events:mine")).content.decode()
    assert "Baca Bersama" in page and registration_url(made.registration) in page


def _statements(captured) -> list[str]:
    skip = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
    return [q["sql"] for q in captured if not q["sql"].upper().startswith(skip)]


def test_only_the_statement_that_takes_the_seat_and_the_commit_hold_the_event_lock(event, member):
    """Point 11's latency: every attempt queues on the event's row lock, so everything else
    (input, answers, the e-mail task) is done before the one statement that locks the row and
    takes the seat. On PostgreSQL that statement inserts the registration too and only the
    commit follows; on SQLite (writers serialised by the transaction) the insert follows. A
    resubmission is refused by the unique constraint and changes no count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.register(event, name="Ahmad Fauzi", phone="0812 5501 2233")
    with CaptureQueriesContext(connection) as new:
        made = services.register(event, member=member)
    statements = _statements(new.captured_queries)
    locking = [
        i
        for i, sql in enumerate(statements)
        if "FOR UPDATE" in sql or "FOR NO KEY UPDATE" in sql or "UPDATE events_event" in sql
    ]
    assert len(locking) == 1
    seat = locking[0]
    after = statements[seat + 1 :]
    if connection.vendor == "postgresql":
        assert "INSERT INTO events_registration" in statements[seat] and after == []
    else:
        assert len(after) == 1 and after[0].startswith('INSERT INTO "events_registration"')
    assert made.created and made.registration.state == "confirmed"
    event.refresh_from_db()
    assert (event.seats_taken, event.registrations_waiting) == (2, 0)

    twice = services.register(event, member=member)
    assert not twice.created and twice.registration.pk == made.registration.pk
    assert not guest_again(event).created
    event.refresh_from_db()
    assert (event.seats_taken, event.registrations_waiting) == (2, 0)
    assert Registration.objects.filter(event=event).count() == 2


def guest_again(event):
    """The first guest again, by the same telephone number and another e-mail address."""
    return services.register(event, name="Ahmad F.", phone="0812 5501 2233", email="a@x.org")
