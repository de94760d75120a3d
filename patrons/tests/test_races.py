"""Races on PostgreSQL (real row locks): one NIK, one member; two merges of the same pair."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

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
