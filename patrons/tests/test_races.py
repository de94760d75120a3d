"""Races on PostgreSQL (real row locks): one NIK, one member; two merges of the same pair."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from core import testing
from core.tests.test_concurrency import THREADS, race
from patrons.errors import (
    AlreadyMergedError,
    DuplicateNikError,
    MergeTargetEndedError,
)
from patrons.models import Member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]

NIK = "6472035501990003"


def test_desks_registering_one_nik_at_once_make_one_member(library, member_categories, make_user):
    from patrons.services import register_member

    librarian = make_user("siti", roles={"librarian"})

    def worker(index: int) -> str:
        try:
            register_member(
                {"full_name": f"Ani {index}", "nik": NIK, "birth_date": dt.date(1999, 1, 15)},
                by=librarian,
            )
        except DuplicateNikError:
            return "duplicate"
        return "registered"

    outcomes = race(worker)
    assert sorted(outcomes) == ["duplicate"] * (THREADS - 1) + ["registered"]
    assert Member.objects.filter(nik=NIK).count() == 1


def test_merging_a_pair_both_ways_at_once_merges_once(library, member_categories, make_user):
    from patrons.services import merge_members, register_member

    librarian = make_user("siti", roles={"librarian"})
    a = register_member({"full_name": "Ani"}, by=librarian)
    b = register_member({"full_name": "Ani"}, by=librarian)

    def worker(index: int) -> str:
        first, second = (a, b) if index % 2 else (b, a)
        try:
            merge_members(first, second, by=librarian)
        except (AlreadyMergedError, MergeTargetEndedError):
            return "refused"
        return "merged"

    outcomes = race(worker)
    assert outcomes.count("merged") == 1
    assert sorted(Member.objects.values_list("status", flat=True)) == ["active", "merged"]


def test_the_desk_taking_back_a_book_while_staff_merge_its_borrower_neither_fails(
    make_member, make_item, librarian, branch
):
    """Staff merge Ani's duplicate record into the one kept while another desk takes back a
    book the duplicate borrowed, late. The merge moves the loan; the return locks it and
    charges a fine to the borrower. Both go through, whichever comes first (neither fails
    with a deadlock), and the returned loan and its fine end up with the kept record: the desk
    sees the fine on Ani's record, and no copy goes back to the shelf while still on loan."""
    import time

    from catalog.models import Item
    from circulation import services as circulation
    from circulation.models import FineEntry, Loan
    from circulation.selectors import fine_balance
    from patrons.services import merge_members

    def after(delay, work):
        time.sleep(delay)
        return work()

    now = timezone.now()
    for n in range(12):  # one side a little later each round: every interleaving is tried
        duplicate, kept = make_member("Ani Wulandari"), make_member("Ani Wulandari")
        copy = make_item()
        circulation.check_out(copy, duplicate, staff=librarian, at=now - dt.timedelta(days=40))
        merge_delay, return_delay = (0.002 * (n // 2), 0) if n % 2 else (0, 0.002 * (n // 2))
        results, errors = testing.race(
            [
                lambda d=duplicate, k=kept, s=merge_delay: after(
                    s, lambda: merge_members(d, k, by=librarian, at=now)
                ),
                lambda c=copy, s=return_delay: after(
                    s, lambda: circulation.check_in(c, staff=librarian, branch=branch, at=now)
                ),
            ]
        )
        assert errors == [], (n, errors)
        loan = Loan.objects.get(item=copy)
        assert (loan.state, loan.member_id) == ("returned", kept.pk), n
        assert Item.objects.get(pk=copy.pk).status != "on_loan"
        fine = FineEntry.objects.get(loan=loan, kind="overdue")
        assert fine.member_id == kept.pk, n
        assert fine_balance(kept) == fine.amount > 0
        assert not FineEntry.objects.filter(member=duplicate).exists()


def test_a_return_filling_the_duplicates_hold_while_staff_merge_the_records_neither_fails(
    make_member, make_item, record, librarian, branch
):
    """Ani's duplicate record waits for a title; staff merge it into the record kept just as
    another desk takes back a copy of that title. The check-in finds the hold whoever got
    there first (its locked read joins the member, whom the merge changes): the copy goes to
    the hold shelf for Ani's kept record, and neither desk sees an error."""
    import time

    from catalog.models import Item
    from circulation import services as circulation
    from circulation.models import Hold
    from patrons.services import merge_members

    def after(delay, work):
        time.sleep(delay)
        return work()

    for n in range(12):
        duplicate, kept = make_member("Ani Wulandari"), make_member("Ani Wulandari")
        copy = make_item()
        circulation.check_out(copy, make_member("Budi"), staff=librarian)
        hold = circulation.place_hold(record, duplicate, pickup_branch=branch)
        merge_delay, return_delay = (0.002 * (n // 2), 0) if n % 2 else (0, 0.002 * (n // 2))
        results, errors = testing.race(
            [
                lambda d=duplicate, k=kept, s=merge_delay: after(
                    s, lambda: merge_members(d, k, by=librarian)
                ),
                lambda c=copy, s=return_delay: after(
                    s, lambda: circulation.check_in(c, staff=librarian, branch=branch)
                ),
            ]
        )
        assert errors == [], (n, errors)
        hold = Hold.objects.get(pk=hold.pk)
        assert (hold.state, hold.member_id, hold.item_id) == ("ready", kept.pk, copy.pk), n
        assert Item.objects.get(pk=copy.pk).status == "on_hold_shelf"


def test_a_double_clicked_sign_up_makes_one_account_for_the_address(library, member_categories):
    """Someone presses "Register" twice (no NIK given): the address is checked by both requests
    before either has written it. One account is made; the other request is told the address
    is in use, and leaves no member behind. Two accounts with one address could sign in by
    e-mail with neither."""
    from accounts.models import User
    from patrons.errors import EmailInUseError
    from patrons.services import self_register

    data = {
        "full_name": "Rina Marlina",
        "category": "general",
        "birth_date": dt.date(1999, 1, 15),
        "email": "Rina@Example.org",
        "phone": "0812 3456 7890",
        "address": "Jl. Juanda 7",
        "city": "Samarinda",
    }
    results, errors = testing.race(
        [
            lambda d={**data, "email": email}: self_register(
                d, password="rahasia-sekali-123", site_url="http://testserver"
            )
            for email in ("Rina@Example.org", "rina@example.org", "RINA@example.org")
        ]
    )
    assert len(results) == 1
    assert len(errors) == 2 and all(isinstance(e, EmailInUseError) for e in errors), errors
    assert User.objects.filter(email__iexact="rina@example.org").count() == 1
    assert Member.objects.filter(email__iexact="rina@example.org").count() == 1
