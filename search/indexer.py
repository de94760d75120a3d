"""Keeping the index equal to the catalogue.

- `index_records(ids)`: re-reads those records and writes their documents (removing the ones
  whose record is gone). The `records_changed` receiver calls it after every committed change
  to records or items, availability included; imports send hundreds of ids at once, which go
  in chunks. Documents are analysed outside the index lock; under the lock the records are
  read again and any that changed meanwhile is analysed again, so a slow writer never puts
  back what a later change replaced. A handful of records (a loan, an edit) is simply read
  and analysed once, under the lock.
- A change of copies' state only (circulation, stocktake: `availability=True`) is handed to
  the background task too (DEFER_AVAILABILITY), so a checkout does not wait for the index.
- A change of more than IMMEDIATE_LIMIT records announced in bulk (inside
  catalog.signals.bulk_changes(): a background import job) is handed to a background task
  (`search.tasks.index_records_task`), so the import goes on while the index catches up;
  every other change (a loan, an edit, `pustaka import_marc`) is indexed at once, before the
  request or command that made it returns.
- `reindex(progress=…)`: every record, in chunks of record ids, each chunk its own transaction:
  search keeps answering from the documents already there while it runs (an unchanged record
  is not even rewritten, its digest says so), then documents without a record are removed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from catalog.models import Record
from search.backends import WriteStats, get_backend
from search.documents import build_document, load_sources
from search.locks import index_write_lock
from search.models import SearchDocument

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
# Up to this many records are read once, under the index lock (see index_records).
READ_ONCE_LIMIT = 5
# Changes announced in bulk of more records than this go to a background task.
IMMEDIATE_LIMIT = 50
# A change of copies' state only (a loan, a return, a hold) goes to a background task too:
# the desk and the kiosk answer without waiting for the index (half of a checkout's queries
# and a lock every writer queues on), and the OPAC's "available now" follows a moment later.
# Record pages read the copies themselves, so they are never behind.
DEFER_AVAILABILITY = getattr(settings, "PUSTAKA_SEARCH_DEFER_AVAILABILITY", True)


def index_records(record_ids: Iterable[int], *, chunk_size: int = CHUNK_SIZE) -> WriteStats:
    ids = sorted({int(pk) for pk in record_ids})
    total = WriteStats()
    backend = get_backend()
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        # A few records (a loan, a return, an edit) are read and analysed once, under the
        # lock: analysis is quick for them and a second read would cost more than it saves.
        prepared = (
            {}
            if len(chunk) <= READ_ONCE_LIMIT
            else {
                source.record_id: (source, build_document(source)) for source in load_sources(chunk)
            }
        )
        with transaction.atomic():
            index_write_lock()
            # What the records hold now that no other index writer can run: a change that
            # committed while the documents were analysed is taken in (its own indexer waits
            # for this lock and finds the documents already current).
            documents = []
            for source in load_sources(chunk):
                before = prepared.get(source.record_id)
                if before is not None and before[0] == source:
                    documents.append(before[1])
                else:
                    documents.append(build_document(source))
            found = {d.record_id for d in documents}
            stats = backend.write(documents, delete_ids=[pk for pk in chunk if pk not in found])
        total.written += stats.written
        total.unchanged += stats.unchanged
        total.deleted += stats.deleted
    return total


def queue_copies_update(sender, record_ids, **kwargs) -> bool:
    """Receiver of catalog.signals.copies_changing (inside the loan's or return's transaction).
    When tasks are kept in this database (the embedded default), the index task is written in
    that same transaction: it commits with the loan or not at all, the worker sees it only
    then, and the request saves a second transaction (on SQLite, a second wait for the write
    lock). With another task backend (RQ) the task is queued after the commit instead: queued
    before it, a worker could index the state the loan is about to replace."""
    from core.tasks import tasks_in_database

    if not DEFER_AVAILABILITY or not tasks_in_database():
        return False
    from search.tasks import index_records_task

    index_records_task.enqueue(sorted({int(pk) for pk in record_ids}))
    return True


def follow_catalogue(
    sender, record_ids, bulk=False, availability=False, queued=False, **kwargs
) -> None:
    """Receiver of catalog.signals.records_changed (sent after commit)."""
    if availability and queued:
        return  # the index task went into the same transaction (queue_copies_update)
    ids = sorted({int(pk) for pk in record_ids})
    if (bulk and len(ids) > IMMEDIATE_LIMIT) or (availability and DEFER_AVAILABILITY):
        try:
            from search.tasks import index_records_task

            index_records_task.enqueue(ids)
            return
        except Exception:
            logger.exception("could not queue the indexing of %s records; indexing now", len(ids))
    try:
        index_records(ids)
    except Exception:
        # The catalogue change is committed whatever happens here; `pustaka reindex` repairs.
        logger.exception("search index not updated for records %s", ids[:20])


@dataclass
class Progress:
    done: int
    total: int
    elapsed: float
    stats: WriteStats

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed else 0.0


def reindex(
    *, chunk_size: int = 1000, progress: Callable[[Progress], None] | None = None
) -> Progress:
    """Rebuild every document from the catalogue, in place."""
    started = time.monotonic()
    total = Record.objects.count()
    stats = WriteStats()
    done = 0
    last_id = 0
    while True:
        ids = list(
            Record.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            break
        chunk = index_records(ids, chunk_size=chunk_size)
        stats.written += chunk.written
        stats.unchanged += chunk.unchanged
        done += len(ids)
        last_id = ids[-1]
        if progress:
            progress(Progress(done, max(total, done), time.monotonic() - started, stats))
    stats.deleted += remove_orphans(chunk_size=chunk_size)
    get_backend().optimise()
    result = Progress(done, max(total, done), time.monotonic() - started, stats)
    if progress:
        progress(result)
    return result


def remove_orphans(*, chunk_size: int = 1000) -> int:
    """Documents whose record no longer exists (a change missed while the index was down)."""
    removed = 0
    last_id = 0
    backend = get_backend()
    while True:
        ids = list(
            SearchDocument.objects.filter(record_id__gt=last_id)
            .order_by("record_id")
            .values_list("record_id", flat=True)[:chunk_size]
        )
        if not ids:
            return removed
        existing = set(Record.objects.filter(pk__in=ids).values_list("pk", flat=True))
        orphans = [pk for pk in ids if pk not in existing]
        if orphans:
            removed += backend.write([], delete_ids=orphans).deleted
        last_id = ids[-1]
