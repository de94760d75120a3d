"""Sent after a transaction that changed records or their items commits.

The search index listens (`search` app) so that it follows every change, availability
included, without a manual reindex. Receivers get `record_ids` (a list of primary keys, some
of which may no longer exist when a record was deleted)."""

from django.dispatch import Signal

records_changed = Signal()


def announce(record_ids) -> None:
    """Call inside a transaction: the signal goes out once it has committed."""
    from django.db import transaction

    ids = sorted({int(pk) for pk in record_ids})
    if ids:
        transaction.on_commit(lambda: records_changed.send(sender=None, record_ids=ids))
