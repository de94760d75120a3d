"""Point 1: events, the coordinator's screens and the public calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from events.models import Event, Partner, Speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def form_data(branch, **extra):
    day = timezone.localdate() + dt.timedelta(days=10)
    data = {
        "title": "Lokakarya Menulis Cerpen",
        "kind": "workshop",
        "description": "Menulis cerita pendek bersama penulis Samarinda.",
        "starts_at": f"{day:%Y-%m-%d}T13:00",
        "ends_at": f"{day:%Y-%m-%d}T16:00",
        "branch": branch.pk,
        "place": "Aula lantai 2",
        "audience": "teens",
        "age_min": "13",
        "age_max": "18",
        "language": "id",
        "capacity": "25",
        "registration_required": "on",
        "max_group_size": "1",
        "cost": "0",
        "accessibility": "Lift dan kursi roda tersedia.",
        "tags": "menulis, remaja",
        "questions": "Sekolah asal *\nPengalaman menulis",
    }
    data.update(extra)
    return data


def test_coordinator_creates_a_draft_then_publishes_it(en, coordinator, branches):
    speaker = Speaker.objects.create(name="Dewi Lestari", bio="Penulis.")
    partner = Partner.objects.create(name="Komunitas Penulis Mahakam")
    en.force_login(coordinator)
    response = en.post(
        reverse("events:staff-create"),
        form_data(branches[0], speakers=[speaker.pk], partners=[partner.pk]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get()
    assert event.status == "draft"
    assert list(event.speakers.all()) == [speaker] and list(event.partners.all()) == [partner]
    assert [(q.label, q.required) for q in event.questions.all()] == [
        ("Sekolah asal", True),
        ("Pengalaman menulis", False),
    ]
    # A draft is not public.
    assert en.get(reverse("events:detail", args=[event.pk])).status_code == 404
    en.post(reverse("events:staff-publish", args=[event.pk]))
    event.refresh_from_db()
    assert event.status == "published"
    page = en.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "Dewi Lestari" in page and "Komunitas Penulis Mahakam" in page
    assert "Lift dan kursi roda" in page
    assert AuditEntry.objects.filter(action="event.publish").exists()


def test_the_form_refuses_an_end_before_the_start(en, coordinator, branches):
    en.force_login(coordinator)
    day = timezone.localdate() + dt.timedelta(days=10)
    response = en.post(
        reverse("events:staff-create"),
        form_data(branches[0], ends_at=f"{day:%Y-%m-%d}T08:00"),
    )
    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()
    assert not Event.objects.exists()


def test_a_librarian_cannot_create_events_and_a_member_cannot_see_the_staff_list(
    client, librarian, make_user, branches
):
    client.force_login(librarian)
    assert client.get(reverse("events:staff-create")).status_code == 403
    assert client.get(reverse("events:staff-list")).status_code == 200  # the door needs it
    client.force_login(make_user("biasa", roles={"member"}))
    assert client.get(reverse("events:staff-list")).status_code == 403


def test_cancelling_an_event_cancels_its_registrations(en, coordinator, event):
    from events import services

    made = services.register(event, name="Tamu", phone="0812")
    en.force_login(coordinator)
    en.post(reverse("events:staff-cancel", args=[event.pk]))
    event.refresh_from_db()
    made.registration.refresh_from_db()
    assert event.status == "cancelled" and made.registration.state == "cancelled"
    assert (
        "has been cancelled" in en.get(reverse("events:detail", args=[event.pk])).content.decode()
    )


def test_public_list_shows_upcoming_published_events_and_filters(en, make_event, branches):
    make_event(title="Diskusi Buku")
    make_event(title="Nonton Film", kind="screening", branch=branches[1], audience="adults")
    make_event(title="Rencana", status="draft")
    past_day = timezone.localdate() - dt.timedelta(days=3)
    make_event(
        title="Sudah Lewat",
        starts_at=timezone.make_aware(dt.datetime.combine(past_day, dt.time(9))),
        ends_at=timezone.make_aware(dt.datetime.combine(past_day, dt.time(10))),
    )
    page = en.get(reverse("events:list")).content.decode()
    assert "Diskusi Buku" in page and "Nonton Film" in page
    assert "Rencana" not in page and "Sudah Lewat" not in page
    page = en.get(reverse("events:list"), {"kind": "screening"}).content.decode()
    assert "Nonton Film" in page and "Diskusi Buku" not in page
    page = en.get(reverse("events:list"), {"branch": "pusat"}).content.decode()
    assert "Diskusi Buku" in page and "Nonton Film" not in page
    page = en.get(reverse("events:list"), {"audience": "adults"}).content.decode()
    assert "Nonton Film" in page and "Diskusi Buku" not in page
    assert 'type="text/calendar"' in page


def test_list_view_query_count_does_not_grow_with_events(
    client, make_event, django_assert_max_num_queries
):
    for n in range(15):
        make_event(title=f"Acara {n}")
    with django_assert_max_num_queries(8):
        client.get(reverse("events:list"))


def test_the_online_link_is_shown_only_to_registrants(en, make_event):
    from events import services
    from events.views import registration_url

    webinar = make_event(kind="webinar", online_url="https://meet.example.org/rahasia")
    assert (
        "meet.example.org/rahasia"
        not in en.get(reverse("events:detail", args=[webinar.pk])).content.decode()
    )
    made = services.register(webinar, name="Tamu", email="t@example.org")
    assert (
        "meet.example.org/rahasia" in en.get(registration_url(made.registration)).content.decode()
    )


def test_coordinator_edits_an_event(en, coordinator, event, branches):
    en.force_login(coordinator)
    response = en.post(
        reverse("events:staff-edit", args=[event.pk]), form_data(branches[0], title="Baru")
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Baru"
    assert AuditEntry.objects.filter(action="event.update").exists()


def test_the_event_page_carries_json_ld_and_open_graph(en, make_event):
    import json
    import re

    from events.models import Speaker

    event = make_event(title="Nonton <Film> & Diskusi", cost=10000)
    event.speakers.add(Speaker.objects.create(name="Reza"))
    page = en.get(reverse("events:detail", args=[event.pk])).content.decode()
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(block)
    assert data["@type"] == "Event" and data["name"] == "Nonton <Film> & Diskusi"
    assert data["offers"]["price"] == 10000 and data["performer"][0]["name"] == "Reza"
    assert data["url"] == f"http://testserver/events/{event.pk}/"
    assert "<Film>" not in block  # escaped inside the script element
    assert 'property="og:title" content="Nonton &lt;Film&gt; &amp; Diskusi"' in page


def test_coordinator_adds_new_speakers_and_partners_from_the_form(en, coordinator, branches):
    en.force_login(coordinator)
    data = form_data(
        branches[0],
        new_speakers="Aji Prasetyo | Komunitas Penulis Mahakam | Penulis cerpen.\nLina",
        new_partners="Sinema Borneo\n\nSMKN 5 Samarinda",
    )
    assert en.post(reverse("events:staff-create"), data).status_code == 302
    event = Event.objects.get()
    aji = event.speakers.get(name="Aji Prasetyo")
    assert (aji.organisation, aji.bio) == ("Komunitas Penulis Mahakam", "Penulis cerpen.")
    assert sorted(s.name for s in event.speakers.all()) == ["Aji Prasetyo", "Lina"]
    assert sorted(p.name for p in event.partners.all()) == ["SMKN 5 Samarinda", "Sinema Borneo"]
    page = en.get(reverse("events:staff-edit", args=[event.pk])).content.decode()
    assert "<legend>Speakers and facilitators</legend>" in page
