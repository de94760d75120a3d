"""Point 9: the coordinator's dashboard per event and for a period, and the attendee list as
CSV and XLSX showing only what the role may see (audited)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.models import AuditEntry
from events import selectors, services
from events.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def past_and_coming(make_event, make_member, librarian):
    """A workshop held last week (10 seats: 3 came, 1 did not, 1 walk-in) and one next week
    that is full with one waiting."""
    now = timezone.now()
    held = make_event(
        title="Lokakarya",
        capacity=10,
        starts_at=now + dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=2),
        max_group_size=5,
    )
    question = Question.objects.create(event=held, label="Sekolah")
    came = services.register(
        held, member=make_member("Rina"), seats=2, answers={str(question.pk): "=SUM(A1)"}
    ).registration
    other = services.register(held, name="Joko", phone="0812").registration
    services.register(held, member=make_member("Tono"))  # will not come
    at = now + dt.timedelta(minutes=10)
    services.check_in(came, by=librarian, at=at)
    services.check_in(other, by=librarian, at=at)
    services.record_walk_in(held, by=librarian, name="Pak Budi", at=at)
    held.starts_at, held.ends_at = now - dt.timedelta(days=7), now - dt.timedelta(days=7, hours=-2)
    held.save()
    coming = make_event(title="Diskusi", capacity=1)
    services.register(coming, member=make_member("Ani"))
    services.register(coming, member=make_member("Budi"))
    return held, coming


def test_period_summary_counts_people_and_rates(past_and_coming):
    held, coming = past_and_coming
    today = timezone.localdate()
    summary = selectors.period_summary(today - dt.timedelta(days=10), today + dt.timedelta(days=10))
    rows = {row.event.title: row for row in summary.rows}
    assert rows["Lokakarya"].counts.attended == 4  # 2 + 1 + the walk-in
    assert rows["Lokakarya"].counts.no_shows == 1
    assert rows["Lokakarya"].counts.attendance_rate == 75  # 3 of 4 registered people came
    assert rows["Lokakarya"].capacity_use == 40
    assert rows["Diskusi"].capacity_use == 100 and rows["Diskusi"].counts.waitlisted == 1
    assert summary.registrations == 4 + 2
    assert summary.attended == 4 and summary.no_shows == 1 and summary.waitlisted == 1
    assert summary.attendance_rate == 75 and summary.capacity_use == 40
    later = selectors.period_summary(today + dt.timedelta(days=1), today + dt.timedelta(days=30))
    assert [row.event.title for row in later.rows] == ["Diskusi"]


def test_dashboard_page_for_staff_only(en, past_and_coming, coordinator, make_user):
    en.force_login(make_user("kat", roles={"cataloguer"}))
    assert en.get(reverse("events:staff-dashboard")).status_code == 403
    en.force_login(coordinator)
    today = timezone.localdate()
    response = en.get(
        reverse("events:staff-dashboard"),
        {
            "start": (today - dt.timedelta(days=10)).isoformat(),
            "end": (today + dt.timedelta(days=10)).isoformat(),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lokakarya" in html and "Diskusi" in html and "75%" in html and "40%" in html
    bad = en.get(reverse("events:staff-dashboard"), {"start": "2026-12-10", "end": "2026-12-01"})
    assert "The period must end on or after its first day." in bad.content.decode()


def test_attendee_list_csv_and_xlsx_show_contacts_only_to_the_coordinator(
    en, past_and_coming, coordinator, librarian
):
    held = past_and_coming[0]
    en.force_login(coordinator)
    response = en.get(reverse("events:staff-attendees", args=[held.pk, "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Group", "People"]
    assert "Telephone" in rows[0] and "Sekolah" in rows[0]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Rina", "Joko", "Tono", "Pak Budi"}
    assert by_name["Joko"][rows[0].index("Telephone")] == "0812"
    assert by_name["Rina"][rows[0].index("Sekolah")] == "'=SUM(A1)"  # never a formula
    assert by_name["Rina"][2] == "2" and by_name["Rina"][3] == "Attended"

    xlsx = en.get(reverse("events:staff-attendees", args=[held.pk, "xlsx"]))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Name" and len(values) == 5 and "Telephone" in values[0]

    en.force_login(librarian)  # at the door: names and states, no contacts or answers
    rows = list(
        csv.reader(
            io.StringIO(
                en.get(reverse("events:staff-attendees", args=[held.pk, "csv"])).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert "Telephone" not in rows[0] and "Sekolah" not in rows[0] and len(rows) == 5
    assert "0812" not in str(rows)
    entries = AuditEntry.objects.filter(action="event.attendees_export")
    assert entries.count() == 3
    assert en.get(reverse("events:staff-attendees", args=[held.pk, "pdf"])).status_code == 404


def test_event_page_shows_capacity_use_and_export_links(en, past_and_coming, coordinator):
    held = past_and_coming[0]
    en.force_login(coordinator)
    html = en.get(reverse("events:staff-event", args=[held.pk])).content.decode()
    assert "capacity use" in html and "40%" in html
    assert reverse("events:staff-attendees", args=[held.pk, "xlsx"]) in html
