"""Races on PostgreSQL (real row locks): numbers handed out once, however many desks at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from core import sequences

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]

THREADS = 8
ROUNDS = 25


def race(worker) -> list:
    """Run `worker(index)` in THREADS threads released at the same moment; collect results."""
    start = threading.Barrier(THREADS)
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            start.wait()
            got = worker(index)
            with lock:
                results.append(got)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_sequence_never_hands_out_a_number_twice():
    def worker(index: int) -> list[int]:
        numbers: list[int] = []
        for _ in range(ROUNDS):
            numbers.extend(sequences.reserve("race", 1 + index % 3))
        return numbers

    numbers = [n for batch in race(worker) for n in batch]
    assert len(numbers) == len(set(numbers))
    assert sorted(numbers) == list(range(1, len(numbers) + 1))  # and leaves no gap


def test_desks_registering_members_at_once_get_distinct_numbers(
    make_user, library, member_categories
):
    from patrons.models import Member
    from patrons.services import register_member

    librarian = make_user("siti", roles={"librarian"})

    def worker(index: int) -> list[str]:
        return [
            register_member({"full_name": f"Anggota {index}-{n}"}, by=librarian).number
            for n in range(5)
        ]

    numbers = [n for batch in race(worker) for n in batch]
    assert len(set(numbers)) == THREADS * 5 == Member.objects.count()
