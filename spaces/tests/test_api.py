"""The spaces API: rooms and availability for anyone, booking and my bookings with a token;
refusals answer 409 with the rule's code and a message in the app's language."""

from __future__ import annotations

import json

import pytest

from spaces import services
from spaces.models import Booking
from spaces.tests.conftest import local

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def token(client, member):
    response = client.post(
        "/api/auth/token",
        json.dumps({"username": "rina", "password": "secret-pass-1"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}", **EN}


def post(client, path, body, headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_rooms_and_their_availability_for_anyone(client, now, room, make_member):
    services.book(room, make_member(), start=local(24, 10), end=local(24, 11))
    rooms = client.get("/api/spaces", **EN).json()
    assert [r["name"] for r in rooms] == [room.name]
    assert rooms[0]["features"] == ["Projector", "Wi-Fi"]
    days = client.get(f"/api/spaces/{room.pk}/availability?date=2026-11-24&days=2", **EN).json()
    assert [d["date"] for d in days] == ["2026-11-24", "2026-11-25"]
    statuses = [s["status"] for s in days[0]["slots"]]
    assert statuses.count("taken") == 2 and statuses.count("free") == 14
    assert client.get("/api/spaces/999999/availability", **EN).status_code == 404


def test_a_member_books_sees_and_cancels_through_the_api(client, now, room, projector, token):
    created = post(
        client,
        f"/api/spaces/{room.pk}/bookings",
        {
            "start": "2026-11-24T10:00:00+08:00",
            "end": "2026-11-24T11:00:00+08:00",
            "purpose": "study",
            "people": 3,
            "equipment": [projector.pk],
        },
        token,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "confirmed" and body["equipment"] == [projector.name]
    mine = client.get("/api/spaces/my-bookings", **token).json()
    assert [b["code"] for b in mine] == [body["code"]]
    again = post(
        client,
        f"/api/spaces/{room.pk}/bookings",
        {"start": "2026-11-24T10:30:00+08:00", "end": "2026-11-24T11:30:00+08:00"},
        token,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_booked"
    cancelled = client.post(f"/api/spaces/my-bookings/{body['code']}/cancel", **token)
    assert cancelled.json()["state"] == "cancelled"
    assert Booking.objects.get(space=room).state == "cancelled"


def test_refusals_name_the_rule(client, now, room, token):
    response = post(
        client,
        f"/api/spaces/{room.pk}/bookings",
        {"start": "2026-11-24T15:30:00+08:00", "end": "2026-11-24T16:30:00+08:00"},
        token,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "outside_opening_hours"
    assert "08.00–16.00" in response.json()["message"]


def test_booking_needs_a_token(client, now, room):
    response = client.post(
        f"/api/spaces/{room.pk}/bookings",
        json.dumps({"start": "2026-11-24T10:00:00+08:00", "end": "2026-11-24T11:00:00+08:00"}),
        content_type="application/json",
    )
    assert response.status_code == 401
