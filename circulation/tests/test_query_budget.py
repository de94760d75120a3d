"""Round trips a checkout and a check-in make (bench/circulation.py measures their latency):
the overdue loans are read once for both the fines block and the overdue block, a checkout
reads each branch calendar once, and an on-time check-in needs no calendar nor a second read
of the member."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circulation import services
from circulation.selectors import member_blocks
from circulation.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


def _queries_on(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]]


def test_blocks_read_the_overdue_loans_once_for_fines_and_the_overdue_count(
    make_item, member, librarian
):
    with time_machine.travel(MONDAY - dt.timedelta(days=30), tick=False):
        services.check_out(make_item(), member, staff=librarian)
    with time_machine.travel(MONDAY, tick=False), CaptureQueriesContext(connection) as queries:
        blocks = member_blocks(member)
    assert [b.code for b in blocks] == []  # one overdue item: under both limits
    assert len(_queries_on(queries, "circulation_loan")) == 1


def test_checkouts_keep_the_branch_calendar_and_the_loan_rules_between_them(
    make_item, member, librarian
):
    with time_machine.travel(MONDAY - dt.timedelta(days=30), tick=False):
        services.check_out(make_item(), member, staff=librarian)  # overdue now: fines accrue
    with time_machine.travel(MONDAY, tick=False), CaptureQueriesContext(connection) as queries:
        services.check_out(make_item(), member, staff=librarian)
    assert len(_queries_on(queries, "core_openingperiod")) <= 1  # read once per checkout at most
    with time_machine.travel(MONDAY, tick=False), CaptureQueriesContext(connection) as queries:
        services.check_out(make_item(), member, staff=librarian)
    assert _queries_on(queries, "core_openingperiod") == []  # kept from the checkout before
    assert _queries_on(queries, "circulation_loanpolicy") == []


def test_a_closed_day_added_between_checkouts_moves_the_next_due_date(
    make_item, member, librarian, branches, make_user
):
    from core.models import ClosureKind
    from core.services import add_closed_day

    with time_machine.travel(MONDAY, tick=False):
        first = services.check_out(make_item(), member, staff=librarian).loan
        due = timezone.localdate(first.due_at)
        head = make_user("kepala-uji", roles={"head"})
        add_closed_day(
            branch=branches[0],
            start_date=due,
            end_date=due,
            kind=ClosureKind.LOCAL_CLOSURE,
            reason="Banjir",
            by=head,
        )
        second = services.check_out(make_item(), member, staff=librarian).loan
    assert timezone.localdate(second.due_at) > due  # the new closure is seen at once


def test_a_changed_loan_rule_applies_to_the_next_checkout(make_item, member, librarian):
    from circulation.models import LoanPolicy

    with time_machine.travel(MONDAY, tick=False):
        services.check_out(make_item(), member, staff=librarian)
        LoanPolicy.objects.create(name="Singkat", loan_days=3)
        loan = services.check_out(make_item(), member, staff=librarian).loan
    assert loan.rules["loan_days"] == 3


def test_an_on_time_check_in_reads_no_calendar_and_the_member_with_the_loan(
    item, member, librarian, branches
):
    with time_machine.travel(MONDAY, tick=False):
        loan = services.check_out(item, member, staff=librarian).loan
    with (
        time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        result = services.check_in(item, staff=librarian, branch=branches[0])
    assert result.fine == 0 and result.days_overdue == 0
    assert _queries_on(queries, "core_openingperiod") == []
    assert _queries_on(queries, "patrons_member") == []
    # Whether a fine hangs on the loan (which would keep its member) comes with the loan.
    assert [
        q for q in _queries_on(queries, "circulation_fineentry") if "circulation_loan" not in q
    ] == []
    loan.refresh_from_db()
    assert loan.state == "returned" and loan.member_id is None  # no reading history kept


def test_a_member_keeping_their_history_stays_on_the_returned_loan(
    item, make_member, librarian, branches
):
    reader = make_member(keep_reading_history=True)
    with time_machine.travel(MONDAY, tick=False):
        loan = services.check_out(item, reader, staff=librarian).loan
        services.check_in(item, staff=librarian, branch=branches[0])
    loan.refresh_from_db()
    assert loan.member_id == reader.pk


def test_a_check_in_that_traps_a_hold_reads_its_member_and_record_with_it(
    item, member, make_member, librarian, branches
):
    waiting = make_member("Budi")
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        services.place_hold(item.record, waiting, pickup_branch=branches[0])
        with CaptureQueriesContext(connection) as queries:
            result = services.check_in(item, staff=librarian, branch=branches[0])
    assert result.route == "hold_shelf" and result.hold.member == waiting
    assert _queries_on(queries, "patrons_member") == []
    assert _queries_on(queries, "catalog_record") == []  # it came with the hold
    # No lock on the title: the hold's own row lock orders two copies returned at once
    # (test_races.py); the hold is read once to find it and once under its lock.
    assert len(_queries_on(queries, "circulation_hold")) == 2


def test_the_standing_read_in_one_statement_matches_the_loans_and_the_ledger(
    make_item, member, librarian, branches
):
    from circulation.models import FineEntry, Loan
    from circulation.selectors import member_standing

    with time_machine.travel(MONDAY - dt.timedelta(days=30), tick=False):
        late = make_item()
        services.check_out(late, member, staff=librarian)
        returned = make_item()
        services.check_out(returned, member, staff=librarian)
        services.check_in(returned, staff=librarian, branch=branches[0])
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(make_item(), member, staff=librarian)
        services.charge(member, 2500, kind="damaged", reason="sobek", staff=librarian)
        services.pay(member, 1000, method="cash", staff=librarian)
        standing = member_standing(member, at=timezone.now())
    assert standing.open_count == Loan.objects.filter(member=member, state="on_loan").count() == 2
    assert [loan.item_id for loan in standing.late] == [late.pk]
    assert standing.balance == sum(FineEntry.objects.values_list("amount", flat=True)) == 1500
    assert standing.accruing > 0  # the overdue loan's fine is building up


def test_a_copy_arriving_for_its_hold_reads_the_member_and_record_with_the_hold(
    item, member, make_member, librarian, branches
):
    main, other = branches
    waiting = make_member("Budi")
    with time_machine.travel(MONDAY, tick=False):
        services.check_out(item, member, staff=librarian)
        services.place_hold(item.record, waiting, pickup_branch=other)
        assert services.check_in(item, staff=librarian, branch=main).route == "transfer"
        with CaptureQueriesContext(connection) as queries:
            arrived = services.check_in(item, staff=librarian, branch=other)
    assert arrived.route == "hold_shelf" and arrived.hold.member == waiting
    assert _queries_on(queries, "patrons_member") == []
    assert _queries_on(queries, "catalog_record") == []
