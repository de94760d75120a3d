"""Which loan rules apply to a member and an item, and why.

Pure functions over `LoanPolicy` rows: for each rule value, the most specific policy that sets it
wins (branch counts most, then member category, then material type, as in Koha's fallback
order); a value no policy sets comes from Pustaka's defaults. Due dates and fines are computed
here too, over the branch calendar.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.calendar import BranchCalendar

RULE_FIELDS = (
    "loan_days",
    "max_items",
    "max_renewals",
    "fine_per_day",
    "grace_days",
    "max_fine",
    "holds_allowed",
    "hold_pickup_days",
)

DEFAULT_RULES: dict[str, Any] = {
    "loan_days": 14,
    "max_items": 5,
    "max_renewals": 2,
    "fine_per_day": 500,
    "grace_days": 0,
    "max_fine": 25000,
    "holds_allowed": True,
    "hold_pickup_days": 3,
}
DEFAULT_SOURCE = _("Pustaka's default")


@dataclass(frozen=True)
class LoanRules:
    loan_days: int
    max_items: int
    max_renewals: int
    fine_per_day: int
    grace_days: int
    max_fine: int
    holds_allowed: bool
    hold_pickup_days: int
    # rule name -> the policy that gave it (its name), for "which rule applies and why"
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in RULE_FIELDS}


def specificity(policy) -> int:
    return (
        (4 if policy.branch_id else 0)
        + (2 if policy.member_category_id else 0)
        + (1 if policy.material_type else 0)
    )


def matches(policy, *, category: str, material_type: str, branch_id: int | None) -> bool:
    return (
        (not policy.member_category_id or policy.member_category_id == category)
        and (not policy.material_type or policy.material_type == material_type)
        and (not policy.branch_id or policy.branch_id == branch_id)
    )


def resolve_rules(
    policies, *, category: str, material_type: str, branch_id: int | None
) -> LoanRules:
    applicable = sorted(
        (
            p
            for p in policies
            if matches(p, category=category, material_type=material_type, branch_id=branch_id)
        ),
        key=specificity,
        reverse=True,
    )
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in RULE_FIELDS:
        for policy in applicable:
            value = getattr(policy, name)
            if value is not None:
                values[name], sources[name] = value, policy.name
                break
        else:
            values[name], sources[name] = DEFAULT_RULES[name], str(DEFAULT_SOURCE)
    return LoanRules(**values, sources=sources)


def rules_from_snapshot(snapshot: dict[str, Any]) -> LoanRules:
    """The rules stored on a loan at checkout (missing keys fall back to the defaults)."""
    return LoanRules(**{name: snapshot.get(name, DEFAULT_RULES[name]) for name in RULE_FIELDS})


# ---------------------------------------------------------------------------------------------
# Dates and money


def end_of_day(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone)


def due_date(calendar: BranchCalendar, *, lent_on: dt.date, loan_days: int) -> dt.date:
    """`loan_days` after the day of lending, moved to the next open day of the branch."""
    return calendar.open_on_or_after(lent_on + dt.timedelta(days=loan_days))


def overdue_fine(
    calendar: BranchCalendar, rules: LoanRules, *, due_on: dt.date, returned_on: dt.date
) -> tuple[int, int]:
    """(open days overdue, fine in Rupiah): per open day after the due date, less the grace
    days, at most `max_fine`."""
    days = calendar.open_days_between(due_on, returned_on)
    chargeable = max(0, days - rules.grace_days)
    return days, min(chargeable * rules.fine_per_day, rules.max_fine)
