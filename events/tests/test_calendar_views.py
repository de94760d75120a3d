"""Point 8: the public calendar as a list, a month and a week, with the same filters and a
day; the whole-calendar feed linked from the home page and the calendar, each event in it
carrying its page's URL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.tests.conftest import local

pytestmark = pytest.mark.django_db

FEED_LINK = re.compile(r'<link rel="alternate" type="text/calendar"[^>]*href="/events/feed.ics"')


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def december(make_event, branches):
    day = dt.date(2026, 12, 1)  # a Tuesday
    return {
        "talk": make_event(title="Diskusi Buku", starts_at=local(day, 9), ends_at=local(day, 11)),
        "film": make_event(
            title="Nonton Film",
            kind="screening",
            audience="teens",
            starts_at=local(dt.date(2026, 12, 9), 15),
            ends_at=local(dt.date(2026, 12, 9), 17),
        ),
        "show": make_event(
            title="Pameran Seni",
            kind="exhibition",
            branch=branches[1],
            starts_at=local(dt.date(2026, 12, 7), 8),
            ends_at=local(dt.date(2026, 12, 12), 16),
        ),
        "draft": make_event(
            title="Konsep", status="draft", starts_at=local(day, 13), ends_at=local(day, 14)
        ),
        "january": make_event(
            title="Tahun Baru",
            starts_at=local(dt.date(2027, 1, 4), 9),
            ends_at=local(dt.date(2027, 1, 4), 10),
        ),
    }


def day_block(html: str, day: int) -> str:
    """The <li> of one day in the month view."""
    parts = re.split(r'<li class="day', html)
    for part in parts[1:]:
        if re.search(
            r'<h3 class="day-title">(?:<span[^>]*>[^<]*</span>)*'
            rf'<span class="weekday">[^<]*</span>{day}<',
            part,
        ):
            return part
    raise AssertionError(f"no day {day}")


def test_month_view_puts_each_event_on_its_days(en, december):
    response = en.get(reverse("events:month"), {"date": "2026-12-15"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "December 2026" in html
    assert "Diskusi Buku" in day_block(html, 1)
    assert "Nonton Film" in day_block(html, 9)
    for day in (7, 8, 12):  # the exhibition runs for six days
        assert "Pameran Seni" in day_block(html, day)
    assert "Pameran Seni" not in day_block(html, 13)
    assert "Konsep" not in html and "Tahun Baru" not in html
    assert "start-1" in html  # 1 December 2026 is a Tuesday: the grid starts one column in
    assert 'href="/events/month/?date=2026-11-01"' in html
    assert 'href="/events/month/?date=2027-01-01"' in html
    assert "3 events in this period." in html


def test_week_view_and_the_filters(en, december):
    week = en.get(reverse("events:week"), {"date": "2026-12-10"}).content.decode()
    assert "Week of 7 December 2026" in week
    assert "Nonton Film" in week and "Pameran Seni" in week and "Diskusi Buku" not in week
    assert 'href="/events/week/?date=2026-11-30"' in week
    teens = en.get(reverse("events:month"), {"date": "2026-12-01", "audience": "teens"})
    html = teens.content.decode()
    assert "Nonton Film" in html and "Diskusi Buku" not in html and "Pameran Seni" not in html
    branch = en.get(reverse("events:week"), {"date": "2026-12-10", "branch": "cabang"})
    assert "Pameran Seni" in branch.content.decode()
    assert "Nonton Film" not in branch.content.decode()
    # The filters follow to the other views and the feed (without the day).
    assert 'href="/events/feed.ics?branch=cabang"' in branch.content.decode()
    assert "/events/?date=2026-12-10&amp;branch=cabang" in branch.content.decode()


def test_list_filters_by_day_and_a_bad_day_is_ignored(en, december):
    html = en.get(reverse("events:list"), {"date": "2026-12-10"}).content.decode()
    assert "Pameran Seni" in html and "Tahun Baru" in html
    assert "Diskusi Buku" not in html and "Nonton Film" not in html
    bad = en.get(reverse("events:month"), {"date": "0001-01-01"})
    assert bad.status_code == 200
    assert en.get(reverse("events:week"), {"date": "soon"}).status_code == 200


def test_home_and_calendar_pages_link_the_feed_whose_events_carry_their_urls(
    client, en, event, library
):
    assert FEED_LINK.search(client.get("/").content.decode())
    for name in ("events:list", "events:month", "events:week"):
        assert FEED_LINK.search(client.get(reverse(name)).content.decode()), name
    feed = Calendar.from_ical(client.get(reverse("events:feed")).content)
    events = feed.walk("VEVENT")
    assert events
    for item in events:
        assert str(item["url"]).startswith("http://testserver/events/")
    assert str(events[0]["url"]) == f"http://testserver/events/{event.pk}/"


def test_today_is_marked_and_the_default_is_this_month(en, make_event):
    today = timezone.localdate()
    make_event(title="Hari Ini", starts_at=local(today, 23), ends_at=local(today, 23, 30))
    html = en.get(reverse("events:month")).content.decode()
    assert "Hari Ini" in html and "day today" in html
