"""PostgreSQL's autovacuum waits for 20% of a table to change before it vacuums and analyses
it: on a library with 2,000,000 past loans that is 400,000 returns, so the statistics of the
open loans lag and the visibility map goes stale. The tables that grow and change all day get
lower thresholds (docs/deployment.md, "Keeping the database healthy"). Nothing on SQLite."""

from django.db import migrations

TABLES = {
    # Every return updates a loan; every checkout adds one.
    "circulation_loan": {
        "autovacuum_vacuum_scale_factor": "0.01",
        "autovacuum_analyze_scale_factor": "0.01",
    },
    # Only added to: vacuumed for its visibility map (and frozen early) after 1% new rows.
    "circulation_loanevent": {"autovacuum_vacuum_insert_scale_factor": "0.01"},
    "circulation_holdevent": {"autovacuum_vacuum_insert_scale_factor": "0.01"},
    # Every hold moves through several states.
    "circulation_hold": {"autovacuum_vacuum_scale_factor": "0.02"},
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, options in TABLES.items():
        settings = ", ".join(f"{name} = {value}" for name, value in options.items())
        schema_editor.execute(f"ALTER TABLE {table} SET ({settings})")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, options in TABLES.items():
        schema_editor.execute(f"ALTER TABLE {table} RESET ({', '.join(options)})")


class Migration(migrations.Migration):
    dependencies = [("circulation", "0006_hold_queue_index")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
