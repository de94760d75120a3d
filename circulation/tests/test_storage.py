"""How circulation's busiest tables are kept on PostgreSQL (migration 0007)."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's autovacuum"),
]


def test_loans_and_holds_are_vacuumed_after_a_small_share_of_changes():
    """A library with 2,000,000 past loans must not wait for 400,000 returns before its loans
    are analysed again (the default 20%)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [["circulation_loan", "circulation_loanevent", "circulation_hold"]],
        )
        options = {name: set(values or []) for name, values in cursor.fetchall()}
    assert {
        "autovacuum_vacuum_scale_factor=0.01",
        "autovacuum_analyze_scale_factor=0.01",
    } <= options["circulation_loan"]
    assert "autovacuum_vacuum_insert_scale_factor=0.01" in options["circulation_loanevent"]
    assert "autovacuum_vacuum_scale_factor=0.02" in options["circulation_hold"]
