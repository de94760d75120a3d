"""The index follows the catalogue by itself: creates, edits, deletes, copies and their
status (availability), big batches; `pustaka reindex` repairs and rebuilds in place."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import Record
from catalog.records import ParsedContributor, ParsedRecord
from catalog.signals import records_changed
from core.models import Branch
from search.backends import get_backend
from search.documents import build_document, load_sources
from search.engine import search
from search.facets import Filters
from search.indexer import index_records
from search.models import SearchDocument, SearchTerm

pytestmark = pytest.mark.django_db


def found(text, **filters):
    return set(search(text, Filters(**filters)).record_ids)


def assert_vocabulary_is_exact():
    """The term counts equal a count made from scratch over every record."""
    expected = Counter()
    for source in load_sources(Record.objects.values_list("pk", flat=True)):
        expected.update(build_document(source).vocabulary())
    actual = dict(SearchTerm.objects.filter(records__gt=0).values_list("term", "records"))
    assert actual == dict(expected)
    assert not SearchTerm.objects.filter(records__lt=0).exists()


def test_a_new_record_is_found_at_once(add_record):
    record = add_record("Bumi manusia", contributors=["Pramoedya Ananta Toer"])
    assert found("bumi") == {record.pk}
    assert SearchDocument.objects.filter(record_id=record.pk).exists()
    assert_vocabulary_is_exact()


def test_an_edited_record_is_found_by_its_new_words_only(
    add_record, cataloguer, django_capture_on_commit_callbacks
):
    from catalog.services import update_record

    record = add_record("Bumi manusia", contributors=["Pramoedya Ananta Toer"])
    with django_capture_on_commit_callbacks(execute=True):
        update_record(
            record,
            ParsedRecord(title="Anak semua bangsa", contributors=[ParsedContributor("Toer, P.")]),
            by=cataloguer,
        )
    assert found("bumi") == set()
    assert found("bangsa") == {record.pk}
    assert_vocabulary_is_exact()
    assert not SearchTerm.objects.filter(term="bumi").exists()


def test_a_deleted_record_leaves_the_index(
    add_record, cataloguer, django_capture_on_commit_callbacks
):
    from catalog.services import delete_record

    keep = add_record("Bumi manusia", items=["pusat"])
    gone = add_record("Bumi yang lain", items=["pusat"])
    with django_capture_on_commit_callbacks(execute=True):
        delete_record(gone, by=cataloguer)
    assert found("bumi") == {keep.pk}
    assert not SearchDocument.objects.filter(record_id=gone.pk).exists()
    assert SearchTerm.objects.get(term="bumi").records == 1
    assert_vocabulary_is_exact()


def test_copies_and_their_status_move_the_availability_facets(
    add_record, cataloguer, django_capture_on_commit_callbacks
):
    from catalog.services import add_items, delete_item, update_item

    pusat = Branch.objects.get(code="pusat")
    record = add_record("Bumi manusia")
    assert found("bumi", available=True) == set()
    assert not SearchDocument.objects.get(record_id=record.pk).has_copies
    with django_capture_on_commit_callbacks(execute=True):
        (item,) = add_items(record, count=1, branch=pusat, by=cataloguer)
    assert found("bumi", available=True) == {record.pk}
    assert found("bumi", branch=(pusat.pk,), available=True) == {record.pk}
    with django_capture_on_commit_callbacks(execute=True):
        update_item(item, {"status": "on_loan"}, by=cataloguer)
    assert found("bumi", available=True) == set()
    assert found("bumi", branch=(pusat.pk,)) == {record.pk}
    with django_capture_on_commit_callbacks(execute=True):
        update_item(item, {"status": "withdrawn"}, by=cataloguer)
    assert found("bumi", branch=(pusat.pk,)) == set()  # a withdrawn copy is not shown
    with django_capture_on_commit_callbacks(execute=True):
        delete_item(item, by=cataloguer)
    assert not SearchDocument.objects.get(record_id=record.pk).has_copies
    assert_vocabulary_is_exact()


def test_a_batch_of_many_records_is_indexed_in_chunks(library, django_capture_on_commit_callbacks):
    from django.utils import timezone

    now = timezone.now()
    records = Record.objects.bulk_create(
        Record(title=f"Kumpulan cerita rakyat jilid {n}", created_at=now) for n in range(1, 1201)
    )
    ids = [r.pk for r in records] + [999_999_999]  # one that does not exist
    records_changed.send(sender=None, record_ids=ids)
    assert search("cerita rakyat").total == 1200
    assert search("jilid 777").total == 1
    assert SearchTerm.objects.get(term="_all").records == 1200


def test_an_unchanged_record_is_not_rewritten(add_record):
    record = add_record("Bumi manusia")
    stats = index_records([record.pk])
    assert (stats.written, stats.unchanged, stats.deleted) == (0, 1, 0)


def test_a_failing_index_update_does_not_undo_the_catalogue_change(add_record, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(get_backend()), "write", broken)
    record = add_record("Bumi manusia")
    assert Record.objects.filter(pk=record.pk).exists()
    assert "search index not updated" in caplog.text


def test_reindex_repairs_a_damaged_index_and_reports_progress(add_record):
    first = add_record("Bumi manusia", items=["pusat"])
    second = add_record("Anak semua bangsa")
    get_backend().write([], delete_ids=[first.pk])  # lost
    orphan = build_document(load_sources([second.pk])[0])
    orphan.record_id = 424242
    get_backend().write([orphan])  # a record deleted while the index was not listening
    assert found("bumi") == set()
    out = StringIO()
    call_command("reindex", "--chunk-size", "1", stdout=out)
    assert found("bumi") == {first.pk}
    assert found("bangsa") == {second.pk}
    assert not SearchDocument.objects.filter(record_id=424242).exists()
    text = out.getvalue()
    assert "2 / 2 records" in text and "records/s" in text
    assert "1 removed" in text
    assert_vocabulary_is_exact()


def test_search_answers_while_reindex_runs(add_record):
    from search.indexer import reindex

    records = [add_record(f"Cerita rakyat {n}") for n in range(3)]
    seen = []
    reindex(chunk_size=1, progress=lambda p: seen.append(search("cerita").total))
    assert seen and all(total == len(records) for total in seen)


def test_a_bulk_change_goes_to_a_background_task_and_a_small_one_does_not(library, monkeypatch):
    from django.utils import timezone

    from search import indexer, tasks

    queued = []

    class Queue:
        def enqueue(self, ids):
            queued.append(ids)

    monkeypatch.setattr(tasks, "index_records_task", Queue())
    now = timezone.now()
    records = Record.objects.bulk_create(
        Record(title=f"Hikayat nomor {n}", created_at=now) for n in range(120)
    )
    ids = [r.pk for r in records]
    # In bulk and big: queued, not indexed here.
    records_changed.send(sender=None, record_ids=ids, bulk=True)
    assert queued == [sorted(ids)]
    assert search("hikayat").total == 0
    # In bulk but small (a few records): at once.
    records_changed.send(sender=None, record_ids=ids[: indexer.IMMEDIATE_LIMIT], bulk=True)
    assert search("hikayat").total == indexer.IMMEDIATE_LIMIT
    # Not in bulk (an edit, the command line): at once, however many.
    records_changed.send(sender=None, record_ids=ids)
    assert search("hikayat").total == 120
    assert len(queued) == 1


def test_a_change_of_copies_only_is_indexed_by_the_background_task(
    add_record, cataloguer, monkeypatch, django_capture_on_commit_callbacks
):
    """A loan or a return (availability only) does not wait for the index: the facet follows
    when the worker runs the task; a change of what the record says is still indexed at once."""
    from catalog.models import Item
    from catalog.services import add_items
    from catalog.signals import announce
    from search import tasks

    worker = tasks.index_records_task
    queued = []

    class Queue:
        def enqueue(self, ids):
            queued.append(ids)

    pusat = Branch.objects.get(code="pusat")
    record = add_record("Bumi manusia")
    with django_capture_on_commit_callbacks(execute=True):
        (item,) = add_items(record, count=1, branch=pusat, by=cataloguer)
    assert found("bumi", available=True) == {record.pk}

    monkeypatch.setattr(tasks, "index_records_task", Queue())
    with django_capture_on_commit_callbacks(execute=True):
        Item.objects.filter(pk=item.pk).update(status="on_loan")
        announce([record.pk], availability=True)  # what circulation announces
    assert queued == [[record.pk]]
    assert found("bumi", available=True) == {record.pk}  # not yet: the worker has not run
    worker.call(queued[0])  # the worker runs it
    assert found("bumi", available=True) == set()

    with django_capture_on_commit_callbacks(execute=True):
        Record.objects.filter(pk=record.pk).update(title="Anak semua bangsa")
        announce([record.pk])  # what cataloguing announces
    assert found("bangsa") == {record.pk}  # at once
    assert len(queued) == 1


def test_with_tasks_in_the_database_the_index_task_commits_with_the_loan_or_not_at_all(
    add_record, cataloguer, django_capture_on_commit_callbacks, settings
):
    """The embedded default keeps tasks in the database: the task row for a change of copies is
    written in the change's own transaction, so a rolled-back loan leaves no task and a
    committed one leaves exactly one, which the worker then runs."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from catalog.models import Item
    from catalog.services import add_items
    from catalog.signals import announce
    from search.tasks import index_records_task

    pusat = Branch.objects.get(code="pusat")
    record = add_record("Bumi manusia")
    with django_capture_on_commit_callbacks(execute=True):
        (item,) = add_items(record, count=1, branch=pusat, by=cataloguer)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        Item.objects.filter(pk=item.pk).update(status="on_loan")
        announce([record.pk], availability=True)
        raise Undone
    assert not DBTaskResult.objects.exists()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Item.objects.filter(pk=item.pk).update(status="on_loan")
        announce([record.pk], availability=True)
        assert DBTaskResult.objects.count() == 1  # inside the same transaction
    (queued,) = DBTaskResult.objects.all()
    assert queued.args_kwargs["args"] == [[record.pk]]
    assert found("bumi", available=True) == {record.pk}  # after commit, nothing indexed here
    index_records_task.call(*queued.args_kwargs["args"])  # what the worker runs
    assert found("bumi", available=True) == set()


def test_the_background_task_indexes_its_batch(library):
    from django.utils import timezone

    from search.tasks import index_records_task

    now = timezone.now()
    records = Record.objects.bulk_create(
        Record(title=f"Babad tanah jawi {n}", created_at=now) for n in range(60)
    )
    index_records_task.call([r.pk for r in records])
    assert search("babad").total == 60
    assert_vocabulary_is_exact()


def test_an_import_job_hands_its_chunks_to_the_index_task(
    cataloguer, django_capture_on_commit_callbacks, monkeypatch
):
    """The background import announces its chunks in bulk; the task (immediate in tests)
    indexes them."""
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.importing.services import start_import
    from search import tasks

    calls = []
    original = tasks.index_records_task

    class Spy:
        def enqueue(self, ids):
            calls.append(len(ids))
            return original.enqueue(ids)

    monkeypatch.setattr(tasks, "index_records_task", Spy())
    data = (
        Path(__file__).resolve().parents[3]
        / "shared/data/loc-booksall-2016/BooksAll.2016.part01.records-000001-006000.utf8.mrc"
    ).read_bytes()
    # The first 120 records (ISO 2709: each ends with 0x1d).
    cut = 0
    for _ in range(120):
        cut = data.index(b"\x1d", cut) + 1
    upload = SimpleUploadedFile("lc.mrc", data[:cut])
    with django_capture_on_commit_callbacks(execute=True):
        start_import(upload, by=cataloguer, policy="add")
    assert calls and sum(calls) == 120
    assert SearchTerm.objects.get(term="_all").records == 120


def test_a_change_made_while_documents_were_analysed_is_not_lost(add_record, monkeypatch):
    """Documents are analysed outside the index lock; a record that changed in between is
    read and analysed again under the lock."""
    from search import indexer

    record = add_record("Bumi manusia")
    real = indexer.load_sources
    calls = []

    def load_then_change(ids):
        sources = real(ids)
        if not calls:
            Record.objects.filter(pk=record.pk).update(title="Anak semua bangsa")
        calls.append(ids)
        return sources

    monkeypatch.setattr(indexer, "load_sources", load_then_change)
    monkeypatch.setattr(indexer, "READ_ONCE_LIMIT", 0)  # as for a batch of many records
    index_records([record.pk])
    assert len(calls) == 2
    assert found("bangsa") == {record.pk}
    assert found("bumi") == set()
    assert_vocabulary_is_exact()


def test_a_single_changed_record_is_read_once_under_the_lock(add_record, monkeypatch):
    """A loan or an edit touches one record: it is read and analysed once, under the lock."""
    from search import indexer

    record = add_record("Bumi manusia")
    real = indexer.load_sources
    calls = []

    def counting(ids):
        calls.append(ids)
        return real(ids)

    monkeypatch.setattr(indexer, "load_sources", counting)
    Record.objects.filter(pk=record.pk).update(title="Anak semua bangsa")
    index_records([record.pk])
    assert calls == [[record.pk]]
    assert found("bangsa") == {record.pk} and found("bumi") == set()
    assert_vocabulary_is_exact()
