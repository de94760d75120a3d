"""Bulk reads and writes in plain SQL for the stocktake's hot path (a reader's file of 100,000
lines). Building an ORM filter over thousands of values, or a model instance per inserted row,
costs more than the database work itself; these helpers send the same statements Django would,
a few thousand values at a time, with table and column names taken from the models.

Callers pass values already in database form (`connection.ops.adapt_*`) for inserts."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection

CHUNK = 5000


def chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _lock_clause() -> str:
    features = connection.features
    if not features.has_select_for_update:
        return ""  # SQLite: the IMMEDIATE transaction already serialises writers
    return " FOR NO KEY UPDATE" if features.has_select_for_no_key_update else " FOR UPDATE"


def select_in(
    model,
    fields: list[str],
    column: str,
    values: list,
    *,
    equal: dict | None = None,
    lock: bool = False,
) -> list[tuple]:
    """`fields` of the rows whose `column` is one of `values` and whose other columns equal
    `equal`; with `lock`, the rows are locked for update in primary-key order."""
    equal = equal or {}
    selected = ", ".join(_column(model, name) for name in fields)
    conditions = [f"{_column(model, name)} = %s" for name in equal]
    order = f" ORDER BY {_column(model, 'id')}{_lock_clause()}" if lock else ""
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for chunk in chunks(values):
            marks = ", ".join(["%s"] * len(chunk))
            where = " AND ".join([*conditions, f"{_column(model, column)} IN ({marks})"])
            cursor.execute(
                f"SELECT {selected} FROM {_table(model)} WHERE {where}{order}",  # noqa: S608
                [*equal.values(), *chunk],
            )
            rows += cursor.fetchall()
    return rows


def insert_ignoring_conflicts(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL), one prepared statement run
    with executemany. Rows that would break a unique constraint are skipped."""
    if not rows:
        return
    columns = ", ".join(_column(model, name) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {_table(model)} ({columns}) VALUES ({marks}) "  # noqa: S608
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        for batch in chunks(rows):
            cursor.executemany(sql, batch)


def update_in(model, ids: list[int], **values) -> None:
    """UPDATE the rows with these primary keys, setting `values` (prepared by their fields)."""
    if not ids:
        return
    fields = [model._meta.get_field(name) for name in values]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    prepared = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        for chunk in chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {_table(model)} SET {assignments} "  # noqa: S608
                f"WHERE {_column(model, 'id')} IN ({marks})",
                [*prepared, *chunk],
            )
