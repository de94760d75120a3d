"""Booking from a phone: the grid, the form with the rules, my bookings, change and cancel, the
confirmation e-mail with its .ics, weekly series with every conflict listed, the door QR."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from spaces import services
from spaces.models import Booking, BookingRule
from spaces.states import BookingState
from spaces.tests.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, member, django_capture_on_commit_callbacks):
    client.cookies["django_language"] = "en"
    client.force_login(member.user)
    request = client.request

    def request_running_on_commit(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request(**kwargs)

    client.request = request_running_on_commit
    return client


def test_anyone_sees_the_rooms_and_the_days_grid(client, now, room, make_member):
    services.book(room, make_member(), start=local(24, 10), end=local(24, 11))
    client.cookies["django_language"] = "en"
    assert room.name in client.get(reverse("spaces:list")).content.decode()
    page = client.get(reverse("spaces:detail", args=[room.pk]), {"date": "2026-11-24"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Open 08.00–16.00." in html
    assert html.count('class="slot free"') == 14  # 16 slots of 30 minutes, two booked
    assert html.count('class="slot taken"') == 2
    assert "Booking rules" in html and "30-minute slots" in html


def test_the_week_view_counts_free_slots_and_shows_closed_days(client, now, room):
    client.cookies["django_language"] = "en"
    html = client.get(
        reverse("spaces:detail", args=[room.pk]), {"date": "2026-11-24", "view": "week"}
    ).content.decode()
    assert "Monday 23 November" in html and "Sunday 29 November" in html
    assert "Closed" in html


def test_a_member_books_a_slot_and_gets_an_email_with_an_ics(web, now, room, member):
    form_page = web.get(reverse("spaces:book", args=[room.pk]), {"start": "2026-11-24T10:00"})
    assert "Before you book" in form_page.content.decode()
    response = web.post(
        reverse("spaces:book", args=[room.pk]),
        {
            "date": "2026-11-24",
            "start": "10:00",
            "minutes": "60",
            "purpose": "study",
            "people": "4",
            "title": "Kelompok belajar",
        },
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("spaces:booking", args=[booking.code])
    assert (booking.starts_at, booking.ends_at, booking.people) == (
        local(24, 10),
        local(24, 11),
        4,
    )
    assert booking.booked_by == member.user
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    name, content, mimetype = message.attachments[0]
    assert name == "booking.ics" and mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("dtstart") == local(24, 10)
    assert event.decoded("dtend") == local(24, 11)
    assert room.name in str(event["summary"])
    assert str(event["status"]) == "CONFIRMED"
    mine = web.get(reverse("spaces:mine")).content.decode()
    assert room.name in mine and "Confirmed" in mine


def test_a_second_attempt_at_the_same_slot_is_refused_clearly(web, now, room, make_member):
    services.book(room, make_member(), start=local(24, 10), end=local(24, 11))
    response = web.post(
        reverse("spaces:book", args=[room.pk]),
        {
            "date": "2026-11-24",
            "start": "10:00",
            "minutes": "60",
            "purpose": "study",
            "people": "2",
        },
    )
    assert response.status_code == 400
    assert "This time is already booked" in response.content.decode()
    assert Booking.objects.count() == 1


def test_a_refused_booking_names_the_rule(web, now, room):
    response = web.post(
        reverse("spaces:book", args=[room.pk]),
        {
            "date": "2026-11-24",
            "start": "15:30",
            "minutes": "60",
            "purpose": "study",
            "people": "2",
        },
    )
    assert response.status_code == 400
    assert "must fit within them" in response.content.decode()


def test_the_booker_changes_and_cancels_their_booking(web, now, room, member):
    booking = services.book(room, member, start=local(24, 10), end=local(24, 11), by=member.user)
    mail.outbox.clear()
    response = web.post(
        reverse("spaces:change", args=[booking.code]),
        {"date": "2026-11-25", "start": "13:00", "minutes": "90", "people": "3"},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.starts_at, booking.ends_at) == (local(25, 13), local(25, 14, 30))
    assert "changed" in mail.outbox[-1].subject.lower()
    web.post(reverse("spaces:cancel", args=[booking.code]))
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED


def test_another_members_booking_is_not_found(web, now, room, make_member):
    other = services.book(room, make_member(), start=local(24, 10), end=local(24, 11))
    assert web.get(reverse("spaces:booking", args=[other.code])).status_code == 404
    assert web.post(reverse("spaces:cancel", args=[other.code])).status_code == 404


def test_the_booking_ics_download_parses(web, now, room, member):
    booking = services.book(room, member, start=local(24, 10), end=local(24, 11))
    response = web.get(reverse("spaces:booking-ics", args=[booking.code]))
    event = next(iter(Calendar.from_ical(response.content).walk("VEVENT")))
    assert event.decoded("dtstart") == local(24, 10)


def test_the_space_feed_shows_when_it_is_taken_but_not_by_whom(client, now, room, member):
    services.book(room, member, start=local(24, 10), end=local(24, 11), title="Rahasia")
    body = client.get(reverse("spaces:feed", args=[room.pk])).content
    events = list(Calendar.from_ical(body).walk("VEVENT"))
    assert len(events) == 1
    assert (events[0].decoded("dtstart"), events[0].decoded("dtend")) == (
        local(24, 10),
        local(24, 11),
    )
    assert b"Rahasia" not in body and member.full_name.encode() not in body


def test_a_weekly_series_lists_every_conflicting_date_before_saving(
    web, now, room, member, make_member, librarian
):
    from core.models import ClosedDay

    services.book(room, make_member(), start=local(26, 16 - 1), end=local(26, 16))
    ClosedDay.objects.create(
        branch=None,
        start_date=local(1, 0).date().replace(month=12, day=10),
        end_date=local(1, 0).date().replace(month=12, day=10),
        reason="Rapat tahunan",
    )
    data = {
        "date": "2026-11-26",
        "start": "14:30",
        "minutes": "90",
        "purpose": "reading_group",
        "people": "6",
        "weeks": "4",
        "group_name": "Klub Baca Mahakam",
    }
    preview = web.post(reverse("spaces:series", args=[room.pk]), {**data, "action": "preview"})
    html = preview.content.decode()
    assert "Thursday 26 November 2026" in html and "already booked" in html
    assert "Thursday 10 December 2026" in html and "closed on 10-12-2026" in html
    assert "Book the 2 free dates" in html
    assert not Booking.objects.filter(series__isnull=False).exists()
    web.post(reverse("spaces:series", args=[room.pk]), {**data, "action": "save"})
    series = Booking.objects.filter(series__isnull=False).order_by("starts_at")
    assert [b.starts_at for b in series] == [
        local(1, 14, 30).replace(month=12, day=3),
        local(1, 14, 30).replace(month=12, day=17),
    ]
    assert {b.state for b in series} == {BookingState.PENDING}


def test_checking_in_at_the_door_with_the_phone(web, room, member):
    import time_machine

    with time_machine.travel(local(23, 10), tick=False):
        booking = services.book(room, member, start=local(24, 10), end=local(24, 11))
    door = reverse("spaces:door", args=[room.door_code])
    with time_machine.travel(local(24, 10, 5), tick=False):
        assert "Check in now" in web.get(door).content.decode()
        web.post(door)
    booking.refresh_from_db()
    assert booking.state == BookingState.CHECKED_IN


def test_approval_rooms_say_so_after_booking(web, now, room, member):
    BookingRule.objects.create(name="Approve", space=room, needs_approval=True)
    response = web.post(
        reverse("spaces:book", args=[room.pk]),
        {
            "date": "2026-11-24",
            "start": "10:00",
            "minutes": "60",
            "purpose": "study",
            "people": "2",
        },
        follow=True,
    )
    assert "Staff will approve it" in response.content.decode()
    assert "waiting for approval" in mail.outbox[-1].subject.lower()


def test_a_signed_in_user_without_membership_is_told(client, now, room, make_user):
    client.cookies["django_language"] = "en"
    client.force_login(make_user("tamu"))
    response = client.get(reverse("spaces:book", args=[room.pk]))
    assert response.status_code == 403
    assert "Only members can book" in response.content.decode()


def test_the_pages_speak_indonesian_by_default(client, now, room, member):
    client.force_login(member.user)
    for url in (
        reverse("spaces:list"),
        reverse("spaces:detail", args=[room.pk]) + "?date=2026-11-24",
        reverse("spaces:detail", args=[room.pk]) + "?date=2026-11-24&view=week",
        reverse("spaces:book", args=[room.pk]),
        reverse("spaces:series", args=[room.pk]),
        reverse("spaces:mine"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == "id"


def test_a_group_cancels_the_rest_of_its_weekly_booking(web, now, room, member):
    result = services.book_series(
        room, member, start=local(24, 10), end=local(24, 11), weeks=4, by=member.user
    )
    assert len(result.booked) == 4
    second = result.booked[1]
    response = web.post(
        reverse("spaces:cancel", args=[second.code]), {"series": "rest"}, follow=True
    )
    assert "3 dates of the weekly booking are cancelled." in response.content.decode()
    states = [b.state for b in Booking.objects.filter(series=result.series).order_by("starts_at")]
    assert states == ["pending", "cancelled", "cancelled", "cancelled"]
