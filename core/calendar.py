"""The branch calendar: is a branch open on a day, when, and what is the next open day.

Every later capability (due dates, hold pickup deadlines, room bookings, event series) asks this
module, never the models directly. A `BranchCalendar` is built once from the database
(`calendar_for`) and then answers from memory, so a loop over many days or many loans costs
no further queries.

A branch is closed on a day when any of these holds:
- the branch is inactive;
- it has no opening period on that weekday;
- a `ClosedDay` covers the day, for that branch or for every branch;
- the day is a national public holiday, or a cuti bersama day, and the library observes them
  (the `holidays` package, maintained upstream, gives both for Indonesia).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.memo import Memo
from core.models import Branch, ClosedDay, Library, OpeningPeriod

# How far ahead `next_open_day` looks before deciding the branch never opens.
SEARCH_HORIZON_DAYS = 366


class NoOpenDayError(Exception):
    code = "no_open_day"

    def __init__(self, branch: Branch, after: dt.date) -> None:
        self.branch = branch
        self.after = after
        super().__init__(
            _("%(branch)s has no open day within a year after %(date)s.")
            % {"branch": branch, "date": after.isoformat()}
        )


@dataclass(frozen=True)
class Period:
    opens_at: dt.time
    closes_at: dt.time


@dataclass(frozen=True)
class Day:
    date: dt.date
    periods: tuple[Period, ...]
    closure_reason: str = ""

    @property
    def is_open(self) -> bool:
        return bool(self.periods) and not self.closure_reason

    @property
    def opens_at(self) -> dt.time | None:
        return self.periods[0].opens_at if self.is_open else None

    @property
    def closes_at(self) -> dt.time | None:
        return self.periods[-1].closes_at if self.is_open else None


def _language_for_holidays() -> str:
    return "id" if (get_language() or "id").startswith("id") else "en_US"


@lru_cache(maxsize=64)
def national_holidays(year: int, *, joint: bool, language: str = "id") -> dict[dt.date, str]:
    """Indonesian public holidays of a year (and cuti bersama when `joint`), with their names."""
    categories = ("public", "government") if joint else ("public",)
    found = holidays.country_holidays("ID", years=year, categories=categories, language=language)
    return dict(found.items())


class BranchCalendar:
    def __init__(
        self,
        branch: Branch,
        *,
        periods: list[OpeningPeriod],
        closures: list[ClosedDay],
        observe_public_holidays: bool,
        observe_joint_holidays: bool,
    ) -> None:
        self.branch = branch
        self._weekly: dict[int, tuple[Period, ...]] = {}
        for weekday in range(7):
            self._weekly[weekday] = tuple(
                Period(p.opens_at, p.closes_at)
                for p in sorted(periods, key=lambda p: p.opens_at)
                if p.weekday == weekday
            )
        self._closures = sorted(closures, key=lambda c: c.start_date)
        self._observe_public = observe_public_holidays
        self._observe_joint = observe_joint_holidays

    def _holiday_name(self, day: dt.date) -> str:
        if not self._observe_public:
            return ""
        names = national_holidays(
            day.year, joint=self._observe_joint, language=_language_for_holidays()
        )
        return names.get(day, "")

    def closure_reason(self, day: dt.date) -> str:
        """Why the branch is closed on a day it would normally open; empty when it is not."""
        if not self.branch.is_active:
            return _("This branch is not in service.")
        for closure in self._closures:
            if closure.start_date <= day <= closure.end_date:
                return closure.reason
        return self._holiday_name(day)

    def day(self, day: dt.date) -> Day:
        periods = self._weekly[day.weekday()]
        if not periods:
            return Day(day, ())
        return Day(day, periods, self.closure_reason(day))

    def is_open(self, day: dt.date) -> bool:
        return self.day(day).is_open

    def is_open_at(self, moment: dt.datetime) -> bool:
        """Whether the branch is open at an aware moment, in the library's own time zone."""
        local = timezone.localtime(moment)
        today = self.day(local.date())
        return today.is_open and any(
            p.opens_at <= local.time() < p.closes_at for p in today.periods
        )

    def next_open_day(self, after: dt.date, *, include_start: bool = False) -> dt.date:
        """The first open day after `after` (or on it, with `include_start`)."""
        day = after if include_start else after + dt.timedelta(days=1)
        for _step in range(SEARCH_HORIZON_DAYS):
            if self.is_open(day):
                return day
            day += dt.timedelta(days=1)
        raise NoOpenDayError(self.branch, after)

    def open_on_or_after(self, day: dt.date) -> dt.date:
        """`day` itself when open, else the next open day: where a due date lands."""
        return self.next_open_day(day, include_start=True)

    def add_open_days(self, start: dt.date, count: int) -> dt.date:
        """The day `count` open days after `start` (count >= 1)."""
        day = start
        for _step in range(count):
            day = self.next_open_day(day)
        return day

    def days(self, start: dt.date, end: dt.date) -> Iterator[Day]:
        """Each day from `start` to `end` inclusive."""
        day = start
        while day <= end:
            yield self.day(day)
            day += dt.timedelta(days=1)

    def open_days_between(self, start: dt.date, end: dt.date) -> int:
        """Open days after `start` up to and including `end` (used for fines per open day)."""
        if end <= start:
            return 0
        return sum(1 for d in self.days(start + dt.timedelta(days=1), end) if d.is_open)


#: Branch calendars kept between requests (`forget_calendars` when hours, closures, a branch
#: or the library's holiday settings change; see core/memo.py).
_calendars: Memo[BranchCalendar] = Memo("calendars")


def forget_calendars() -> None:
    _calendars.forget()


def calendar_for(branch: Branch, *, library: Library | None = None) -> BranchCalendar:
    """A branch's calendar: kept in memory between requests, built with two queries (periods,
    closures) when the hours, closures or holiday settings have changed."""
    if library is None:
        return _calendars.get(branch.pk, lambda: _build_calendar(branch, None))
    return _build_calendar(branch, library)


def _build_calendar(branch: Branch, library: Library | None) -> BranchCalendar:
    from core.selectors import get_library

    library = library or get_library()
    periods = list(OpeningPeriod.objects.filter(branch=branch))
    closures = list(
        ClosedDay.objects.filter(branch__isnull=True) | ClosedDay.objects.filter(branch=branch)
    )
    return BranchCalendar(
        branch,
        periods=periods,
        closures=closures,
        observe_public_holidays=library.observe_public_holidays,
        observe_joint_holidays=library.observe_joint_holidays,
    )


def is_open(branch: Branch, day: dt.date) -> bool:
    """Is this branch open on day D?"""
    return calendar_for(branch).is_open(day)


def next_open_day(branch: Branch, after: dt.date, *, include_start: bool = False) -> dt.date:
    """The next open day of this branch after D (or on D with `include_start`)."""
    return calendar_for(branch).next_open_day(after, include_start=include_start)
