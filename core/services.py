"""Changes to the library profile, branches, opening hours and closed days.

Every function checks the acting user's permission and writes an audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import audit
from core.calendar import forget_calendars
from core.errors import DomainError
from core.models import Branch, ClosedDay, Library, OpeningPeriod
from core.permissions import require
from core.selectors import get_library


class InvalidPeriodError(DomainError):
    code = "invalid_period"
    message = _("A closing time must be later than the opening time.")


class OverlappingPeriodsError(DomainError):
    code = "overlapping_periods"
    message = _("Two opening periods on the same day overlap.")


def _changed_fields(instance: Any, changes: dict[str, Any]) -> dict[str, list[str]]:
    diff = {}
    for field, value in changes.items():
        old = getattr(instance, field)
        if old != value:
            diff[field] = [str(old), str(value)]
    return diff


@transaction.atomic
def update_library(changes: dict[str, Any], *, by) -> Library:
    """Change the library profile (head of library, system administrator)."""
    require(by, "core.change_library")
    library = Library.objects.select_for_update().get(pk=get_library().pk)
    diff = _changed_fields(library, changes)
    for field, value in changes.items():
        setattr(library, field, value)
    library.full_clean()
    library.save()
    audit.record("library.update", actor=by, subject=library, details={"changed": diff})
    return library


@transaction.atomic
def create_branch(data: dict[str, Any], *, by) -> Branch:
    require(by, "core.add_branch")
    if data.get("is_main"):
        Branch.objects.filter(is_main=True).update(is_main=False)
    branch = Branch(**data)
    branch.full_clean()
    branch.save()
    audit.record("branch.create", actor=by, subject=branch)
    return branch


@transaction.atomic
def update_branch(branch: Branch, changes: dict[str, Any], *, by) -> Branch:
    require(by, "core.change_branch")
    branch = Branch.objects.select_for_update().get(pk=branch.pk)
    diff = _changed_fields(branch, changes)
    if changes.get("is_main") and not branch.is_main:
        Branch.objects.filter(is_main=True).exclude(pk=branch.pk).update(is_main=False)
    for field, value in changes.items():
        setattr(branch, field, value)
    branch.full_clean()
    branch.save()
    audit.record("branch.update", actor=by, subject=branch, details={"changed": diff})
    return branch


def _check_no_overlap(periods: Iterable[tuple[int, dt.time, dt.time]]) -> None:
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in periods:
        if closes <= opens:
            raise InvalidPeriodError()
        by_day.setdefault(weekday, []).append((opens, closes))
    for spans in by_day.values():
        spans.sort()
        for (_o1, c1), (o2, _c2) in zip(spans, spans[1:], strict=False):
            if o2 < c1:
                raise OverlappingPeriodsError()


@transaction.atomic
def set_opening_hours(
    branch: Branch, periods: Iterable[tuple[int, dt.time, dt.time]], *, by
) -> list[OpeningPeriod]:
    """Replace a branch's weekly hours with `periods` (weekday, opens, closes)."""
    require(by, "core.change_branch")
    periods = list(periods)
    _check_no_overlap(periods)
    branch = Branch.objects.select_for_update().get(pk=branch.pk)
    before = [str(p) for p in branch.opening_periods.all()]
    branch.opening_periods.all().delete()
    created = OpeningPeriod.objects.bulk_create(
        OpeningPeriod(branch=branch, weekday=w, opens_at=o, closes_at=c) for w, o, c in periods
    )
    forget_calendars()  # bulk_create sends no post_save
    audit.record(
        "branch.hours",
        actor=by,
        subject=branch,
        details={"before": before, "after": [str(p) for p in created]},
    )
    return created


@transaction.atomic
def add_closed_day(
    *,
    branch: Branch | None,
    start_date: dt.date,
    end_date: dt.date | None,
    kind: str,
    reason: str,
    by,
) -> ClosedDay:
    require(by, "core.add_closedday")
    closure = ClosedDay(
        branch=branch,
        start_date=start_date,
        end_date=end_date or start_date,
        kind=kind,
        reason=reason,
    )
    closure.full_clean()
    closure.save()
    audit.record(
        "closed_day.create",
        actor=by,
        subject=closure,
        details={
            "branch": str(branch) if branch else None,
            "from": closure.start_date.isoformat(),
            "until": closure.end_date.isoformat(),
        },
    )
    return closure


@transaction.atomic
def remove_closed_day(closure: ClosedDay, *, by) -> None:
    require(by, "core.delete_closedday")
    audit.record(
        "closed_day.delete",
        actor=by,
        subject=closure,
        details={
            "from": closure.start_date.isoformat(),
            "until": closure.end_date.isoformat(),
        },
    )
    closure.delete()
