"""The one lock of the search index: writers (the index following the catalogue, a reindex)
take turns, so vocabulary counts computed from what a document held stay exact."""

from __future__ import annotations

from django.db import connection

# An arbitrary, fixed key for pg_advisory_xact_lock ("pustaka search" in ASCII, truncated).
INDEX_LOCK_KEY = 0x70757374616B73


def index_write_lock() -> None:
    """Call inside a transaction. PostgreSQL: an advisory lock until commit. SQLite: writers
    already take turns (IMMEDIATE transactions), nothing to do."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INDEX_LOCK_KEY])
