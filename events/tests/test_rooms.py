"""An event in a room books the room (spaces issue, point 5): nobody can book the room over
the event, a room already taken refuses the event with a clear message and saves nothing,
moving the event moves the hold, cancelling it frees the room."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from events import services
from events.models import Event
from spaces.errors import SlotTakenError

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(branches):
    from spaces.models import Space

    return Space.objects.create(
        branch=branches[0], kind="discussion_room", name="Ruang Diskusi 1", capacity=30
    )


def holds(room):
    from spaces.models import Booking
    from spaces.states import ACTIVE_STATES

    return list(
        Booking.objects.filter(space=room, state__in=ACTIVE_STATES).values_list(
            "kind", "source", "starts_at", "ends_at"
        )
    )


def test_an_event_in_a_room_holds_it_and_moving_or_cancelling_follows(
    make_event, room, coordinator
):
    from spaces.services import block_space

    event = make_event(place="", space=None)
    event.space = room
    services.save_event(event, by=coordinator)
    assert holds(room) == [("block", f"event:{event.pk}", event.starts_at, event.ends_at)]
    assert event.venue == "Ruang Diskusi 1"

    # Nobody else can take the room at that time.
    with pytest.raises(SlotTakenError):
        block_space(room, event.starts_at, event.ends_at, "Perbaikan AC", None)

    # Moved by an hour: the hold moves with it, still one.
    event.starts_at += dt.timedelta(hours=1)
    event.ends_at += dt.timedelta(hours=1)
    services.save_event(event, by=coordinator)
    assert holds(room) == [("block", f"event:{event.pk}", event.starts_at, event.ends_at)]

    # Cancelled: the room is free again.
    services.cancel_event(event, by=coordinator)
    assert holds(room) == []
    block_space(room, event.starts_at, event.ends_at, "Perbaikan AC", None)


def test_a_room_already_taken_refuses_the_event_and_saves_nothing(
    make_event, room, coordinator, branches
):
    from spaces.services import block_space

    day_event = make_event(space=None)
    block_space(room, day_event.starts_at, day_event.ends_at, "Rapat RT", None)
    new = Event(
        title="Lokakarya menulis",
        kind="workshop",
        branch=branches[0],
        space=room,
        starts_at=day_event.starts_at,
        ends_at=day_event.ends_at,
    )
    with pytest.raises(SlotTakenError):
        services.save_event(new, by=coordinator)
    assert not Event.objects.filter(title="Lokakarya menulis").exists()
    # Another room: saved, and it holds that room only.
    day_event.space = None
    services.save_event(day_event, by=coordinator)
    assert len(holds(room)) == 1  # the meeting, not the event


def test_the_form_offers_rooms_and_refuses_one_of_another_branch(
    client, make_user, room, branches, coordinator
):
    from django.conf import settings

    from spaces.models import Space

    elsewhere = Space.objects.create(
        branch=branches[1], kind="discussion_room", name="Ruang Cabang", capacity=10
    )
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("events:staff-create")).content.decode()
    assert "Ruang Diskusi 1" in page and "Ruang Cabang" in page
    start = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    data = {
        "title": "Diskusi buku",
        "kind": "book_discussion",
        "starts_at": f"{start}T09:00",
        "ends_at": f"{start}T11:00",
        "branch": branches[0].pk,
        "space": elsewhere.pk,
        "audience": "everyone",
        "language": "id",
        "max_group_size": 1,
        "cost": 0,
        "registration_required": "on",
    }
    response = client.post(reverse("events:staff-create"), data)
    assert response.status_code == 400
    assert "Choose a room of the event&#x27;s branch." in response.content.decode()
    response = client.post(reverse("events:staff-create"), {**data, "space": room.pk})
    assert response.status_code == 302
    event = Event.objects.get(title="Diskusi buku")
    assert holds(room) == [("block", f"event:{event.pk}", event.starts_at, event.ends_at)]


def test_each_session_of_a_series_holds_the_room(make_event, room, coordinator):
    from events import series
    from events.tests.conftest import local

    today = dt.date.today()
    wednesday = today + dt.timedelta(days=7 + (2 - today.weekday()) % 7)  # an open day
    event = make_event(space=room, starts_at=local(wednesday, 9), ends_at=local(wednesday, 11))
    services.save_event(event, by=coordinator)
    first = event.starts_at.date()
    made = series.create_series(
        event, frequency="weekly", until=first + dt.timedelta(days=28), by=coordinator
    )
    sessions = list(made.sessions.order_by("starts_at"))
    assert len(sessions) >= 2
    assert sorted(h[2] for h in holds(room)) == [s.starts_at for s in sessions]


def test_an_edit_read_before_the_event_was_cancelled_leaves_it_cancelled_and_the_room_free(
    make_event, room, coordinator
):
    """One coordinator saves the edit form of an event (read when the form was posted) just
    after another cancelled it: the event stays cancelled, its room is not held again, and
    nobody can register for it."""
    event = make_event(space=room)
    services.save_event(event, by=coordinator)
    booked = services.register(event, name="Tamu", phone="081300001111").registration
    form_instance = Event.objects.get(pk=event.pk)
    services.cancel_event(event, by=coordinator)
    form_instance.title = "Baca Bersama (diundur)"
    services.save_event(form_instance, by=coordinator)
    saved = Event.objects.get(pk=event.pk)
    assert saved.status == "cancelled" and saved.title == "Baca Bersama (diundur)"
    assert holds(room) == []
    booked.refresh_from_db()
    assert booked.state == "cancelled"
    from events.errors import EventCancelledError

    with pytest.raises(EventCancelledError):
        services.register(event, name="Tamu Lain", phone="081300002222")
