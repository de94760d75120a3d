"""Periods of a periodic survey (quarter, semester, year): pure date arithmetic, so the
results can be compared period by period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from surveys.states import Repeat


@dataclass(frozen=True)
class Period:
    label: str
    since: dt.date
    until: dt.date


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_of(day: dt.date, repeats: str) -> Period:
    """The period of `repeats` containing `day` (a semester when the survey does not repeat)."""
    year = day.year
    if repeats == Repeat.YEAR:
        return Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))
    if repeats == Repeat.QUARTER:
        quarter = (day.month - 1) // 3 + 1
        since = dt.date(year, 3 * quarter - 2, 1)
        until = _month_end(year, 3 * quarter)
        label = _("%(year)d, quarter %(number)s") % {"year": year, "number": ROMAN[quarter]}
        return Period(label, since, until)
    half = 1 if day.month <= 6 else 2
    since = dt.date(year, 1 if half == 1 else 7, 1)
    until = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
    label = (
        _("%(year)d, semester I") % {"year": year}
        if half == 1
        else _("%(year)d, semester II") % {"year": year}
    )
    return Period(label, since, until)


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def recent_periods(repeats: str, *, today: dt.date, count: int = 4) -> list[Period]:
    """The `count` periods up to and including today's, oldest first."""
    out = [period_of(today, repeats)]
    while len(out) < count:
        out.append(period_of(out[-1].since - dt.timedelta(days=1), repeats))
    return list(reversed(out))
