"""Reader files: plain text and CSV, garbage lines reported with their numbers."""

from __future__ import annotations

import pytest
from django.utils import translation

from inventory import reads
from inventory.errors import (
    EmptyCodeError,
    FileTooLargeError,
    InvalidCodeError,
    NoCodesError,
    NotATextFileError,
)


@pytest.fixture(autouse=True)
def english():
    """The messages asserted here are the English originals; the default language is Indonesian."""
    with translation.override("en"):
        yield


def test_plain_text_one_code_per_line_keeps_duplicates_and_line_numbers():
    parsed = reads.parse(b"B0001\r\nB0002\n\n# shelf A\nB0001\n  E2801160600002  \n")
    assert parsed.codes == ["B0001", "B0002", "B0001", "E2801160600002"]
    assert parsed.lines == [1, 2, 5, 6]
    assert parsed.problems == [] and parsed.shape == "lines"


def test_garbage_lines_are_reported_with_their_number_and_reason():
    data = b"B0001\nhello world\n\x07\x08\nB0002\n" + b"9" * 80 + b"\n=cmd|' /C calc'!A0\n"
    parsed = reads.parse(data, name="scan.txt")
    assert parsed.codes == ["B0001", "B0002"]
    assert [(p.line, p.text[:11]) for p in parsed.problems] == [
        (2, "hello world"),
        (3, "\x07\x08"),
        (5, "9" * 11),
        (6, "=cmd|' /C c"),
    ]
    assert "80 characters" in parsed.problems[2].reason
    assert parsed.problem_count == 4


def test_csv_with_a_header_names_the_code_column():
    data = "Tanggal;Kode Eksemplar;Judul\n2026-11-23;B0001;Laskar\n2026-11-23;;x\n2026-11-23\n"
    parsed = reads.parse(data.encode(), name="opname.csv")
    assert parsed.shape == "csv" and parsed.column == "Kode Eksemplar"
    assert parsed.codes == ["B0001"]
    assert [(p.line, p.reason) for p in parsed.problems] == [
        (3, "the code is empty"),
        (4, "it has no code column"),
    ]


def test_csv_without_a_header_takes_the_first_column():
    parsed = reads.parse(b'"B0001",2026-11-23 10:00\nB0002,2026-11-23 10:01\n')
    assert parsed.codes == ["B0001", "B0002"] and parsed.lines == [1, 2]


def test_rfid_reader_export_in_utf16_with_epc_column():
    data = "EPC\tRSSI\tAntenna\nE28011606000020D4F36B123\t-51\t1\n".encode("utf-16")
    parsed = reads.parse(data)
    assert parsed.codes == ["E28011606000020D4F36B123"] and parsed.column == "EPC"


def test_a_spreadsheet_or_binary_file_is_refused_with_its_name():
    with pytest.raises(NotATextFileError) as raised:
        reads.parse(b"PK\x03\x04\x14\x00\x00\x00binary", name="opname.xlsx")
    assert "opname.xlsx" in str(raised.value)


def test_an_empty_file_is_refused():
    with pytest.raises(NoCodesError):
        reads.parse(b"\n\n  \n", name="empty.txt")


def test_an_oversized_file_is_refused(monkeypatch):
    monkeypatch.setattr(reads, "MAX_FILE_BYTES", 10)
    with pytest.raises(FileTooLargeError):
        reads.parse(b"B0001\nB0002\nB0003\n", name="big.txt")


def test_a_file_of_only_garbage_reports_every_line():
    parsed = reads.parse(b"hello world\n!!!\n")
    assert parsed.codes == [] and parsed.problem_count == 2


def test_scan_box_codes_are_trimmed_and_checked():
    assert reads.clean_code("  B0001 \n") == "B0001"
    with pytest.raises(EmptyCodeError):
        reads.clean_code("   ")
    with pytest.raises(InvalidCodeError) as raised:
        reads.clean_code("two words")
    assert "two words" in str(raised.value)


def test_only_the_first_problems_are_kept_with_their_text():
    data = b"\n".join([b"bad line"] * (reads.MAX_PROBLEMS_LISTED + 50))
    parsed = reads.parse(data)
    assert len(parsed.problems) == reads.MAX_PROBLEMS_LISTED
    assert parsed.problem_count == reads.MAX_PROBLEMS_LISTED + 50
