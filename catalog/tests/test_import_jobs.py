"""Import jobs: background chunks, progress, resume after an interruption, pause and cancel,
spreadsheets waiting for their column mapping, problems kept with position and reason."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.errors import FileUnreadableError, ImportStateError, MappingRequiredError
from catalog.importing import services
from catalog.importing.readers import read_file
from catalog.models import ImportJob, ImportProblem, ImportStatus, Item, Record
from core.errors import PermissionDeniedError
from core.models import Branch

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (Path(settings.BASE_DIR).parent / "shared" / "data").exists(), reason="no data"
    ),
]
DATA = Path(settings.BASE_DIR).parent / "shared" / "data"


@pytest.fixture
def cataloguer(make_user, library):
    return make_user("katalog", roles={"cataloguer"})


def upload(name: str) -> SimpleUploadedFile:
    path = DATA / name
    return SimpleUploadedFile(path.name, path.read_bytes())


def test_an_upload_is_counted_queued_and_imported_in_the_background(
    cataloguer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.start_import(upload("pymarc-testdata/marc.dat"), by=cataloguer)
    assert callbacks  # the task is enqueued once the upload is committed
    job.refresh_from_db()
    assert (job.format, job.total, job.status) == ("marc21", 20, ImportStatus.DONE)
    assert (job.imported, job.bad, job.position, job.percent) == (20, 0, 20, 100)
    assert job.default_branch == Branch.objects.get(is_main=True)
    assert Record.objects.count() == 20


def test_an_interrupted_import_resumes_where_it_stopped(
    cataloguer, django_capture_on_commit_callbacks
):
    job = services.start_import(upload("pymarc-testdata/marc.dat"), by=cataloguer)
    # The worker does one chunk of 5 records, then dies.
    job = services.run_import(job.pk, chunk_size=5, max_chunks=1)
    assert (job.status, job.position, job.imported) == (ImportStatus.RUNNING, 5, 5)
    assert not services.can_resume(job)  # it still looks alive …
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=10)
    )
    job.refresh_from_db()
    assert services.is_stalled(job) and services.can_resume(job)  # … until it stops moving
    with django_capture_on_commit_callbacks(execute=True):
        services.resume_import(job, by=cataloguer)
    job.refresh_from_db()
    assert (job.status, job.position, job.imported, job.bad) == (ImportStatus.DONE, 20, 20, 0)
    assert Record.objects.count() == 20  # nothing imported twice
    assert Record.objects.values("control_number").distinct().count() == 20


def test_a_second_worker_cannot_redo_a_chunk(cataloguer):
    job = services.start_import(upload("pymarc-testdata/marc.dat"), by=cataloguer)
    services.run_import(job.pk, chunk_size=5, max_chunks=1)
    stale = list(read_file(Path(job.file.path), "marc21"))[:5]  # what a slow worker still holds
    assert services._commit_chunk(job.pk, 0, stale) is None
    assert Record.objects.count() == 5


def test_pause_resume_and_cancel(cataloguer, django_capture_on_commit_callbacks):
    job = services.start_import(upload("pymarc-testdata/marc.dat"), by=cataloguer)
    services.run_import(job.pk, chunk_size=5, max_chunks=1)
    job = services.pause_import(job, by=cataloguer)
    assert job.status == ImportStatus.PAUSED
    assert services.run_import(job.pk).position == 5  # a paused job does not move
    with django_capture_on_commit_callbacks(execute=True):
        services.resume_import(job, by=cataloguer)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.imported == 20
    with pytest.raises(ImportStateError):
        services.cancel_import(job, by=cataloguer)

    other = services.start_import(upload("pymarc-testdata/test.dat"), by=cataloguer)
    other = services.cancel_import(other, by=cataloguer)
    assert other.status == ImportStatus.CANCELLED
    assert services.run_import(other.pk).imported == 0
    with pytest.raises(ImportStateError):
        services.resume_import(other, by=cataloguer)


def test_a_long_import_hands_over_to_a_fresh_task(cataloguer, django_capture_on_commit_callbacks):
    job = services.start_import(upload("pymarc-testdata/marc.dat"), by=cataloguer)
    handed_over = services.run_import(job.pk, chunk_size=5, time_budget=0)
    assert handed_over.position == 5  # one chunk, then a new task was enqueued (and ran)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.imported == 20


def test_bad_records_and_warnings_are_kept_with_position_and_reason(cataloguer):
    job = services.start_import(upload("pymarc-testdata/bad_records.mrc"), by=cataloguer)
    job = services.run_import(job.pk)
    assert (job.total, job.imported, job.bad) == (9, 2, 7)
    problems = list(job.problems.filter(severity="error"))
    assert [p.position for p in problems] == [2, 3, 4, 5, 6, 7, 9]
    assert all(p.reason for p in problems)


def test_copies_of_a_foreign_branch_go_to_the_default_branch_with_a_note(cataloguer):
    cabang = Branch.objects.get(code="cabang")
    job = services.start_import(
        upload("koha-testdata/marc21_utf8.dat"), by=cataloguer, default_branch=cabang
    )
    job = services.run_import(job.pk)
    item = Item.objects.get()
    assert item.branch == cabang
    assert "Branch in the imported file: NPL" in item.notes
    warning = ImportProblem.objects.get(job=job, severity="warning")
    assert "NPL" in warning.reason


def test_duplicates_follow_the_policy(cataloguer):
    first = services.run_import(
        services.start_import(upload("pymarc-testdata/test.dat"), by=cataloguer).pk
    )
    assert first.imported == 10
    again = services.run_import(
        services.start_import(upload("pymarc-testdata/test.dat"), by=cataloguer, policy="skip").pk
    )
    assert (again.imported, again.skipped) == (0, 10)
    assert Record.objects.count() == 10


def test_only_cataloguers_import(make_user, library):
    librarian = make_user("siti", roles={"librarian"})
    with pytest.raises(PermissionDeniedError):
        services.start_import(upload("pymarc-testdata/one.dat"), by=librarian)


def test_a_file_we_cannot_read_is_refused_and_not_kept(cataloguer):
    with pytest.raises(FileUnreadableError):
        services.start_import(SimpleUploadedFile("x.mrc", b"\x00\x01\x1d binary"), by=cataloguer)
    assert not ImportJob.objects.exists()


SHEET = (
    "Judul;Pengarang;Tahun;Kode Eksemplar;Harga\n"
    "Laskar pelangi;Hirata, Andrea;2005;B001;Rp 59.000\n"
    "Bumi manusia;Toer, Pramoedya Ananta;dua ribu;B002;\n"
    "Negeri 5 menara;Fuadi, A.;2009;B001;\n"
)


def test_a_spreadsheet_waits_for_its_mapping_then_imports(
    cataloguer, django_capture_on_commit_callbacks
):
    sheet = SimpleUploadedFile("buku.csv", SHEET.encode())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.start_import(sheet, by=cataloguer)
    assert not callbacks and services.needs_mapping(job)
    assert job.mapping == {
        "Judul": "title",
        "Pengarang": "author",
        "Tahun": "year",
        "Kode Eksemplar": "barcode",
        "Harga": "price",
    }
    with pytest.raises(MappingRequiredError):
        services.confirm_mapping(job, {"Pengarang": "author"}, by=cataloguer)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_mapping(job, job.mapping, by=cataloguer)
    job.refresh_from_db()
    assert (job.status, job.total, job.imported, job.bad) == (ImportStatus.DONE, 4, 1, 2)
    year, barcode = job.problems.order_by("position")
    assert (year.position, year.field) == (3, "Tahun")
    assert (barcode.position, barcode.field) == (4, "Kode Eksemplar")
    assert "B001" in barcode.reason
    assert Item.objects.get().price == 59000
