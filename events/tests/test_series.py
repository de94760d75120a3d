"""Point 3: series generate their sessions on open days; edit one or all; register for one
or the whole series."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import ClosedDay
from events import errors, series, services
from events.models import Event, Question, Speaker
from events.series import session_dates

from .conftest import local

pytestmark = pytest.mark.django_db


def next_weekday(weekday: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=7)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def test_weekly_and_monthly_dates():
    start = dt.date(2026, 12, 5)  # the first Saturday of December
    assert session_dates(start, frequency="weekly", interval=1, until=dt.date(2026, 12, 26)) == [
        dt.date(2026, 12, 5),
        dt.date(2026, 12, 12),
        dt.date(2026, 12, 19),
        dt.date(2026, 12, 26),
    ]
    assert session_dates(start, frequency="weekly", interval=2, until=dt.date(2026, 12, 31)) == [
        dt.date(2026, 12, 5),
        dt.date(2026, 12, 19),
    ]
    # Monthly: the first Saturday of each month.
    assert session_dates(start, frequency="monthly", interval=1, until=dt.date(2027, 3, 31)) == [
        dt.date(2026, 12, 5),
        dt.date(2027, 1, 2),
        dt.date(2027, 2, 6),
        dt.date(2027, 3, 6),
    ]
    # A fifth weekday becomes the last one of the month.
    assert session_dates(
        dt.date(2026, 12, 29), frequency="monthly", interval=1, until=dt.date(2027, 2, 28)
    ) == [dt.date(2026, 12, 29), dt.date(2027, 1, 26), dt.date(2027, 2, 23)]


@pytest.fixture
def saturday_event(make_event, library, branches):
    library.observe_public_holidays = False
    library.save()
    day = next_weekday(5)  # the main branch opens on Saturdays (09.00-13.00)
    event = make_event(starts_at=local(day, 9), ends_at=local(day, 11), capacity=2)
    event.speakers.add(Speaker.objects.create(name="Kak Ani"))
    Question.objects.create(event=event, label="Umur", required=True)
    return event


def test_a_weekly_series_skips_closed_days(saturday_event, coordinator, branches):
    first = timezone.localtime(saturday_event.starts_at).date()
    ClosedDay.objects.create(
        branch=branches[0],
        start_date=first + dt.timedelta(weeks=2),
        end_date=first + dt.timedelta(weeks=2),
        reason="Renovasi",
    )
    made = series.create_series(
        saturday_event,
        frequency="weekly",
        until=first + dt.timedelta(weeks=4),
        by=coordinator,
    )
    sessions = list(made.sessions.order_by("starts_at"))
    days = [timezone.localtime(s.starts_at).date() for s in sessions]
    assert days == [first + dt.timedelta(weeks=w) for w in (0, 1, 3, 4)]
    assert all(timezone.localtime(s.starts_at).hour == 9 for s in sessions)
    assert all(s.ends_at - s.starts_at == dt.timedelta(hours=2) for s in sessions)
    last = sessions[-1]
    assert [sp.name for sp in last.speakers.all()] == ["Kak Ani"]
    assert [q.label for q in last.questions.all()] == ["Umur"]


def test_a_series_on_a_day_the_branch_never_opens_keeps_only_open_days(
    make_event, coordinator, branches
):
    day = next_weekday(5)
    event = make_event(branch=branches[1], starts_at=local(day, 9), ends_at=local(day, 10))
    made = series.create_series(
        event, frequency="weekly", until=day + dt.timedelta(weeks=3), by=coordinator
    )
    assert made.sessions.count() == 1  # the cabang branch is closed on Saturdays


def test_bad_series_rules_are_refused(saturday_event, coordinator):
    first = timezone.localtime(saturday_event.starts_at).date()
    with pytest.raises(errors.SeriesRuleError):
        series.create_series(saturday_event, frequency="weekly", until=first, by=coordinator)
    with pytest.raises(errors.SeriesRuleError):
        series.create_series(
            saturday_event,
            frequency="weekly",
            until=first + dt.timedelta(days=800),
            by=coordinator,
        )
    assert Event.objects.count() == 1


def test_editing_one_session_or_all_later_sessions(en_client, saturday_event, coordinator):
    first = timezone.localtime(saturday_event.starts_at).date()
    made = series.create_series(
        saturday_event, frequency="weekly", until=first + dt.timedelta(weeks=3), by=coordinator
    )
    sessions = list(made.sessions.order_by("starts_at"))
    en_client.force_login(coordinator)
    second = sessions[1]

    def post(event, scope, **changes):
        data = {
            "title": event.title,
            "kind": event.kind,
            "description": event.description,
            "starts_at": timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "branch": event.branch_id,
            "place": event.place,
            "audience": event.audience,
            "language": event.language,
            "capacity": event.capacity,
            "registration_required": "on",
            "max_group_size": 1,
            "cost": 0,
            "questions": "Umur *",
            "speakers": [sp.pk for sp in event.speakers.all()],
            "scope": scope,
            **changes,
        }
        response = en_client.post(reverse("events:staff-edit", args=[event.pk]), data)
        assert response.status_code == 302, response.content.decode()[:3000]

    post(second, "one", place="Taman Baca")
    assert [Event.objects.get(pk=s.pk).place for s in sessions] == [
        "Ruang Diskusi",
        "Taman Baca",
        "Ruang Diskusi",
        "Ruang Diskusi",
    ]
    day = timezone.localtime(second.starts_at).date()
    post(
        second,
        "all",
        new_speakers="Kak Budi | Relawan",
        title="Baca Bersama Anak",
        starts_at=f"{day:%Y-%m-%d}T10:00",
        ends_at=f"{day:%Y-%m-%d}T12:00",
    )
    after = [Event.objects.get(pk=s.pk) for s in sessions]
    assert [e.title for e in after] == ["Baca Bersama"] + ["Baca Bersama Anak"] * 3
    assert [timezone.localtime(e.starts_at).hour for e in after] == [9, 10, 10, 10]
    assert [sorted(s.name for s in e.speakers.all()) for e in after] == [["Kak Ani"]] + [
        ["Kak Ani", "Kak Budi"]
    ] * 3
    # Each session keeps its own date.
    assert [timezone.localtime(e.starts_at).date() for e in after] == [
        first + dt.timedelta(weeks=w) for w in range(4)
    ]


@pytest.fixture
def en_client(client):
    client.cookies["django_language"] = "en"
    return client


def test_registering_for_the_whole_series(saturday_event, coordinator, member):
    first = timezone.localtime(saturday_event.starts_at).date()
    made = series.create_series(
        saturday_event, frequency="weekly", until=first + dt.timedelta(weeks=2), by=coordinator
    )
    sessions = list(made.sessions.order_by("starts_at"))
    # The last session is already full.
    for n in range(2):
        services.register(
            sessions[-1],
            name=f"T{n}",
            phone=f"08{n}",
            answers={str(sessions[-1].questions.get().pk): "9"},
        )
    with pytest.raises(errors.AnswerRequiredError):
        series.register_series(made, member=member)
    for session in sessions:
        session.questions.all().delete()
    result = series.register_series(made, member=member)
    assert len(result.registrations) == 3 and result.waitlisted == 1
    assert len({r.series_booking for r in result.registrations}) == 1


def test_a_member_registers_for_the_series_from_the_page(
    en_client, saturday_event, coordinator, member, make_user
):
    Question.objects.all().delete()
    first = timezone.localtime(saturday_event.starts_at).date()
    made = series.create_series(
        saturday_event, frequency="weekly", until=first + dt.timedelta(weeks=1), by=coordinator
    )
    user = make_user("rina", roles={"member"})
    member.user = user
    member.save()
    en_client.force_login(user)
    page = en_client.get(reverse("events:detail", args=[saturday_event.pk])).content.decode()
    assert "Register for every session of this series" in page
    response = en_client.post(reverse("events:series-register", args=[made.pk]))
    assert response.status_code == 302
    assert member.event_registrations.count() == 2
