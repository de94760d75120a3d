"""Exports: MARC21 that pymarc reads back field for field, MARCXML, CSV that imports back,
streamed in chunks, and the rule for records too large for ISO 2709."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pymarc import MARCReader, parse_xml_to_array

from catalog.exporting import ExportResult, export_blocks, export_to_file, too_large_path
from catalog.importing.services import import_path
from catalog.marc import marc_dict
from catalog.models import Item, Record

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not DATA.exists(), reason="shared/data is not here"),
]
LC = DATA / "loc-booksall-2016" / "BooksAll.2016.part01.records-000001-006000.utf8.mrc"
LARGE = DATA / "koha-testdata" / "zebraexport_large_biblio_dom_exported_records.xml"


def exported(selection, fmt: str) -> tuple[bytes, ExportResult]:
    result = ExportResult()
    return b"".join(export_blocks(selection, fmt, result)), result


def test_lc_records_come_back_field_for_field(library):
    """The one import of the 6,000-record LC file in the test suite."""
    report = import_path(LC, policy="add")
    assert (report.counts.imported, report.counts.bad) == (6000, 0)
    with CaptureQueriesContext(connection) as queries:
        body, result = exported(Record.objects.all(), "marc21")
    assert result.written == 6000 and not result.too_large
    # Streamed in chunks of 500: a few queries per chunk, whatever the size of the catalogue.
    assert len(queries) <= 3 * (6000 // 500) + 3
    with LC.open("rb") as handle:
        originals = [record.as_dict() for record in MARCReader(handle, to_unicode=True)]
    again = [record.as_dict() for record in MARCReader(body, to_unicode=True)]
    assert len(again) == 6000
    assert again == originals  # leader and every field, subfield and indicator
    assert body == LC.read_bytes()  # LC's UTF-8 records even come back byte for byte


def test_marc8_records_are_exported_as_utf8_that_reads_the_same(library):
    path = DATA / "evergreen-datasets" / "hebrew.marc"
    import_path(path, policy="add")
    body, _result = exported(Record.objects.all(), "marc21")
    again = list(MARCReader(body, to_unicode=True))
    assert len(again) == 20
    for record, stored in zip(again, Record.objects.order_by("pk"), strict=True):
        assert str(record.leader)[9] == "a"  # now UTF-8, and says so
        assert marc_dict(record)["fields"] == stored.marc["fields"]


def test_marcxml_export_reads_back(library):
    import_path(DATA / "pymarc-testdata" / "marc.dat", policy="add")
    body, result = exported(Record.objects.all(), "marcxml")
    records = parse_xml_to_array(io.BytesIO(body))
    assert result.written == len(records) == 20
    stored = Record.objects.order_by("pk")
    assert [marc_dict(r)["fields"] for r in records] == [s.marc["fields"] for s in stored]


def test_a_csv_export_imports_back(library, tmp_path):
    import_path(DATA / "koha-testdata" / "zebraexport_biblio_exported_records.mrc", policy="add")
    before = sorted(Record.objects.values_list("title", "year", "isbn"))
    barcodes = sorted(Item.objects.values_list("barcode", "branch__code"))
    output = tmp_path / "katalog.csv"
    export_to_file(Record.objects.all(), "csv", output)
    Record.objects.all().delete()
    report = import_path(output, policy="add")
    assert report.error == "" and report.counts.bad == 0
    assert sorted(Record.objects.values_list("title", "year", "isbn")) == before
    assert sorted(Item.objects.values_list("barcode", "branch__code")) == barcodes


def test_a_formula_in_a_title_stays_text_in_the_csv(library, tmp_path):
    from catalog.records import ParsedRecord
    from catalog.services import save_parsed_record

    save_parsed_record(ParsedRecord(title="=HYPERLINK(1)"))
    body, _result = exported(Record.objects.all(), "csv")
    assert b"'=HYPERLINK(1)" in body


def test_the_command_writes_a_record_too_large_for_iso2709_as_marcxml_beside(library, tmp_path):
    import_path(DATA / "pymarc-testdata" / "marc.dat", policy="add")
    import_path(LARGE, policy="add")
    large = Record.objects.get(marc_length__gt=99_999)
    # The README says 104,560: pymarc's count, whose directory overflows by a digit there.
    assert large.marc_length == 104_559
    output = tmp_path / "katalog.mrc"
    out = io.StringIO()
    call_command("export_marc", str(output), "--format", "marc21", stdout=out)
    text = out.getvalue()
    assert "Wrote 20 record(s)" in text
    assert "1 record(s) are too large for MARC21" in text
    assert str(too_large_path(output)) in text and f"record {large.pk}" in text
    assert len(list(MARCReader(output.read_bytes()))) == 20  # nothing damaged in the .mrc
    (record,) = parse_xml_to_array(str(too_large_path(output)))
    assert len(record.fields) == 555
    assert marc_dict(record)["fields"] == large.marc["fields"]


def test_the_command_exports_marcxml_and_csv(library, tmp_path):
    import_path(DATA / "pymarc-testdata" / "test.dat", policy="add")
    for fmt in ("marcxml", "csv"):
        output = tmp_path / f"out.{fmt}"
        call_command("export_marc", str(output), "--format", fmt, stdout=io.StringIO())
        assert output.stat().st_size > 0
    assert len(parse_xml_to_array(str(tmp_path / "out.marcxml"))) == 10


def test_import_command_prints_counts_and_json(library, tmp_path):
    out = io.StringIO()
    call_command(
        "import_marc",
        str(DATA / "pymarc-testdata" / "marc.dat"),
        str(DATA / "pymarc-testdata" / "bad_records.mrc"),
        "--list",
        "3",
        stdout=out,
    )
    text = out.getvalue()
    assert "marc.dat (marc21): imported 20, merged 0, skipped 0, bad 0" in text
    assert "bad_records.mrc (marc21): imported 2, merged 0, skipped 0, bad 7" in text
    assert "  bad #2" in text and "and 4 more bad record(s) not listed" in text
    assert "Total: imported 22, merged 0, skipped 0, bad 7" in text

    out = io.StringIO()
    call_command("import_marc", str(DATA / "pymarc-testdata" / "marc.dat"), "--json", stdout=out)
    counts = json.loads(out.getvalue())
    assert {key: counts[key] for key in ("imported", "merged", "skipped", "bad")} == {
        "imported": 0,
        "merged": 0,
        "skipped": 20,  # already there (policy skip)
        "bad": 0,
    }
    assert counts["files"][0]["format"] == "marc21"


def test_import_command_dry_run_saves_nothing_and_unreadable_files_fail(library, tmp_path):
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("import_marc", str(DATA / "pymarc-testdata" / "test.dat"), "--dry-run", stdout=out)
    assert "imported 10" in out.getvalue() and "nothing was saved" in out.getvalue()
    assert not Record.objects.exists()
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02")
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "import_marc",
            str(junk),
            str(DATA / "pymarc-testdata" / "one.dat"),
            "--json",
            stdout=out,
        )
    assert "could not be read" in str(error.value)
    report = json.loads(out.getvalue())
    assert report["imported"] == 1 and report["files"][0]["error"]


def test_a_search_result_is_exported_when_the_search_engine_offers_it(
    library, tmp_path, monkeypatch
):
    import search.engine

    import_path(DATA / "pymarc-testdata" / "test.dat", policy="add")
    wanted = list(Record.objects.order_by("pk").values_list("pk", flat=True)[:3])
    calls = []

    def matching_record_ids(query, filters):
        calls.append((query, filters))
        return wanted

    monkeypatch.setattr(search.engine, "matching_record_ids", matching_record_ids, raising=False)
    output = tmp_path / "hasil.mrc"
    out = io.StringIO()
    call_command("export_marc", str(output), "--query", "python", stdout=out)
    assert calls == [("python", {})]
    assert len(list(MARCReader(output.read_bytes()))) == 3


def test_an_edited_marc_record_exports_the_edit_and_keeps_the_rest(library, make_user):
    """A cataloguer's edit reaches the MARC export; fields the form does not show stay."""
    from catalog.marc import marc_from_record
    from catalog.models import Record
    from catalog.records import ParsedContributor
    from catalog.services import update_record

    cataloguer = make_user("edit-marc", roles={"cataloguer"})
    path = DATA / "loc-indonesian-2016" / "BooksAll.2016.part01.ind-may.shared.utf8.mrc"
    from catalog.importing.readers import read_file
    from catalog.services import save_parsed_record

    _position, parsed = next(iter(read_file(path, "marc21")))
    record = save_parsed_record(parsed, policy="add").record
    original = marc_from_record(record)
    edited = parsed
    edited.title = "Judul yang diperbaiki"
    edited.subjects = ["Sastra Indonesia"]
    edited.contributors = [ParsedContributor("Hirata, Andrea", "author")]
    update_record(record, edited, by=cataloguer)
    record = Record.objects.get(pk=record.pk)
    exported = marc_from_record(record)
    back = next(MARCReader(exported.as_marc(), to_unicode=True))
    assert back["245"]["a"].startswith("Judul yang diperbaiki")
    assert [f["a"] for f in back.get_fields("650")] == ["Sastra Indonesia"]
    assert back["100"]["a"] == "Hirata, Andrea"
    for tag in ("001", "040"):
        if original.get(tag) is not None:
            assert back[tag].value() == original[tag].value()
