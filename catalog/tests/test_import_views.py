"""The import and export screens: upload, column mapping, progress (with and without htmx),
pause/resume/cancel, the problem list, export with the too-large note, permissions."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from pymarc import MARCReader

from catalog.importing import services
from catalog.models import ImportJob, ImportStatus, Record
from core.tests.test_views import signed_in

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not DATA.exists(), reason="shared/data is not here"),
]


@pytest.fixture
def cataloguer(make_user, library):
    return make_user("katalog", roles={"cataloguer"})


@pytest.fixture
def client(cataloguer):
    client = signed_in(cataloguer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def marc_upload(name="pymarc-testdata/marc.dat"):
    path = DATA / name
    return SimpleUploadedFile(path.name, path.read_bytes())


def test_only_cataloguers_see_the_screens(make_user, library):
    librarian = signed_in(make_user("siti", roles={"librarian"}))
    assert librarian.get(reverse("importing:list")).status_code == 403
    assert librarian.get(reverse("importing:export")).status_code == 403
    from django.test import Client

    anonymous = Client().get(reverse("importing:new"))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_the_staff_menu_links_to_import_and_export(client):
    page = client.get(reverse("core:staff-home")).content.decode()
    assert reverse("importing:list") in page and reverse("importing:export") in page


def test_uploading_a_marc_file_imports_it_and_shows_the_report(
    client, django_capture_on_commit_callbacks
):
    assert client.get(reverse("importing:new")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("importing:new"),
            {"file": marc_upload("pymarc-testdata/bad_records.mrc"), "policy": "skip"},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("importing:detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Finished" in page
    assert 'max="9" value="9"' in page  # <progress> with its text beside it
    assert "9 of 9 read (100%)" in page
    assert "the base address of data" in page  # the bad records, with their reasons
    assert 'hx-trigger="every 1s"' not in page  # nothing left to watch
    listing = client.get(reverse("importing:list")).content.decode()
    assert "bad_records.mrc" in listing


def test_a_file_that_is_nothing_we_read_gets_a_message(client):
    response = client.post(
        reverse("importing:new"),
        {"file": SimpleUploadedFile("notes.bin", b"\x00\x01\x02\x1d"), "policy": "skip"},
    )
    assert response.status_code == 200
    assert "cannot be read" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_progress_is_polled_by_htmx_while_running(client, cataloguer):
    job = services.start_import(marc_upload(), by=cataloguer)
    services.run_import(job.pk, chunk_size=5, max_chunks=1)
    url = reverse("importing:detail", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "Pause" in page
    assert "Refresh" in page  # without JavaScript, a link does what the polling does
    partial = client.get(url, {"poll": "1"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert 'max="20" value="5"' in body and "5 of 20 read (25%)" in body
    services.run_import(job.pk)
    finished = client.get(url, {"poll": "1"}, HTTP_HX_REQUEST="true")
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"


def test_pause_resume_and_cancel_buttons(client, cataloguer, django_capture_on_commit_callbacks):
    job = services.start_import(marc_upload(), by=cataloguer)
    services.run_import(job.pk, chunk_size=5, max_chunks=1)
    control = reverse("importing:control", args=[job.pk])
    assert client.post(control, {"action": "pause"}).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.PAUSED
    page = client.get(reverse("importing:detail", args=[job.pk])).content.decode()
    assert "Resume" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(control, {"action": "resume"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.imported == 20
    response = client.post(control, {"action": "cancel"}, follow=True)
    assert "cannot be cancelled" in response.content.decode()
    assert client.post(control, {"action": "explode"}).status_code == 400
    assert client.get(control).status_code == 405


def test_a_spreadsheet_goes_through_the_column_screen(client, django_capture_on_commit_callbacks):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Judul", "Penulis", "Thn", "Kode Eksemplar"])
    sheet.append(["Laskar pelangi", "Hirata, Andrea", 2005, "B001"])
    sheet.append(["Bumi manusia", "Toer, Pramoedya Ananta", 1980, "B002"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        reverse("importing:new"),
        {"file": SimpleUploadedFile("buku.xlsx", buffer.getvalue()), "policy": "skip"},
    )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("importing:mapping", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Laskar pelangi" in page  # the first rows, to see what each column holds
    assert '<option value="title" selected>' in page  # Judul, guessed
    # "Thn" is not guessed: the cataloguer says it is the year.
    fields = {"column_0": "title", "column_1": "author", "column_2": "", "column_3": "barcode"}
    fields["column_2"] = "title"
    twice = client.post(response["Location"], fields)
    assert "chosen for two columns" in twice.content.decode()
    fields["column_2"] = "year"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response["Location"], fields)
    assert done["Location"] == reverse("importing:detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.imported) == (ImportStatus.DONE, 2)
    assert sorted(Record.objects.values_list("year", flat=True)) == [1980, 2005]


def test_the_export_page_counts_and_the_download_streams(client, cataloguer):
    services.run_import(services.start_import(marc_upload(), by=cataloguer).pk)
    page = client.get(reverse("importing:export")).content.decode()
    assert "20 records will be exported" in page
    response = client.get(reverse("importing:export-download"), {"format": "marc21"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].endswith('.mrc"')
    body = b"".join(response.streaming_content)
    assert len(list(MARCReader(body))) == 20
    csv_response = client.get(reverse("importing:export-download"), {"format": "csv"})
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["title", "subtitle"] and len(rows) == 21


def test_a_record_too_large_for_marc21_is_named_and_offered_as_marcxml(client, cataloguer):
    name = "koha-testdata/zebraexport_large_biblio_dom_exported_records.xml"
    services.run_import(services.start_import(marc_upload(name), by=cataloguer).pk)
    page = client.get(reverse("importing:export"), {"format": "marc21"}).content.decode()
    assert "1 record is too large for MARC21" in page
    marc21 = client.get(reverse("importing:export-download"), {"format": "marc21"})
    assert b"".join(marc21.streaming_content) == b""  # left out, not written damaged
    xml = client.get(reverse("importing:export-download"), {"format": "marc21", "too_large": "1"})
    assert xml["Content-Disposition"].endswith('.xml"')
    assert b"".join(xml.streaming_content).count(b"<record>") == 1
