"""Point 5: e-mails in the background (confirmation, waiting list, seat offered, reminder
with an .ics attachment) and the iCalendar feed of public events, parsed with icalendar."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from events import services
from events.daily import run_daily

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def wrapper(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return wrapper


def attached_calendar(message) -> icalendar.Calendar:
    (name, content, mimetype) = message.attachments[0]
    assert name == "event.ics" and mimetype.startswith("text/calendar")
    return icalendar.Calendar.from_ical(content)


def test_confirmation_mail_carries_the_event_as_ics(run_on_commit, make_event):
    event = make_event(kind="webinar", online_url="https://meet.example.org/baca")
    with translation.override("en"):
        run_on_commit(services.register, event, name="Budi", email="budi@example.org")
    (message,) = mail.outbox
    assert message.to == ["budi@example.org"]
    assert message.subject == "Registered: Baca Bersama"
    assert "/events/r/" in message.body and "https://meet.example.org/baca" in message.body
    (vevent,) = attached_calendar(message).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Baca Bersama"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert str(vevent["URL"]).endswith(reverse("events:detail", args=[event.pk]))
    assert "meet.example.org" in str(vevent["DESCRIPTION"])  # the registrant's own copy


def test_mail_is_written_in_the_registrants_language(run_on_commit, event):
    from events.mail import build

    with translation.override("id"):
        made = run_on_commit(services.register, event, name="Budi", email="budi@example.org")
    assert made.registration.language == "id"
    made.registration.language = "en"
    with translation.override("id"):
        assert build(made.registration, "reminder").subject == "Tomorrow: Baca Bersama"


def test_a_guest_with_only_a_phone_gets_no_mail(run_on_commit, event):
    run_on_commit(services.register, event, name="Budi", phone="0812")
    assert mail.outbox == []


def test_waiting_list_and_offer_mails(run_on_commit, make_event):
    event = make_event(capacity=1)
    with translation.override("en"):
        first = run_on_commit(services.register, event, name="A", email="a@example.org")
        run_on_commit(services.register, event, name="B", email="b@example.org")
        run_on_commit(services.cancel_registration, first.registration)
    subjects = [(m.to[0], m.subject) for m in mail.outbox]
    assert subjects == [
        ("a@example.org", "Registered: Baca Bersama"),
        ("b@example.org", "On the waiting list: Baca Bersama"),
        ("b@example.org", "A seat is free for you: Baca Bersama"),
    ]
    assert "before" in mail.outbox[2].body


def test_reminders_the_day_before_go_once_with_the_ics(run_on_commit, make_event):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    event = make_event(starts_at=local(tomorrow, 15), ends_at=local(tomorrow, 17))
    later = make_event(title="Nanti")
    with translation.override("en"):
        services.register(event, name="A", email="a@example.org")
        services.register(event, name="B", phone="0812")
        services.register(later, name="C", email="c@example.org")
    result = run_on_commit(run_daily)
    assert result["reminders"] == 1
    (message,) = mail.outbox
    assert message.subject == "Tomorrow: Baca Bersama" and message.to == ["a@example.org"]
    assert attached_calendar(message).walk("VEVENT")
    assert run_on_commit(run_daily)["reminders"] == 0


def test_the_daily_job_is_registered_with_the_scheduler():
    from core.scheduling import JOBS

    assert [job.name for job in JOBS].count("events") == 1


def test_the_public_feed_parses_and_links_each_event(client, make_event, branches):
    make_event(title="Diskusi Buku")
    make_event(title="Webinar", kind="webinar", online_url="https://meet.example.org/x")
    make_event(title="Draf", status="draft")
    make_event(title="Film", kind="screening", branch=branches[1])
    response = client.get(reverse("events:feed"))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Diskusi Buku", "Webinar", "Film"}
    for vevent in events.values():
        assert str(vevent["URL"]).startswith("http://testserver/events/")
        assert vevent.decoded("DTEND") > vevent.decoded("DTSTART")
    assert b"meet.example.org" not in response.content  # only registrants see the link
    filtered = icalendar.Calendar.from_ical(
        client.get(reverse("events:feed"), {"branch": "cabang"}).content
    )
    assert [str(e["SUMMARY"]) for e in filtered.walk("VEVENT")] == ["Film"]


def test_add_to_calendar_for_one_event(client, event):
    response = client.get(reverse("events:event-ics", args=[event.pk]))
    (vevent,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.pk}@pustaka"
