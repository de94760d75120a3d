"""Readers: formats recognised by content, broken files reported with position and reason
(never a crash), spreadsheets read through a column mapping."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import Workbook

from catalog.errors import FileUnreadableError
from catalog.importing import iso2709, spreadsheets
from catalog.importing.readers import RecordProblem, count_records, detect_format, read_file
from catalog.importing.values import parse_date, parse_price, parse_year

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="shared/data is not here")


@pytest.fixture(autouse=True)
def english():
    """The messages asserted here are the English originals; the default language is Indonesian."""
    with translation.override("en"):
        yield


def problems(path: Path, fmt: str | None = None) -> list[RecordProblem]:
    return [
        entry
        for _position, entry in read_file(path, fmt or detect_format(path))
        if isinstance(entry, RecordProblem)
    ]


@needs_data
@pytest.mark.parametrize(
    ("name", "position", "words"),
    [
        ("pymarc-testdata/1251.dat", 1, "not valid MARC-8"),
        ("pymarc-testdata/bad_eacc_encoding.dat", 1, "EACC"),
        ("pymarc-testdata/testunimarc.dat", 1, "UNIMARC"),
        ("koha-testdata/marc21_marc8_errors.dat", 1, "record length of 462"),
        ("evergreen-datasets/oss.marc", 28, "non-ASCII byte (0x92 at position 22)"),
        ("evergreen-datasets/auth-subset100.mrc", 1, "authority record"),
        ("evergreen-datasets/serials_mfhd.xml", 1, "holdings record (MFHD)"),
        ("pymarc-testdata/bad_tag.xml", 1, "tag “42”"),
        ("pymarc-testdata/bad_records.mrc", 2, "base address"),
    ],
)
def test_broken_records_are_named_with_their_position_and_reason(name, position, words):
    found = problems(DATA / name)
    assert found[0].position == position
    assert words in found[0].reason


@needs_data
def test_a_truncated_file_reports_its_last_record():
    data = (DATA / "pymarc-testdata" / "test.dat").read_bytes()
    cut = data[: len(data) - 100]
    entries = list(read_file(_write(cut, ".mrc"), "marc21"))
    assert len(entries) == 10
    assert isinstance(entries[-1][1], RecordProblem)
    assert "truncated" in entries[-1][1].reason


@needs_data
def test_resuming_skips_records_without_reading_them_again():
    path = DATA / "pymarc-testdata" / "marc.dat"
    everything = [position for position, _entry in read_file(path, "marc21")]
    assert [position for position, _e in read_file(path, "marc21", after=15)] == everything[15:]
    xml = DATA / "pymarc-testdata" / "batch.xml"
    assert [position for position, _e in read_file(xml, "marcxml", after=1)] == [2]


@needs_data
def test_records_are_counted_for_the_progress_bar():
    assert count_records(DATA / "pymarc-testdata" / "bad_records.mrc", "marc21") == 9
    assert count_records(DATA / "koha-sample-db" / "koha_sample_biblios.marcxml", "marcxml") == 435
    assert count_records(DATA / "evergreen-datasets" / "serials_marc21.xml", "marcxml") == 7


def _write(content: bytes, suffix: str) -> Path:
    import tempfile

    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)  # noqa: SIM115
    handle.write(content)
    handle.close()
    return Path(handle.name)


RECORD_XML = (
    '<record><leader>00000nam a2200000 a 4500</leader><controlfield tag="001">{n}</controlfield>'
    '<datafield tag="245" ind1="0" ind2="0"><subfield code="a">{title}</subfield></datafield>'
    "</record>"
)


def test_marcxml_without_a_root_element_is_read_record_by_record():
    body = "\n".join(RECORD_XML.format(n=n, title=f"Judul {n}") for n in range(1, 4))
    entries = list(read_file(_write(body.encode(), ".xml"), "marcxml"))
    assert [entry.title for _position, entry in entries] == ["Judul 1", "Judul 2", "Judul 3"]
    assert "no root element" in entries[1][1].warnings[0]


def test_a_raw_control_character_in_marcxml_spoils_only_its_record():
    records = [RECORD_XML.format(n=n, title=f"Judul {n}") for n in range(1, 4)]
    records[1] = records[1].replace(">2<", ">00\x1faD000015937<")
    text = '<?xml version="1.0"?>\n<collection>' + "".join(records) + "</collection>"
    entries = list(read_file(_write(text.encode(), ".xml"), "marcxml"))
    assert len(entries) == 3
    bad = entries[1][1]
    assert isinstance(bad, RecordProblem) and bad.position == 2
    assert "U+001F" in bad.reason and bad.field == "001"
    assert entries[2][1].title == "Judul 3"


def test_xml_that_breaks_off_is_reported_where_it_breaks():
    text = "<collection>" + RECORD_XML.format(n=1, title="Satu") + "<record><leader>"
    entries = list(read_file(_write(text.encode(), ".xml"), "marcxml"))
    assert entries[0][1].title == "Satu"
    problem = entries[1][1]
    assert isinstance(problem, RecordProblem) and problem.position == 2
    assert "line 1" in problem.reason and "not well-formed" in problem.reason


def test_files_that_are_nothing_we_read_are_refused_whole():
    with pytest.raises(FileUnreadableError):
        detect_format(_write(b"", ".mrc"))
    with pytest.raises(FileUnreadableError):
        detect_format(_write(b"\xd0\xcf\x11\xe0old excel", ".xls"))
    with pytest.raises(FileUnreadableError):
        list(read_file(_write(b"<html><body>hello</body></html>", ".xml"), "marcxml"))
    assert detect_format(_write(b"judul;pengarang\nA;B\n", ".txt")) == "csv"


def test_iso2709_chunks_survive_garbage_between_records():
    record = b"00026nam  2200025   4500\x1e\x1d"
    stream = io.BytesIO(record + b"\n\n   " + b"garbage\x1d" + record + b"\n")
    chunks = list(iso2709.chunks(stream))
    assert [chunk.position for chunk in chunks] == [1, 2, 3]
    assert [bool(chunk.problem) for chunk in chunks] == [False, True, False]


# ---------------------------------------------------------------------------------------------
# Spreadsheets

ROWS = [
    ["DAFTAR BUKU PERPUSTAKAAN DESA"],
    [],
    ["No", "Judul", "Pengarang", "Penerbit", "Tahun", "ISBN", "Kode Eksemplar", "Harga", "Lokasi"],
    [
        1,
        "Laskar pelangi",
        "Hirata, Andrea",
        "Bentang",
        2005,
        "979-3062-79-7",
        "B001; B002",
        "Rp 59.000",
        "Rak 1",
    ],
    [
        2,
        "Bumi manusia",
        "Toer, Pramoedya Ananta",
        "Hasta Mitra",
        "1980",
        "",
        "B003",
        "75000",
        "Rak 2",
    ],
    [3, "Ronggeng Dukuh Paruk", "Tohari, Ahmad", "Gramedia", "dua ribu", "", "B004", "", ""],
    [4, "Negeri 5 menara", "Fuadi, A.", "Gramedia", 2009, "", "B005", "murah", ""],
    [5, "", "Tanpa judul", "", "", "", "", "", ""],
]


def _csv(rows, delimiter=";") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return _write(buffer.getvalue().encode("utf-8-sig"), ".csv")


def _xlsx(rows) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = _write(b"", ".xlsx")
    workbook.save(path)
    return path


def test_headers_are_recognised_in_indonesian_and_english():
    mapping = spreadsheets.guess_mapping(
        [
            "Judul",
            "Pengarang",
            "Penerbit",
            "Tahun Terbit",
            "ISBN",
            "Kode Eksemplar",
            "Harga",
            "Lokasi",
            "Title",
            "Call Number",
            "Subjek",
            "Catatan",
        ]
    )
    assert mapping == {
        "Judul": "title",
        "Pengarang": "author",
        "Penerbit": "publisher",
        "Tahun Terbit": "year",
        "ISBN": "isbn",
        "Kode Eksemplar": "barcode",
        "Harga": "price",
        "Lokasi": "shelf_location",
        "Call Number": "call_number",
        "Subjek": "subjects",
        "Catatan": "notes",
    }


@pytest.mark.parametrize("maker", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_a_spreadsheet_is_read_through_its_mapping_and_bad_cells_are_named(maker):
    path = maker(ROWS)
    fmt = detect_format(path)
    assert fmt == ("xlsx" if maker is _xlsx else "csv")
    header_row, headers = spreadsheets.find_header(path, fmt)
    assert header_row == 3  # under the title line and the blank row
    mapping = spreadsheets.guess_mapping(headers)
    entries = dict(read_file(path, fmt, mapping=mapping))
    assert sorted(entries) == [4, 5, 6, 7, 8]  # spreadsheet row numbers
    laskar = entries[4]
    assert (laskar.title, laskar.year, laskar.isbns) == ("Laskar pelangi", 2005, ["979-3062-79-7"])
    assert [(c.name, c.role) for c in laskar.contributors] == [("Hirata, Andrea", "author")]
    assert [(i.barcode, i.price, i.shelf_location) for i in laskar.items] == [
        ("B001", 59000, "Rak 1"),
        ("B002", 59000, "Rak 1"),
    ]
    assert entries[5].year == 1980 and entries[5].items[0].price == 75000
    year = entries[6]
    assert isinstance(year, RecordProblem) and year.field == "Tahun" and year.position == 6
    assert "dua ribu" in year.reason and "year" in year.reason
    price = entries[7]
    assert isinstance(price, RecordProblem) and price.field == "Harga"
    untitled = entries[8]
    assert isinstance(untitled, RecordProblem) and untitled.field == "Judul"


def test_a_mapped_column_missing_from_the_sheet_stops_the_file_naming_it():
    path = _csv([["Title", "Author"], ["A", "B"]])
    with pytest.raises(FileUnreadableError) as error:
        list(read_file(path, "csv", mapping={"Judul": "title"}))
    assert "Judul" in str(error.value)
    with pytest.raises(FileUnreadableError) as error:
        list(read_file(path, "csv", mapping={"Author": "author"}))
    assert "Title" in str(error.value)


def test_a_corrupt_xlsx_is_refused_whole():
    with pytest.raises(FileUnreadableError):
        list(
            read_file(
                _write(b"PK\x03\x04 not really a zip", ".xlsx"), "xlsx", mapping={"A": "title"}
            )
        )


def test_values_as_libraries_write_them():
    assert parse_price("Rp 45.000") == 45000
    assert parse_price("Rp1.250.000,00") == 1250000
    assert parse_price("45,000.00") == 45000
    assert parse_price(59000.0) == 59000
    assert parse_year("c2005") == 2005 and parse_year(2005.0) == 2005
    assert parse_date("31/05/2024") == dt.date(2024, 5, 31)
    assert parse_date(dt.datetime(2024, 5, 31, 0, 0)) == dt.date(2024, 5, 31)
