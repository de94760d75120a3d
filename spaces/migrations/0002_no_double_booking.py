"""Never double-booked, enforced by the database.

PostgreSQL: exclusion constraints (btree_gist) refuse two active bookings of one space, or of
one piece of equipment, whose blocked ranges `[starts_at, blocked_until)` overlap.
SQLite has no exclusion constraints: triggers refuse the same inserts and updates (writers are
already serialised by IMMEDIATE transactions, so the trigger's check cannot race).
The list of active states must match `spaces.states.ACTIVE_STATES` (a test checks it).
"""

from django.db import migrations

ACTIVE = "('pending', 'confirmed', 'checked_in')"

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE spaces_booking ADD CONSTRAINT booking_space_no_overlap
        EXCLUDE USING gist (space_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&)
        WHERE (space_id IS NOT NULL AND state IN {ACTIVE})""",
    f"""ALTER TABLE spaces_booking ADD CONSTRAINT booking_equipment_no_overlap
        EXCLUDE USING gist (equipment_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&)
        WHERE (equipment_id IS NOT NULL AND state IN {ACTIVE})""",
]
POSTGRES_BACKWARD = [
    "ALTER TABLE spaces_booking DROP CONSTRAINT IF EXISTS booking_space_no_overlap",
    "ALTER TABLE spaces_booking DROP CONSTRAINT IF EXISTS booking_equipment_no_overlap",
]

_OVERLAP = f"""
    SELECT RAISE(ABORT, 'booking_overlap')
    WHERE EXISTS (
        SELECT 1 FROM spaces_booking AS other
        WHERE other.state IN {ACTIVE}
          AND other.id != NEW.id
          AND ((NEW.space_id IS NOT NULL AND other.space_id = NEW.space_id)
               OR (NEW.equipment_id IS NOT NULL AND other.equipment_id = NEW.equipment_id))
          AND other.starts_at < NEW.blocked_until
          AND NEW.starts_at < other.blocked_until
    );
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON spaces_booking
        WHEN NEW.state IN {ACTIVE}
        BEGIN {_OVERLAP} END""",
    f"""CREATE TRIGGER booking_no_overlap_update BEFORE UPDATE ON spaces_booking
        WHEN NEW.state IN {ACTIVE}
        BEGIN {_OVERLAP} END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS booking_no_overlap_insert",
    "DROP TRIGGER IF EXISTS booking_no_overlap_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("spaces", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
