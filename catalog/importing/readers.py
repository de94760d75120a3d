"""Readers: a catalogue file in, `(position, ParsedRecord | RecordProblem)` out, one record at a
time, so memory stays flat however large the file is.

Formats are told apart by content, not by the file name: ISO 2709 (MARC21), MARCXML, XLSX
(a zip) and CSV (text). `position` is the record's number in the file (MARC) or its row
number (spreadsheets, header = row 1); `after=N` starts after position N (resuming). Every
record in the file comes out as exactly one entry, so imported + bad accounts for the file.
Only a file that cannot be read at all raises `FileUnreadableError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from pymarc import Record as MarcRecord

from catalog.errors import FileUnreadableError
from catalog.importing import iso2709, marcxml, spreadsheets
from catalog.marc import first_subfield as _first
from catalog.marc import iso2709_length, parsed_from_marc
from catalog.models import ImportFormat
from catalog.records import ParsedRecord


@dataclass
class RecordProblem:
    """A record (or row) that cannot be imported: where, which, what and why."""

    position: int
    identifier: str
    reason: str
    field: str = ""


Entry = tuple[int, ParsedRecord | RecordProblem]

_SNIFF = 64 * 1024
_HOLDINGS = _lazy("this is a holdings record (MFHD), not a bibliographic one")
NOT_BIBLIOGRAPHIC = {
    "z": _lazy("this is an authority record, not a bibliographic one"),
    "u": _HOLDINGS,
    "v": _HOLDINGS,
    "x": _HOLDINGS,
    "y": _HOLDINGS,
    "q": _lazy("this is a community information record, not a bibliographic one"),
}


def detect_format(path: Path) -> str:
    """The ImportFormat of a file, from its first bytes."""
    with Path(path).open("rb") as handle:
        head = handle.read(_SNIFF)
    if not head.strip():
        raise FileUnreadableError(reason=_("the file is empty"))
    if head.startswith(b"PK\x03\x04"):
        return ImportFormat.XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileUnreadableError(
            reason=_("this is an old Excel file (.xls); save it as .xlsx or CSV first")
        )
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<") or head.startswith((b"\xff\xfe<", b"\xfe\xff\x00<")):
        return ImportFormat.MARCXML
    if text[:5].isdigit() and (b"\x1e" in head or b"\x1d" in head):
        return ImportFormat.MARC21
    if text.startswith((b"{", b"[")):
        raise FileUnreadableError(
            reason=_("MARC-in-JSON files cannot be imported; use MARC21 or MARCXML")
        )
    if b"\x00" in head or b"\x1d" in head:
        raise FileUnreadableError(reason=_("this is neither MARC, MARCXML nor a spreadsheet"))
    return ImportFormat.CSV


def identifier_of(record: MarcRecord) -> str:
    """How a report names a record: its control number (001), else its title."""
    field = record.get("001")
    number = (field.data or "").strip() if field is not None and field.is_control_field() else ""
    if number:
        return number[:60]
    title = _first(record.get("245"), "a")
    return title.strip().rstrip(" /:;=,.")[:80]


def _from_marc(
    position: int, record: MarcRecord, warnings: list[str], length: int | None = None
) -> Entry:
    identifier = identifier_of(record)
    kind = str(record.leader)[6:7]
    if kind in NOT_BIBLIOGRAPHIC:
        return position, RecordProblem(
            position, identifier, str(NOT_BIBLIOGRAPHIC[kind]), "leader/06"
        )
    if record.get("245") is None and record.get("200") is not None:
        return position, RecordProblem(
            position,
            identifier,
            _("this looks like a UNIMARC record (title in field 200); only MARC21 can be imported"),
            "245",
        )
    parsed = parsed_from_marc(record, as_json=True)
    parsed.warnings[:0] = warnings
    parsed.marc_length = length if length is not None else iso2709_length(record)
    return position, parsed


def read_marc21(path: Path, *, after: int = 0) -> Iterator[Entry]:
    with Path(path).open("rb") as stream:
        for chunk in iso2709.chunks(stream, after=after):
            if chunk.problem:
                identifier = ""
                try:
                    identifier = identifier_of(iso2709.decode(chunk.data).record)
                except Exception:  # noqa: BLE001, S110 - only a name for the report
                    pass
                yield chunk.position, RecordProblem(chunk.position, identifier, chunk.problem)
                continue
            try:
                decoded = iso2709.decode(chunk.data)
            except iso2709.RecordError as error:
                yield (
                    chunk.position,
                    RecordProblem(chunk.position, error.identifier, error.reason, error.field),
                )
                continue
            # The record's size in the file is its size on export, unless it was re-encoded.
            exact = decoded.encoding == "utf-8" and str(decoded.record.leader)[9] == "a"
            length = decoded.length if exact and not decoded.warnings else None
            yield _from_marc(chunk.position, decoded.record, decoded.warnings, length)


def read_marcxml(path: Path, *, after: int = 0) -> Iterator[Entry]:
    with Path(path).open("rb") as stream:
        found = False
        for item in marcxml.records(stream, after=after):
            found = True
            if item.error is not None:
                yield (
                    item.position,
                    RecordProblem(
                        item.position, item.error.identifier, item.error.reason, item.error.field
                    ),
                )
            else:
                yield _from_marc(item.position, item.record, item.warnings or [])
        if not found and after == 0:
            raise FileUnreadableError(reason=_("there are no MARC records in this XML file"))


def read_spreadsheet(
    path: Path, file_format: str, mapping: dict[str, str], *, after: int = 0
) -> Iterator[Entry]:
    try:
        for number, result in spreadsheets.read_rows(Path(path), file_format, mapping, after=after):
            if isinstance(result, spreadsheets.RowProblem):
                yield number, RecordProblem(number, "", result.reason, result.column)
            else:
                yield number, result
    except spreadsheets.SpreadsheetError as error:
        raise FileUnreadableError(reason=str(error)) from error


def read_file(
    path: Path, file_format: str, *, mapping: dict[str, str] | None = None, after: int = 0
) -> Iterator[Entry]:
    """Every record of the file after position `after` (see the module docstring)."""
    if file_format == ImportFormat.MARC21:
        return read_marc21(path, after=after)
    if file_format == ImportFormat.MARCXML:
        return read_marcxml(path, after=after)
    if file_format in (ImportFormat.CSV, ImportFormat.XLSX):
        return read_spreadsheet(path, file_format, mapping or {}, after=after)
    raise FileUnreadableError(reason=_("unknown format %(format)s") % {"format": file_format})


def count_records(path: Path, file_format: str) -> int:
    """The last position a file reaches: its number of MARC records, or its last row."""
    if file_format == ImportFormat.MARC21:
        with Path(path).open("rb") as stream:
            return iso2709.count_records(stream)
    if file_format == ImportFormat.MARCXML:
        return marcxml.count_records(Path(path))
    try:
        return spreadsheets.count_rows(Path(path), file_format)
    except spreadsheets.SpreadsheetError as error:
        raise FileUnreadableError(reason=str(error)) from error
