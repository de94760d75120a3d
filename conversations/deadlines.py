"""Deadlines of feedback in working days (Indonesian public-service practice): a first response
within 3 working days, a resolution target per category. Working days are the open days of the
main branch (its hours, closed days and public holidays, core/calendar.py)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

FIRST_RESPONSE_WORKING_DAYS = 3
RESOLUTION_WORKING_DAYS = {
    "service": 5,
    "staff": 5,
    "programme": 10,
    "collection": 14,
    "facility": 14,
}


def resolution_days(category: str) -> int:
    overrides = getattr(settings, "PUSTAKA_FEEDBACK_RESOLUTION_DAYS", {}) or {}
    return int(overrides.get(category, RESOLUTION_WORKING_DAYS.get(category, 14)))


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The day `count` working days after `start` (weekdays when no branch is set up)."""
    from core.calendar import NoOpenDayError, calendar_for
    from core.models import Branch

    branch = Branch.objects.filter(is_active=True).order_by("-is_main", "position").first()
    if branch is not None:
        try:
            return calendar_for(branch).add_open_days(start, count)
        except NoOpenDayError:
            pass
    day = start
    for _step in range(count):
        day += dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
    return day


def deadlines_for(category: str, submitted_on: dt.date) -> tuple[dt.date, dt.date]:
    """(first response due, resolution due)."""
    return (
        add_working_days(submitted_on, FIRST_RESPONSE_WORKING_DAYS),
        add_working_days(submitted_on, resolution_days(category)),
    )
