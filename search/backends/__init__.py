"""The search backend for the database in use: SQLite FTS5 (embedded) or PostgreSQL full text."""

from __future__ import annotations

from django.db import connection

from search.backends.base import Candidate, Count, SearchBackend, WriteStats

__all__ = ["Candidate", "Count", "SearchBackend", "WriteStats", "get_backend"]

_BACKENDS: dict[str, SearchBackend] = {}


def get_backend() -> SearchBackend:
    vendor = connection.vendor
    if vendor not in _BACKENDS:
        if vendor == "postgresql":
            from search.backends.postgres import PostgresBackend

            _BACKENDS[vendor] = PostgresBackend()
        elif vendor == "sqlite":
            from search.backends.sqlite import SqliteBackend

            _BACKENDS[vendor] = SqliteBackend()
        else:
            raise RuntimeError(f"Pustaka's search has no backend for {vendor}.")
    return _BACKENDS[vendor]
