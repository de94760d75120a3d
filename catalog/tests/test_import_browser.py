"""Importing in Chromium: upload a MARC file through the form, watch the progress bar move
(htmx polling) to the end, read the report; the column screen of a spreadsheet; the export
page. axe-core on every page. Uses the browser fixtures of tests/browser (skipped without
Chromium, like those)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from playwright.sync_api import expect

from catalog.importing import services
from catalog.models import ImportJob, ImportStatus
from tests.browser import conftest as browser
from tests.browser.helpers import assert_accessible, take_screenshots

browser_type_launch_args = browser.browser_type_launch_args
browser_context_args = browser.browser_context_args
page = browser.page
site = browser.site

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not browser.CHROMIUM.exists() and not browser._browser_required(),
        reason=f"{browser.CHROMIUM} is missing; PUSTAKA_REQUIRE_BROWSER unset",
    ),
    pytest.mark.skipif(not DATA.exists(), reason="shared/data is not here"),
]


def sign_in_as(page, site, user) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site("/")},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": site("/")},
        ]
    )


def test_cataloguer_uploads_a_file_and_watches_it_to_the_end(
    page, site, library, make_user, monkeypatch
):
    cataloguer = make_user("katalog", roles={"cataloguer"})
    sign_in_as(page, site, cataloguer)

    # Through the form (the test task backend runs the import as soon as it is queued).
    page.goto(site("/staff/catalogue/import/new/"))
    assert_accessible(page)
    take_screenshots(page, "import-upload")
    page.locator("#id_file").set_input_files(str(DATA / "pymarc-testdata" / "bad_records.mrc"))
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("h1")).to_have_text("bad_records.mrc")
    expect(page.locator("#job-progress")).to_contain_text("Finished")
    problems = page.locator("section[aria-labelledby=problems-h] tbody tr")
    expect(problems).to_have_count(7)  # the bad records, listed
    assert_accessible(page)
    take_screenshots(page, "import-report")

    # A job the worker is in the middle of: the page polls, and reloads when it is done.
    path = DATA / "pymarc-testdata" / "marc.dat"
    monkeypatch.setattr(services, "_enqueue", lambda job: None)  # this test is the worker
    job = services.start_import(SimpleUploadedFile(path.name, path.read_bytes()), by=cataloguer)
    services.run_import(job.pk, chunk_size=5, max_chunks=1)
    page.goto(site(f"/staff/catalogue/import/{job.pk}/"))
    expect(page.locator("#job-progress-text")).to_contain_text("5 of 20 read (25%)")
    assert_accessible(page)
    take_screenshots(page, "import-progress")
    services.run_import(job.pk, chunk_size=5, max_chunks=1)
    expect(page.locator("#job-progress-text")).to_contain_text("10 of 20 read (50%)")
    services.run_import(job.pk)
    expect(page.locator("#job-progress")).to_contain_text("Finished", timeout=10_000)
    expect(page.get_by_role("button", name="Pause")).to_have_count(0)
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE


def test_spreadsheet_columns_and_the_export_page(page, site, library, make_user):
    cataloguer = make_user("katalog", roles={"cataloguer"})
    sign_in_as(page, site, cataloguer)
    csv_path = Path(settings.MEDIA_ROOT) / "daftar-buku.csv"
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    csv_path.write_text(
        "Judul;Pengarang;Thn;Kode Eksemplar\nLaskar pelangi;Hirata, Andrea;2005;B001\n",
        encoding="utf-8",
    )
    page.goto(site("/staff/catalogue/import/new/"))
    page.locator("#id_file").set_input_files(str(csv_path))
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("h1")).to_have_text("Columns of the spreadsheet")
    assert_accessible(page)
    take_screenshots(page, "import-columns")
    page.get_by_label("Thn").select_option("year")
    page.get_by_role("button", name="Start the import").click()
    expect(page.locator("#job-progress")).to_contain_text("Finished")

    page.goto(site("/staff/catalogue/import/export/"))
    expect(page.locator("main")).to_contain_text("1 record will be exported")
    assert_accessible(page)
    take_screenshots(page, "export")
