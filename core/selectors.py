"""Reads of the library profile, branches, their calendars and the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.calendar import BranchCalendar, Day, NoOpenDayError
from core.memo import Memo
from core.models import AuditEntry, Branch, ClosedDay, Library, OpeningPeriod

LIBRARY_CACHE_KEY = "core:library"
# Each process keeps the profile this long at most when the cache is per process (no Redis).
LIBRARY_CACHE_SECONDS = 60


def get_library() -> Library:
    """The library profile; a fresh install gets a placeholder name until edited."""
    library = cache.get(LIBRARY_CACHE_KEY)
    if library is None:
        library = Library.objects.filter(pk=Library.SINGLETON_PK).first()
        if library is None:
            library, _created = Library.objects.get_or_create(
                pk=Library.SINGLETON_PK, defaults={"name": "Pustaka"}
            )
        cache.set(LIBRARY_CACHE_KEY, library, LIBRARY_CACHE_SECONDS)
    return library


def forget_library() -> None:
    cache.delete(LIBRARY_CACHE_KEY)


def active_branches() -> QuerySet[Branch]:
    return Branch.objects.filter(is_active=True)


#: The active branches, kept between requests (every desk request asks for its branch).
_active_branch_list: Memo[tuple[Branch, ...]] = Memo("active-branches")


def active_branch_list() -> tuple[Branch, ...]:
    """The active branches in their order, without a query most of the time (core/memo.py)."""
    return _active_branch_list.get("all", lambda: tuple(active_branches()))


def forget_branches() -> None:
    _active_branch_list.forget()


def branch_calendars(branches: QuerySet[Branch] | None = None) -> list[BranchCalendar]:
    """Calendars for many branches with three queries in all (used by the home page, reports)."""
    library = get_library()
    branches = branches if branches is not None else active_branches()
    branch_list = list(
        branches.prefetch_related(
            Prefetch("opening_periods", queryset=OpeningPeriod.objects.order_by("opens_at"))
        )
    )
    shared: list[ClosedDay] = []
    own: dict[int, list[ClosedDay]] = {}
    for closure in ClosedDay.objects.filter(Q(branch__isnull=True) | Q(branch__in=branch_list)):
        if closure.branch_id is None:
            shared.append(closure)
        else:
            own.setdefault(closure.branch_id, []).append(closure)
    return [
        BranchCalendar(
            branch,
            periods=list(branch.opening_periods.all()),
            closures=shared + own.get(branch.pk, []),
            observe_public_holidays=library.observe_public_holidays,
            observe_joint_holidays=library.observe_joint_holidays,
        )
        for branch in branch_list
    ]


@dataclass(frozen=True)
class BranchToday:
    branch: Branch
    today: Day
    is_open_now: bool
    next_open_day: dt.date | None


def branches_today(*, at: dt.datetime | None = None) -> list[BranchToday]:
    """Every active branch with today's hours, whether it is open now and when it next opens."""
    at = at or timezone.now()
    local_day = timezone.localtime(at).date()
    result = []
    for calendar in branch_calendars():
        today = calendar.day(local_day)
        try:
            upcoming = None if today.is_open else calendar.next_open_day(local_day)
        except NoOpenDayError:
            upcoming = None
        result.append(BranchToday(calendar.branch, today, calendar.is_open_at(at), upcoming))
    return result


def closed_days_ahead(*, on: dt.date) -> QuerySet[ClosedDay]:
    """Closed days that end on or after `on`, for the staff list."""
    return (
        ClosedDay.objects.filter(end_date__gte=on).select_related("branch").order_by("start_date")
    )


def upcoming_closures(*, on: dt.date, days: int = 60) -> list[tuple[dt.date, str, Branch | None]]:
    """Closed days (closures, national holidays) in the coming `days`, for the hours page."""
    end = on + dt.timedelta(days=days)
    found: dict[tuple[dt.date, int | None], tuple[dt.date, str, Branch | None]] = {}
    for closure in ClosedDay.objects.filter(end_date__gte=on, start_date__lte=end).select_related(
        "branch"
    ):
        day = max(closure.start_date, on)
        found[(day, closure.branch_id)] = (day, closure.reason, closure.branch)
    library = get_library()
    if library.observe_public_holidays:
        from core.calendar import _language_for_holidays, national_holidays

        for year in {on.year, end.year}:
            names = national_holidays(
                year, joint=library.observe_joint_holidays, language=_language_for_holidays()
            )
            for day, name in names.items():
                if on <= day <= end:
                    found.setdefault((day, None), (day, name, None))
    return sorted(found.values(), key=lambda row: row[0])


def search_audit_entries(
    *,
    actor: str = "",
    action: str = "",
    subject: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries matching the filters, newest first. Callers paginate."""
    entries = AuditEntry.objects.select_related("actor")
    if actor:
        entries = entries.filter(Q(actor_name__icontains=actor) | Q(actor__username__iexact=actor))
    if action:
        entries = entries.filter(action__startswith=action)
    if subject:
        entries = entries.filter(Q(object_repr__icontains=subject) | Q(object_id=subject))
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_to:
        entries = entries.filter(at__date__lte=date_to)
    return entries.order_by("-at", "-pk")
