"""The branch calendar: open days, closed days, holidays, and the next open day."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from core.calendar import NoOpenDayError, calendar_for, is_open, next_open_day
from core.models import Branch, ClosedDay, ClosureKind, Library, OpeningPeriod
from core.selectors import branch_calendars

MAKASSAR = zoneinfo.ZoneInfo("Asia/Makassar")
pytestmark = pytest.mark.django_db


@pytest.fixture
def main(library):
    return Branch.objects.get(code="pusat")


@pytest.fixture
def other(library):
    return Branch.objects.get(code="cabang")


def test_branch_is_open_on_a_weekday_with_hours(main):
    assert is_open(main, dt.date(2026, 11, 23))  # Monday


def test_branch_is_closed_on_a_weekday_without_hours(main, other):
    sunday = dt.date(2026, 11, 22)
    assert not is_open(main, sunday)
    saturday = dt.date(2026, 11, 21)
    assert is_open(main, saturday)
    assert not is_open(other, saturday)


def test_independence_day_is_closed_with_its_name(main):
    with translation.override("id"):
        calendar = calendar_for(main)
        day = calendar.day(dt.date(2026, 8, 17))  # a Monday
    assert not day.is_open
    assert "Kemerdekaan" in day.closure_reason


def test_cuti_bersama_closes_only_when_the_library_observes_it(main):
    joint_day = dt.date(2026, 3, 20)  # Friday, cuti bersama around Idul Fitri
    assert not is_open(main, joint_day)
    library = Library.objects.get(pk=1)
    library.observe_joint_holidays = False
    library.save()
    assert is_open(main, joint_day)


def test_library_that_opens_on_holidays_is_open_on_them(main):
    library = Library.objects.get(pk=1)
    library.observe_public_holidays = False
    library.save()
    assert is_open(main, dt.date(2026, 8, 17))


def test_closed_day_for_every_branch_closes_both(main, other):
    ClosedDay.objects.create(
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2026, 12, 2),
        kind=ClosureKind.LOCAL_CLOSURE,
        reason="Pelatihan staf",
    )
    for branch in (main, other):
        assert not is_open(branch, dt.date(2026, 12, 1))
        assert not is_open(branch, dt.date(2026, 12, 2))
        assert is_open(branch, dt.date(2026, 12, 3))
    assert calendar_for(main).day(dt.date(2026, 12, 1)).closure_reason == "Pelatihan staf"


def test_closed_day_for_one_branch_leaves_the_other_open(main, other):
    ClosedDay.objects.create(
        branch=other,
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2026, 12, 1),
        reason="Stock opname",
    )
    assert is_open(main, dt.date(2026, 12, 1))
    assert not is_open(other, dt.date(2026, 12, 1))


def test_next_open_day_skips_weekend_and_holiday(other):
    # Friday 14 Aug 2026 -> Sat, Sun closed (no hours), Mon 17 Aug Independence Day -> Tue 18.
    assert next_open_day(other, dt.date(2026, 8, 14)) == dt.date(2026, 8, 18)


def test_next_open_day_can_include_the_start(main):
    monday = dt.date(2026, 11, 23)
    assert next_open_day(main, monday, include_start=True) == monday
    assert next_open_day(main, monday) == dt.date(2026, 11, 24)


def test_due_date_on_a_closed_day_moves_to_the_next_open_day(main):
    calendar = calendar_for(main)
    assert calendar.open_on_or_after(dt.date(2026, 11, 22)) == dt.date(2026, 11, 23)


def test_branch_without_any_hours_has_no_next_open_day(library):
    empty = Branch.objects.create(code="kosong", name="Kosong")
    with pytest.raises(NoOpenDayError):
        next_open_day(empty, dt.date(2026, 1, 1))


def test_inactive_branch_is_closed(main):
    main.is_active = False
    main.save()
    assert not is_open(main, dt.date(2026, 11, 23))


def test_open_at_respects_hours_and_the_library_time_zone(main, settings):
    calendar = calendar_for(main)
    # 07:59 and 16:00 WITA are outside 08-16; 08:00 is inside.
    assert not calendar.is_open_at(dt.datetime(2026, 11, 23, 7, 59, tzinfo=MAKASSAR))
    assert calendar.is_open_at(dt.datetime(2026, 11, 23, 8, 0, tzinfo=MAKASSAR))
    assert not calendar.is_open_at(dt.datetime(2026, 11, 23, 16, 0, tzinfo=MAKASSAR))


def test_lunch_break_splits_a_day(main):
    OpeningPeriod.objects.filter(branch=main, weekday=4).delete()
    OpeningPeriod.objects.create(
        branch=main, weekday=4, opens_at=dt.time(8), closes_at=dt.time(11, 30)
    )
    OpeningPeriod.objects.create(
        branch=main, weekday=4, opens_at=dt.time(13, 30), closes_at=dt.time(16)
    )
    calendar = calendar_for(main)
    friday = dt.date(2026, 11, 27)
    day = calendar.day(friday)
    assert (day.opens_at, day.closes_at) == (dt.time(8), dt.time(16))
    assert not calendar.is_open_at(dt.datetime(2026, 11, 27, 12, 0, tzinfo=MAKASSAR))
    assert calendar.is_open_at(dt.datetime(2026, 11, 27, 14, 0, tzinfo=MAKASSAR))


def test_add_open_days_and_count_open_days(other):
    calendar = calendar_for(other)
    # Thursday 13 Aug + 3 open days: Fri 14, Tue 18, Wed 19.
    assert calendar.add_open_days(dt.date(2026, 8, 13), 3) == dt.date(2026, 8, 19)
    assert calendar.open_days_between(dt.date(2026, 8, 13), dt.date(2026, 8, 19)) == 3
    assert calendar.open_days_between(dt.date(2026, 8, 19), dt.date(2026, 8, 13)) == 0


def test_calendars_of_all_branches_cost_a_fixed_number_of_queries(
    library, django_assert_num_queries
):
    for code in ("b3", "b4", "b5"):
        Branch.objects.create(code=code, name=code)
    ClosedDay.objects.create(
        start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 1), reason="x"
    )
    with django_assert_num_queries(4):  # library, branches, periods, closures
        calendars = branch_calendars()
        days = [c.day(dt.date(2026, 12, 1)) for c in calendars]
    assert len(days) == 5
    assert not any(d.is_open for d in days)
