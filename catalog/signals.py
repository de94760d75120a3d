"""Sent after a transaction that changed records or their items commits.

The search index listens (`search` app) so that it follows every change, availability
included, without a manual reindex. Receivers get `record_ids` (a list of primary keys, some
of which may no longer exist when a record was deleted), `bulk` (True for changes made
inside `bulk_changes()`, such as a background import: the index may catch up on those in the
background instead of at once) and `availability` (True when only the state of copies changed:
a loan, a return, a hold; the record's text is the same, so the index may take it in a moment
later instead of inside the request)."""

import contextlib
import contextvars
from collections.abc import Iterator

from django.dispatch import Signal

records_changed = Signal()
# Sent inside the transaction, for a change of copies only (`announce(…, availability=True)`).
# A receiver that returns True has taken the change in that same transaction (the search index
# queues its task there when tasks live in the database); `records_changed` then says
# `queued=True`.
copies_changing = Signal()

_bulk: contextvars.ContextVar[bool] = contextvars.ContextVar("catalog_bulk", default=False)


@contextlib.contextmanager
def bulk_changes() -> Iterator[None]:
    """Changes announced inside this block are part of a long batch (an import job)."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def announce(record_ids, *, availability: bool = False) -> None:
    """Call inside a transaction: the signal goes out once it has committed. `availability`:
    only the copies' state changed (circulation, stocktake), not what the record says."""
    from django.db import transaction

    ids = sorted({int(pk) for pk in record_ids})
    if ids:
        bulk = _bulk.get()
        queued = availability and any(
            taken for _receiver, taken in copies_changing.send(sender=None, record_ids=ids)
        )
        transaction.on_commit(
            lambda: records_changed.send(
                sender=None, record_ids=ids, bulk=bulk, availability=availability, queued=queued
            )
        )
