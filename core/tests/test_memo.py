"""Rows kept in process memory between requests (core/memo.py): kept until they change, then
read again by every process that shares the cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from core.memo import Memo


def test_a_value_is_built_once_and_kept():
    built = []
    memo = Memo("test-kept")

    def build():
        built.append(1)
        return len(built)

    assert memo.get("k", build) == 1
    assert memo.get("k", build) == 1
    assert built == [1]


@pytest.mark.django_db  # forget() runs again when the changing transaction commits
def test_forget_makes_every_process_sharing_the_cache_rebuild():
    here, there = Memo("test-shared"), Memo("test-shared")  # two processes' copies
    assert here.get("k", lambda: "old") == "old"
    assert there.get("k", lambda: "old") == "old"
    here.forget()  # a change made in this process
    assert there.get("k", lambda: "new") == "new"  # the other one sees the new generation
    assert here.get("k", lambda: "new") == "new"


def test_a_cleared_cache_starts_a_new_generation():
    memo = Memo("test-cleared")
    assert memo.get("k", lambda: "before") == "before"
    cache.clear()
    assert memo.get("k", lambda: "after") == "after"


def test_values_expire():
    memo = Memo("test-expire", seconds=0)
    assert memo.get("k", lambda: 1) == 1
    assert memo.get("k", lambda: 2) == 2
