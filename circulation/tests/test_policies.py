"""Loan rules as data: the most specific policy wins per value; the rest is inherited."""

import datetime as dt

import pytest

from circulation.models import LoanPolicy
from circulation.policies import DEFAULT_RULES, overdue_fine, resolve_rules
from circulation.selectors import loan_rules_for
from core.calendar import calendar_for

pytestmark = pytest.mark.django_db


def test_without_policies_the_defaults_apply_and_say_so(library):
    rules = resolve_rules([], category="general", material_type="book", branch_id=None)
    assert rules.as_dict() == DEFAULT_RULES
    assert set(rules.sources.values()) == {"Pustaka's default"}


def test_most_specific_value_wins_and_others_are_inherited(member, branches):
    main, other = branches
    LoanPolicy.objects.create(name="Semua", loan_days=14, max_items=5, fine_per_day=500)
    LoanPolicy.objects.create(name="Anak", member_category_id="child", max_items=2)
    LoanPolicy.objects.create(
        name="Referensi di Pusat", branch=main, material_type="serial", loan_days=3
    )
    LoanPolicy.objects.create(
        name="Anak di Pusat", branch=main, member_category_id="child", loan_days=7
    )

    member.category_id = "child"
    rules = loan_rules_for(member, "book", main)
    assert (rules.loan_days, rules.max_items, rules.fine_per_day) == (7, 2, 500)
    assert rules.sources["loan_days"] == "Anak di Pusat"
    assert rules.sources["max_items"] == "Anak"
    assert rules.sources["fine_per_day"] == "Semua"

    # Branch counts more than category: a serial at Pusat follows the branch's serial rule.
    assert (
        loan_rules_for(member, "serial", main).loan_days == 7
    )  # branch+category beats branch+type
    member.category_id = "general"
    assert loan_rules_for(member, "serial", main).loan_days == 3
    assert loan_rules_for(member, "serial", other).loan_days == 14


def test_overdue_fine_counts_open_days_less_grace_up_to_the_cap(library, branches):
    calendar = calendar_for(branches[1])  # Cabang: Monday to Friday
    rules = resolve_rules([], category="general", material_type="book", branch_id=None)
    # Due Friday 14 Aug 2026; returned Wednesday 19 Aug: open days 18 and 19 (17th is a holiday).
    days, fine = overdue_fine(
        calendar, rules, due_on=dt.date(2026, 8, 14), returned_on=dt.date(2026, 8, 19)
    )
    assert (days, fine) == (2, 2 * 500)
    graced = rules.__class__(**{**rules.as_dict(), "grace_days": 2})
    assert overdue_fine(
        calendar, graced, due_on=dt.date(2026, 8, 14), returned_on=dt.date(2026, 8, 19)
    ) == (2, 0)
    capped = rules.__class__(**{**rules.as_dict(), "max_fine": 700})
    assert (
        overdue_fine(
            calendar, capped, due_on=dt.date(2026, 8, 14), returned_on=dt.date(2026, 8, 19)
        )[1]
        == 700
    )
