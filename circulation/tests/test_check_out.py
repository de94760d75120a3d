"""Checking out: rules, due dates on open days, guards with their own errors, overrides."""

import datetime as dt

import pytest
import time_machine

from catalog.models import ItemStatus
from circulation import services
from circulation.errors import (
    ItemAlreadyOnLoanError,
    ItemNotLoanableError,
    LoanLimitReachedError,
    MemberBlockedError,
    OverrideNotPermittedError,
    OverrideReasonRequiredError,
)
from circulation.models import Loan, LoanPolicy
from circulation.tests.conftest import MONDAY
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


@time_machine.travel(MONDAY, tick=False)
def test_librarian_lends_an_item_due_on_an_open_day(item, member, librarian):
    result = services.check_out(item, member, staff=librarian)
    loan = result.loan
    assert loan.state == "on_loan"
    # 14 days after Monday 23 Nov is Monday 7 Dec 2026, an open day at Pusat.
    assert loan.due_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == dt.date(2026, 12, 7)
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_LOAN
    assert loan.events.get().kind == "checkout"
    assert loan.rules["loan_days"] == 14


@time_machine.travel(MONDAY, tick=False)
def test_due_date_on_a_closed_day_moves_to_the_next_open_day(item, member, librarian):
    LoanPolicy.objects.create(name="13 hari", loan_days=13)  # Sunday 6 Dec: Pusat is closed
    loan = services.check_out(item, member, staff=librarian).loan
    assert loan.due_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == dt.date(2026, 12, 7)


@time_machine.travel(MONDAY, tick=False)
def test_item_on_loan_to_someone_else_is_refused_and_nothing_changes(
    item, member, make_member, librarian
):
    services.check_out(item, member, staff=librarian)
    with pytest.raises(ItemAlreadyOnLoanError):
        services.check_out(item, make_member(), staff=librarian)
    assert Loan.objects.count() == 1


@time_machine.travel(MONDAY, tick=False)
def test_checking_out_again_to_the_same_member_renews(item, member, librarian):
    first = services.check_out(item, member, staff=librarian).loan
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        again = services.check_out(item, member, staff=librarian)
    assert again.renewed and again.loan.pk == first.pk
    assert again.loan.renewals == 1


@time_machine.travel(MONDAY, tick=False)
def test_expired_member_is_blocked_with_the_reason(item, make_member, librarian):
    expired = make_member(expires_on=dt.date(2026, 10, 1))
    with pytest.raises(MemberBlockedError) as error:
        services.check_out(item, expired, staff=librarian)
    assert "2026-10-01" in str(error.value)
    assert not Loan.objects.exists()


@time_machine.travel(MONDAY, tick=False)
def test_limit_reached_can_be_overridden_by_the_head_with_a_reason(
    make_item, member, librarian, head
):
    LoanPolicy.objects.create(name="Dua", max_items=2)
    services.check_out(make_item(), member, staff=librarian)
    services.check_out(make_item(), member, staff=librarian)
    third = make_item()
    with pytest.raises(LoanLimitReachedError):
        services.check_out(third, member, staff=librarian)
    with pytest.raises(OverrideNotPermittedError):
        services.check_out(
            third, member, staff=librarian, override=True, override_reason="tugas sekolah"
        )
    with pytest.raises(OverrideReasonRequiredError):
        services.check_out(third, member, staff=head, override=True, override_reason=" ")
    result = services.check_out(
        third, member, staff=head, override=True, override_reason="tugas sekolah"
    )
    assert result.overridden == ["loan_limit_reached"]
    entry = AuditEntry.objects.get(action="circulation.override")
    assert entry.actor == head and entry.details["reason"] == "tugas sekolah"
    assert result.loan.events.get().reason == "tugas sekolah"


@time_machine.travel(MONDAY, tick=False)
def test_missing_item_cannot_be_lent(make_item, member, librarian):
    missing = make_item(status=ItemStatus.MISSING)
    with pytest.raises(ItemNotLoanableError):
        services.check_out(missing, member, staff=librarian)


@time_machine.travel(MONDAY, tick=False)
def test_manual_block_and_unpaid_fines_block(item, make_member, librarian):
    blocked = make_member(manual_block_reason="Kartu hilang")
    with pytest.raises(MemberBlockedError) as error:
        services.check_out(item, blocked, staff=librarian)
    assert "Kartu hilang" in str(error.value)


@time_machine.travel(MONDAY, tick=False)
def test_a_member_cannot_check_out_for_themselves_through_the_desk_role(item, member, make_user):
    from core.errors import PermissionDeniedError

    cataloguer = make_user("katalog", roles={"cataloguer"})
    with pytest.raises(PermissionDeniedError):
        services.check_out(item, member, staff=cataloguer)
