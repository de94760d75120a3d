"""Library settings services: permission-checked, audited, and all-or-nothing."""

import datetime as dt

import pytest

from core import services
from core.errors import PermissionDeniedError
from core.models import AuditEntry, Branch, ClosedDay, OpeningPeriod
from core.selectors import get_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(make_user):
    return make_user("kepala", roles={"head"})


@pytest.fixture
def librarian(make_user):
    return make_user("pustakawan", roles={"librarian"})


def test_head_changes_the_library_profile_and_it_is_audited(library, head):
    services.update_library({"name": "Perpustakaan Baru", "time_zone": "Asia/Jayapura"}, by=head)
    assert get_library().name == "Perpustakaan Baru"
    assert get_library().time_zone == "Asia/Jayapura"
    entry = AuditEntry.objects.get(action="library.update")
    assert entry.actor == head
    assert entry.details["changed"]["name"] == ["Perpustakaan Uji", "Perpustakaan Baru"]


def test_librarian_cannot_change_the_library_profile(library, librarian):
    with pytest.raises(PermissionDeniedError):
        services.update_library({"name": "Diubah"}, by=librarian)
    assert get_library().name == "Perpustakaan Uji"
    assert not AuditEntry.objects.filter(action="library.update").exists()


def test_making_a_branch_main_unmarks_the_previous_main(library, head):
    branch = services.create_branch(
        {"code": "baru", "name": "Cabang Baru", "is_main": True}, by=head
    )
    assert Branch.objects.get(is_main=True) == branch


def test_opening_hours_are_replaced_as_a_whole(library, head):
    branch = Branch.objects.get(code="cabang")
    services.set_opening_hours(
        branch,
        [(0, dt.time(9), dt.time(12)), (0, dt.time(13), dt.time(17)), (2, dt.time(9), dt.time(15))],
        by=head,
    )
    assert sorted(branch.opening_periods.values_list("weekday", "opens_at", "closes_at")) == [
        (0, dt.time(9), dt.time(12)),
        (0, dt.time(13), dt.time(17)),
        (2, dt.time(9), dt.time(15)),
    ]
    assert AuditEntry.objects.filter(action="branch.hours", object_id=str(branch.pk)).exists()


def test_overlapping_periods_are_refused_and_nothing_changes(library, head):
    branch = Branch.objects.get(code="cabang")
    before = list(branch.opening_periods.values_list("weekday", "opens_at", "closes_at"))
    with pytest.raises(services.OverlappingPeriodsError):
        services.set_opening_hours(
            branch, [(0, dt.time(9), dt.time(12)), (0, dt.time(11), dt.time(14))], by=head
        )
    after = list(branch.opening_periods.values_list("weekday", "opens_at", "closes_at"))
    assert after == before


def test_period_closing_before_opening_is_refused(library, head):
    branch = Branch.objects.get(code="cabang")
    with pytest.raises(services.InvalidPeriodError):
        services.set_opening_hours(branch, [(1, dt.time(15), dt.time(9))], by=head)
    assert OpeningPeriod.objects.filter(branch=branch).count() == 5


def test_closed_day_added_and_removed_with_audit(library, head):
    closure = services.add_closed_day(
        branch=None,
        start_date=dt.date(2026, 12, 24),
        end_date=None,
        kind="joint_holiday",
        reason="Cuti bersama Natal",
        by=head,
    )
    assert closure.end_date == dt.date(2026, 12, 24)
    services.remove_closed_day(closure, by=head)
    assert not ClosedDay.objects.exists()
    assert list(
        AuditEntry.objects.filter(object_type="core.closedday").values_list("action", flat=True)
    ) == ["closed_day.delete", "closed_day.create"]


def test_librarian_cannot_add_closed_days(library, librarian):
    with pytest.raises(PermissionDeniedError):
        services.add_closed_day(
            branch=None,
            start_date=dt.date(2026, 12, 24),
            end_date=None,
            kind="other",
            reason="x",
            by=librarian,
        )
    assert not ClosedDay.objects.exists()
