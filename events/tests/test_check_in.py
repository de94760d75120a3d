"""Point 4: check-in at the door by scanned QR code or by name, walk-ins, attendance and
no-show counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import PermissionDeniedError
from core.models import AuditEntry
from events import errors, qr, selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def guest(event, n, **extra):
    return services.register(event, name=f"Tamu {n}", phone=f"0812{n:06d}", **extra).registration


def test_the_qr_code_carries_the_registration_code(event):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    registration = guest(event, 1)
    image = Image.open(io.BytesIO(qr.registration_png(registration)))
    decoded = [r.text for r in zxingcpp.read_barcodes(image)]
    assert decoded == [f"PUSTAKA-EV:{registration.code}"]
    found, _ = selectors.find_at_door(event, decoded[0])
    assert found == registration


def test_staff_check_in_once_and_twice_is_once(event, librarian):
    registration = guest(event, 1)
    first = services.check_in(registration, by=librarian)
    again = services.check_in(registration, by=librarian)
    assert not first.already and again.already
    registration.refresh_from_db()
    assert registration.state == "attended" and registration.checked_in_by == librarian
    assert AuditEntry.objects.filter(action="event.check_in").count() == 1


def test_waiting_or_cancelled_people_cannot_be_checked_in(make_event, librarian):
    event = make_event(capacity=1)
    guest(event, 1)
    waiting = guest(event, 2)
    with pytest.raises(errors.NotCheckableError):
        services.check_in(waiting, by=librarian)
    waiting.refresh_from_db()
    assert waiting.state == "waitlisted"


def test_a_registration_for_another_event_is_refused(make_event, librarian):
    one, other = make_event(title="Satu"), make_event(title="Dua")
    registration = guest(one, 1)
    with pytest.raises(errors.WrongEventError):
        services.check_in(registration, by=librarian, event=other)


def test_a_member_cannot_check_in(event, make_user):
    with pytest.raises(PermissionDeniedError):
        services.check_in(guest(event, 1), by=make_user("biasa", roles={"member"}))


def test_counts_of_attendance_walk_ins_and_no_shows(make_event, librarian):
    event = make_event(capacity=10, max_group_size=10)
    came = guest(event, 1)
    group = services.register(event, name="Guru", phone="0811", seats=4).registration
    guest(event, 2)  # does not come
    services.check_in(came, by=librarian)
    services.check_in(group, by=librarian)
    services.record_walk_in(event, by=librarian, name="", seats=2)
    during = selectors.event_counts(event)
    assert (during.attended, during.walk_ins, during.no_shows) == (7, 2, 0)
    after = selectors.event_counts(event, at=event.ends_at + dt.timedelta(minutes=1))
    assert after.no_shows == 1
    assert after.attendance_rate == 83  # 5 of the 6 registered people came


def test_the_door_screen_finds_by_scanned_code_and_by_name_and_checks_in(en, event, librarian):
    registration = guest(event, 1)
    services.register(event, name="Budi Santoso", phone="0877")
    en.force_login(librarian)
    url = reverse("events:staff-event", args=[event.pk])
    page = en.get(url, {"q": f"PUSTAKA-EV:{registration.code}"}).content.decode()
    assert "Check in Tamu 1" in page
    page = en.get(url, {"q": "budi"}).content.decode()
    assert "Check in Budi Santoso" in page
    page = en.get(url, {"q": "PUSTAKA-EV:forged"}).content.decode()
    assert "No registration matches" in page
    response = en.post(reverse("events:staff-check-in", args=[event.pk, registration.pk]))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == "attended"
    page = en.get(url).content.decode()
    assert "is checked in" in page


def test_a_walk_in_from_the_door_screen(en, event, librarian):
    en.force_login(librarian)
    en.post(reverse("events:staff-walk-in", args=[event.pk]), {"name": "", "seats": "3"})
    assert selectors.event_counts(event).walk_ins == 3


def test_the_door_screen_query_count_stays_flat(
    client, make_event, librarian, django_assert_max_num_queries
):
    event = make_event(capacity=None)
    for n in range(30):
        guest(event, n)
    client.force_login(librarian)
    with django_assert_max_num_queries(25):
        client.get(reverse("events:staff-event", args=[event.pk]))


def test_the_registration_page_has_no_qr_while_waiting(en, make_event):
    event = make_event(capacity=0)
    registration = guest(event, 1)
    from events.views import registration_url

    page = en.get(registration_url(registration)).content.decode()
    assert "<svg" not in page and "number 1 on the waiting list" in page
    assert timezone.now() < event.starts_at
