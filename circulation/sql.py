"""The desk's hottest reads in plain SQL. Every scan at the desk and every kiosk message asks
them; building each through the ORM (filters, compiler, model instances) costs about 0.7 ms of
CPU, three to four times the statement itself, so these few send the statement Django would
send, with table and column names taken from the models. Anything that needs model instances,
or is not on every scan, stays in `selectors.py`.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from catalog.models import Item
from circulation.models import FineEntry, Loan
from circulation.states import OPEN_LOAN_STATES, LoanState
from core import compiled
from patrons.models import Member


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _one(sql: str, params: list) -> tuple | None:
    rows = compiled.execute(sql, params)  # prepared by PostgreSQL after a few runs
    return rows[0] if rows else None


def _in(values) -> str:
    """Constant states written into the statement (not parameters), so that a prepared plan
    can use the partial indexes they select (`open_loans_by_member`, `one_active_loan_per_item`)."""
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in sorted(values))


def member_id_for_card(codes: set[str]) -> int | None:
    """The member whose card number is one of `codes` (the lowest id if several)."""
    row = _one(
        f"SELECT {_q('id')} FROM {_q(Member._meta.db_table)} "  # noqa: S608 - names from models
        f"WHERE {_q('number')} IN ({', '.join(['%s'] * len(codes))}) ORDER BY {_q('id')} LIMIT 1",
        sorted(codes),
    )
    return row[0] if row else None


def copy_for_barcode(barcode: str) -> tuple[int, str] | None:
    """(id, barcode) of the copy with this barcode."""
    return _one(
        f"SELECT {_q('id')}, {_q('barcode')} FROM {_q(Item._meta.db_table)} "  # noqa: S608
        f"WHERE {_q('barcode')} = %s LIMIT 1",
        [barcode],
    )


def open_loan_holder(item_id: int) -> tuple[int, int | None] | None:
    """(loan id, member id) of the copy's open loan, if it is on loan."""
    return _one(
        f"SELECT {_q('id')}, {_q('member_id')} FROM {_q(Loan._meta.db_table)} "  # noqa: S608
        f"WHERE {_q('item_id')} = %s AND {_q('state')} IN ({_in(OPEN_LOAN_STATES)}) "
        f"ORDER BY {_q('id')} LIMIT 1",
        [item_id],
    )


def loan_and_fine_counts(member_id: int, *, at: dt.datetime) -> tuple[int, int, int]:
    """(open loans, of them overdue at `at`, ledger balance in Rupiah) in one statement."""
    loans, fines = _q(Loan._meta.db_table), _q(FineEntry._meta.db_table)
    row = _one(
        f"SELECT (SELECT COUNT(*) FROM {loans} WHERE {_q('member_id')} = %s "  # noqa: S608
        f"AND {_q('state')} IN ({_in(OPEN_LOAN_STATES)})), "
        f"(SELECT COUNT(*) FROM {loans} WHERE {_q('member_id')} = %s "
        f"AND {_q('state')} IN ({_in([LoanState.ON_LOAN])}) AND {_q('due_at')} < %s), "
        f"(SELECT COALESCE(SUM({_q('amount')}), 0) FROM {fines} WHERE {_q('member_id')} = %s)",
        [member_id, member_id, connection.ops.adapt_datetimefield_value(at), member_id],
    )
    return int(row[0]), int(row[1]), int(row[2])
