"""Events for the phone app: the calendar with filters, one event, and a member registering,
cancelling and seeing their registrations with the QR code for the door."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from events import services
from events.models import Event, Question, Speaker

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def local(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def make_event(branches):
    def factory(days=7, **extra):
        day = timezone.localdate() + dt.timedelta(days=days)
        values = {
            "title": "Baca Bersama",
            "kind": "book_discussion",
            "branch": branches[0],
            "place": "Ruang Diskusi",
            "starts_at": local(day, 9),
            "ends_at": local(day, 11),
            "status": "published",
            "capacity": 20,
        }
        return Event.objects.create(**{**values, **extra})

    return factory


@pytest.fixture
def reader(make_member, make_user):
    user = make_user("m00900", roles={"member"}, first_name="Rina")
    return make_member("Rina", number="M00900", user=user)


@pytest.fixture
def api(client, reader):
    response = client.post(
        "/api/auth/token",
        json.dumps({"username": "M00900", "password": "secret-pass-1"}),
        content_type="application/json",
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}", **EN}

    class Api:
        def get(self, path, **extra):
            return client.get("/api/events" + path, **{**auth, **extra})

        def post(self, path, body=None, **extra):
            return client.post(
                "/api/events" + path,
                json.dumps(body or {}),
                content_type="application/json",
                **{**auth, **extra},
            )

        def delete(self, path, **extra):
            return client.delete("/api/events" + path, **{**auth, **extra})

    return Api()


def test_calendar_filters_by_kind_audience_branch_and_days(client, make_event, branches):
    soon = make_event(days=2, title="Diskusi")
    make_event(days=3, title="Nonton", kind="screening", audience="teens")
    make_event(days=40, title="Festival", kind="festival", branch=branches[1])
    make_event(days=5, title="Konsep", status="draft")
    make_event(days=-3, title="Lalu")
    titles = lambda r: [e["title"] for e in r.json()["events"]]  # noqa: E731
    everything = client.get("/api/events", **EN)
    assert everything.status_code == 200
    assert titles(everything) == ["Diskusi", "Nonton", "Festival"]
    first = everything.json()["events"][0]
    assert first["id"] == soon.pk and first["seats_left"] == 20 and first["registration_open"]
    assert first["url"].endswith(f"/events/{soon.pk}/")
    assert titles(client.get("/api/events?kind=screening")) == ["Nonton"]
    assert titles(client.get("/api/events?audience=teens")) == ["Nonton"]
    assert titles(client.get("/api/events?branch=cabang")) == ["Festival"]
    today = timezone.localdate()
    window = {"from": today - dt.timedelta(days=4), "to": today + dt.timedelta(days=2)}
    assert titles(client.get("/api/events", window)) == ["Lalu", "Diskusi"]
    unknown = client.get("/api/events?branch=nope", **EN)
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_branch"
    assert client.get("/api/events?kind=nope").status_code == 422


def test_one_event_with_speakers_and_questions_but_no_online_link(client, make_event):
    event = make_event(kind="webinar", online_url="https://meet.example/abc")
    event.speakers.add(Speaker.objects.create(name="Dewi", bio="Penulis."))
    Question.objects.create(event=event, label="Sekolah", required=True)
    body = client.get(f"/api/events/{event.pk}").json()
    assert body["online"] is True and "meet.example" not in json.dumps(body)
    assert body["speakers"][0]["name"] == "Dewi"
    assert body["questions"][0]["label"] == "Sekolah" and body["questions"][0]["required"]
    draft = make_event(status="draft")
    missing = client.get(f"/api/events/{draft.pk}", **EN)
    assert missing.status_code == 404 and missing.json()["code"] == "event_not_found"


def test_member_registers_sees_the_qr_and_cancels_and_the_next_one_is_offered(
    api, make_event, make_member, client
):
    event = make_event(capacity=1, online_url="https://meet.example/abc")
    assert (
        client.post(f"/api/events/{event.pk}/registrations", "{}", "application/json").status_code
        == 401
    )
    made = api.post(f"/{event.pk}/registrations")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["created"] is True and body["registration"]["state"] == "confirmed"
    assert body["registration"]["qr_payload"].startswith("PUSTAKA-EV:")
    assert body["registration"]["qr_svg"].startswith("<svg")
    assert body["registration"]["online_url"] == "https://meet.example/abc"
    again = api.post(f"/{event.pk}/registrations")
    assert again.status_code == 200 and again.json()["created"] is False
    other = services.register(event, member=make_member("Joko", number="M00901")).registration
    assert other.state == "waitlisted"
    mine = api.get("/mine")
    assert mine.status_code == 200 and mine["Cache-Control"] == "private, no-store"
    assert [r["event"]["id"] for r in mine.json()] == [event.pk]
    registration_id = mine.json()[0]["id"]
    assert api.delete(f"/registrations/{other.pk}").status_code == 404  # not hers
    cancelled = api.delete(f"/registrations/{registration_id}")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["qr_payload"] is None
    other.refresh_from_db()
    assert other.state == "offered"
    assert api.delete(f"/registrations/{registration_id}").status_code == 200  # twice is once


def test_full_event_waitlists_and_refusals_have_codes(api, make_event, make_member):
    full = make_event(capacity=1)
    services.register(full, member=make_member("Joko", number="M00901"))
    waiting = api.post(f"/{full.pk}/registrations")
    assert waiting.status_code == 201
    assert waiting.json()["registration"]["state"] == "waitlisted"
    assert waiting.json()["registration"]["waitlist_position"] == 1
    assert "waiting list, number 1" in waiting.json()["message"]
    assert waiting.json()["registration"]["qr_svg"] is None
    past = make_event(days=-1)
    refused = api.post(f"/{past.pk}/registrations")
    assert refused.status_code == 409 and refused.json()["code"] == "registration_closed"
    assert refused.json()["message"] == "Registration for this event has closed."
    group = make_event(max_group_size=5)
    too_many = api.post(f"/{group.pk}/registrations", {"seats": 6})
    assert too_many.json()["code"] == "group_too_large"
    asked = make_event()
    question = Question.objects.create(event=asked, label="Sekolah", required=True)
    assert api.post(f"/{asked.pk}/registrations").json()["code"] == "answer_required"
    answered = api.post(f"/{asked.pk}/registrations", {"answers": {str(question.pk): "SMAN 1"}})
    assert answered.status_code == 201
    cancelled = make_event()
    cancelled.status = "cancelled"
    cancelled.save()
    assert api.post(f"/{cancelled.pk}/registrations").json()["code"] == "event_cancelled"


def test_staff_account_without_membership_is_told(client, make_user, make_event):
    make_user("staf", roles={"librarian"})
    token = client.post(
        "/api/auth/token",
        json.dumps({"username": "staf", "password": "secret-pass-1"}),
        content_type="application/json",
    ).json()["token"]
    response = client.get("/api/events/mine", HTTP_AUTHORIZATION=f"Bearer {token}", **EN)
    assert response.status_code == 403 and response.json()["code"] == "not_a_member"
