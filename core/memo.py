"""Rarely-changing rows kept in process memory, for the hot paths that read them on every
request (a branch's calendar, the loan-rule matrix for each checkout).

A `Memo` holds values, each built on first use and kept for at most `seconds`. `forget()` —
called by the services and model signals that change the rows — bumps a generation number kept
in Django's cache: every process that shares the cache (Redis, the scale setting) rebuilds on its
next read, exactly. With the embedded default's per-process cache, the process that made the
change rebuilds at once and the others within `seconds` (the library profile has the same
rule). The generation is bumped again when the changing transaction commits, so a process that
rebuilt from the rows before the commit does not keep the old ones.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


class Memo(Generic[T]):
    def __init__(self, name: str, *, seconds: float = 60) -> None:
        self.name = name
        self.seconds = seconds
        self._key = f"memo-generation:{name}"
        self._values: dict[Hashable, tuple[int, float, T]] = {}
        self._lock = threading.Lock()

    def _generation(self) -> int:
        generation = cache.get(self._key)
        if generation is None:
            # First use since the cache was cleared: start a generation no process has seen.
            generation = secrets.randbits(63)
            cache.add(self._key, generation, timeout=None)
            generation = cache.get(self._key, generation)
        return generation

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value kept for `key`, or `build()`'s, kept from now on."""
        generation = self._generation()
        now = time.monotonic()
        held = self._values.get(key)
        if held is not None and held[0] == generation and now - held[1] < self.seconds:
            return held[2]
        value = build()
        with self._lock:
            self._values[key] = (generation, now, value)
        return value

    def forget(self) -> None:
        """The rows changed: every process rebuilds (see the module's note)."""
        self._bump()
        transaction.on_commit(self._bump)

    def _bump(self) -> None:
        with self._lock:
            self._values.clear()
        cache.set(self._key, secrets.randbits(63), timeout=None)
