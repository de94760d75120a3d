"""Helpers for tests of every app (imported by tests only)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from django.db import connections


def race(workers: Iterable[Callable[[], object]]) -> tuple[list, list[BaseException]]:
    """Run each worker in its own thread (so on its own database connection), all released at
    the same moment; return what they returned and what they raised."""
    workers = list(workers)
    start = threading.Barrier(len(workers))
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(work) -> None:
        try:
            start.wait()
            value = work()
            with lock:
                results.append(value)
        except BaseException as error:  # noqa: BLE001 - collected for the assertions
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors
