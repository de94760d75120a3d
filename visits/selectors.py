"""Reads of the visitor log: counts per day, hour, category and purpose, and in-library use.
`visit_statistics` and `export_rows` are what the reports capability builds on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Branch
from patrons.models import MemberCategory
from visits.models import GUEST_CATEGORY, InLibraryUse, Purpose, Visit, VisitorKind


@dataclass
class DayRow:
    day: dt.date
    members: int = 0
    guests: int = 0
    uses: int = 0

    @property
    def visits(self) -> int:
        return self.members + self.guests


@dataclass
class VisitStatistics:
    date_from: dt.date
    date_to: dt.date
    branch: Branch | None
    members: int = 0
    guests: int = 0
    uses: int = 0
    by_day: list[DayRow] = field(default_factory=list)
    by_hour: list[tuple[int, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_purpose: list[tuple[str, int]] = field(default_factory=list)
    uses_by_collection: list[tuple[str, int]] = field(default_factory=list)

    @property
    def visits(self) -> int:
        return self.members + self.guests

    @property
    def busiest_hour_count(self) -> int:
        return max((n for _h, n in self.by_hour), default=0)


def _bounds(date_from: dt.date, date_to: dt.date, zone) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(date_from, dt.time.min, tzinfo=zone),
        dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def visits_between(
    date_from: dt.date, date_to: dt.date, *, branch: Branch | None = None, zone=None
) -> QuerySet[Visit]:
    zone = zone or timezone.get_current_timezone()
    start, end = _bounds(date_from, date_to, zone)
    visits = Visit.objects.filter(at__gte=start, at__lt=end)
    return visits.filter(branch=branch) if branch else visits


def uses_between(
    date_from: dt.date, date_to: dt.date, *, branch: Branch | None = None, zone=None
) -> QuerySet[InLibraryUse]:
    zone = zone or timezone.get_current_timezone()
    start, end = _bounds(date_from, date_to, zone)
    uses = InLibraryUse.objects.filter(at__gte=start, at__lt=end)
    return uses.filter(branch=branch) if branch else uses


def category_labels() -> dict[str, str]:
    labels = dict(MemberCategory.objects.values_list("code", "name"))
    labels[GUEST_CATEGORY] = _("Guests")
    return labels


def visit_statistics(
    date_from: dt.date, date_to: dt.date, *, branch: Branch | None = None, zone=None
) -> VisitStatistics:
    """Counts over the days from `date_from` to `date_to` (inclusive, the library's days), in
    six grouped queries whatever the number of visits."""
    zone = zone or timezone.get_current_timezone()
    visits = visits_between(date_from, date_to, branch=branch, zone=zone)
    uses = uses_between(date_from, date_to, branch=branch, zone=zone)
    stats = VisitStatistics(date_from=date_from, date_to=date_to, branch=branch)

    days: dict[dt.date, DayRow] = {}
    day = date_from
    while day <= date_to:
        days[day] = DayRow(day)
        day += dt.timedelta(days=1)
    for row in (
        visits.annotate(day=TruncDate("at", tzinfo=zone))
        .values("day", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        entry = days.setdefault(row["day"], DayRow(row["day"]))
        if row["kind"] == VisitorKind.MEMBER:
            entry.members += row["n"]
            stats.members += row["n"]
        else:
            entry.guests += row["n"]
            stats.guests += row["n"]
    for row in (
        uses.annotate(day=TruncDate("at", tzinfo=zone)).values("day").annotate(n=Count("pk"))
    ).order_by():
        days.setdefault(row["day"], DayRow(row["day"])).uses += row["n"]
        stats.uses += row["n"]
    stats.by_day = [days[d] for d in sorted(days)]

    stats.by_hour = sorted(
        (row["hour"], row["n"])
        for row in visits.annotate(hour=ExtractHour("at", tzinfo=zone))
        .values("hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    labels = category_labels()
    stats.by_category = sorted(
        (
            (labels.get(row["category"], row["category"]), row["n"])
            for row in visits.values("category").annotate(n=Count("pk")).order_by()
        ),
        key=lambda pair: -pair[1],
    )
    purposes = dict(Purpose.choices)
    stats.by_purpose = sorted(
        (
            (str(purposes.get(row["purpose"], _("Not given"))), row["n"])
            for row in visits.values("purpose").annotate(n=Count("pk")).order_by()
        ),
        key=lambda pair: -pair[1],
    )
    from catalog.models import Collection

    collections = dict(Collection.choices)
    stats.uses_by_collection = sorted(
        (
            (str(collections.get(row["collection"], row["collection"] or "—")), row["n"])
            for row in uses.values("collection").annotate(n=Count("pk")).order_by()
        ),
        key=lambda pair: -pair[1],
    )
    return stats


def export_rows(
    date_from: dt.date, date_to: dt.date, *, branch: Branch | None = None, zone=None
) -> Iterator[tuple]:
    """(date, hour, branch code, what, category or collection, purpose, count): one row per
    group, visits then in-library uses, in date and hour order."""
    zone = zone or timezone.get_current_timezone()
    codes = dict(Branch.objects.values_list("pk", "code"))
    visits = (
        visits_between(date_from, date_to, branch=branch, zone=zone)
        .annotate(day=TruncDate("at", tzinfo=zone), hour=ExtractHour("at", tzinfo=zone))
        .values("day", "hour", "branch_id", "kind", "category", "purpose")
        .annotate(n=Count("pk"))
        .order_by("day", "hour", "branch_id", "kind", "category", "purpose")
    )
    for row in visits:
        yield (
            row["day"].isoformat(),
            row["hour"],
            codes.get(row["branch_id"], ""),
            f"visit:{row['kind']}",
            row["category"],
            row["purpose"],
            row["n"],
        )
    uses = (
        uses_between(date_from, date_to, branch=branch, zone=zone)
        .annotate(day=TruncDate("at", tzinfo=zone), hour=ExtractHour("at", tzinfo=zone))
        .values("day", "hour", "branch_id", "collection")
        .annotate(n=Count("pk"))
        .order_by("day", "hour", "branch_id", "collection")
    )
    for row in uses:
        yield (
            row["day"].isoformat(),
            row["hour"],
            codes.get(row["branch_id"], ""),
            "in_library_use",
            row["collection"],
            "",
            row["n"],
        )


def recent_uses(branch: Branch, *, limit: int = 10) -> list[InLibraryUse]:
    return list(
        InLibraryUse.objects.filter(branch=branch)
        .select_related("item__record")
        .order_by("-at", "-pk")[:limit]
    )
