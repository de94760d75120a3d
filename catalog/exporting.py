"""Exporting the catalogue: MARC21 (ISO 2709), MARCXML or CSV, of everything or of a selection,
streamed with flat memory (records are read in primary-key chunks, output leaves in blocks).

The oversize rule. ISO 2709 writes a record's length in five digits and a field's in four, so
a record over 99,999 bytes (or with a field over 9,999) cannot be written as MARC21 without
corrupting it. Such a record is never written to a MARC21 file: it goes to a MARCXML file
beside it instead, and the export says so:
- `pustaka export_marc --format marc21 OUT.mrc` writes it to `OUT.too-large.xml` and names
  the file, the count and the records on its output;
- the browser's MARC21 download leaves it out, and the export page says, before the download,
  how many records that is and offers them as a MARCXML download.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from pymarc import Record as MarcRecord
from pymarc.marcxml import record_to_xml_node

from catalog.marc import MAX_RECORD_BYTES, fits_iso2709, marc_from_record
from catalog.models import (
    ContributorRole,
    IdentifierKind,
    Item,
    Record,
    RecordContributor,
    RecordIdentifier,
    RecordSubject,
)

MARC21 = "marc21"
MARCXML = "marcxml"
CSV = "csv"
FORMATS = (MARC21, MARCXML, CSV)
CONTENT_TYPES = {
    MARC21: "application/marc",
    MARCXML: "application/marcxml+xml",
    CSV: "text/csv; charset=utf-8",
}
EXTENSIONS = {MARC21: "mrc", MARCXML: "xml", CSV: "csv"}
CHUNK = 500
BLOCK = 64 * 1024
XML_HEADER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
)
XML_FOOTER = b"</collection>\n"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Selection = QuerySet[Record] | Iterable[int]


@dataclass
class ExportResult:
    written: int = 0
    too_large: list[tuple[int, str]] = field(default_factory=list)  # (pk, title)


# ---------------------------------------------------------------------------------------------
# What to export


def export_selection(query: str = "", filters: dict | None = None) -> tuple[Selection, bool]:
    """The records to export: those a search finds when `query` is given and the search
    engine offers `matching_record_ids`, else everything. Also says whether the search was
    applied."""
    query = (query or "").strip()
    if query:
        try:
            from search.engine import matching_record_ids  # type: ignore[import-not-found]
        except ImportError:
            matching_record_ids = None
        if matching_record_ids is not None:
            return list(matching_record_ids(query, filters or {})), True
    return Record.objects.all(), False


def count_selection(selection: Selection) -> int:
    if isinstance(selection, QuerySet):
        return selection.count()
    return len(list(selection))


def too_large(selection: Selection) -> list[tuple[int, str]]:
    """Records of the selection that ISO 2709 cannot hold, as (pk, title): candidates from
    their stored size (an index lookup), then checked exactly."""
    candidates = Record.objects.filter(marc_length__gt=MAX_RECORD_BYTES - 2000)
    if isinstance(selection, QuerySet):
        ids = list(candidates.filter(pk__in=selection.values("pk")).values_list("pk", flat=True))
    else:
        wanted = set(selection)
        ids = [pk for pk in candidates.values_list("pk", flat=True) if pk in wanted]
    return [
        (record.pk, record.title)
        for record in iter_records(ids, headings=False)
        if not fits_iso2709(marc_from_record(record, items=record.items.all()))
    ]


def iter_records(selection: Selection, *, headings: bool = True) -> Iterator[Record]:
    """The records in primary-key order, CHUNK at a time, with their items (and, for records
    catalogued here, contributors, subjects and identifiers) fetched per chunk."""
    items = Prefetch("items", queryset=Item.objects.select_related("branch").order_by("pk"))
    if isinstance(selection, QuerySet):
        last = 0
        base = selection.order_by("pk").prefetch_related(items)
        while True:
            chunk = list(base.filter(pk__gt=last)[:CHUNK])
            if not chunk:
                return
            _prefetch_fields(chunk, headings)
            yield from chunk
            last = chunk[-1].pk
    else:
        ids = sorted(set(selection))
        for start in range(0, len(ids), CHUNK):
            chunk = list(
                Record.objects.filter(pk__in=ids[start : start + CHUNK])
                .order_by("pk")
                .prefetch_related(items)
            )
            _prefetch_fields(chunk, headings)
            yield from chunk


def _prefetch_fields(chunk: list[Record], headings: bool) -> None:
    built_here = [record for record in chunk if not record.marc] if not headings else chunk
    if built_here:
        prefetch_related_objects(
            built_here,
            Prefetch(
                "record_contributors",
                queryset=RecordContributor.objects.select_related("contributor").order_by(
                    "position"
                ),
            ),
            Prefetch(
                "record_subjects",
                queryset=RecordSubject.objects.select_related("subject").order_by("position"),
            ),
            Prefetch("identifiers", queryset=RecordIdentifier.objects.order_by("pk")),
        )


# ---------------------------------------------------------------------------------------------
# Writers: generators of byte blocks


def _blocks(pieces: Iterable[bytes]) -> Iterator[bytes]:
    buffer: list[bytes] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= BLOCK:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


def marc_xml(marc: MarcRecord) -> bytes:
    """One record as a MARCXML <record> element (no declaration), UTF-8."""
    text = ET.tostring(record_to_xml_node(marc, quiet=True), encoding="unicode")
    return _XML_INVALID.sub("", text).encode("utf-8") + b"\n"


def marc21_blocks(
    records: Iterable[Record],
    result: ExportResult,
    *,
    on_too_large: Callable[[MarcRecord, Record], None] | None = None,
) -> Iterator[bytes]:
    """MARC21 in UTF-8 (leader/09 'a'). A record ISO 2709 cannot hold is not written: it is
    counted in `result.too_large` and handed to `on_too_large`."""

    def pieces() -> Iterator[bytes]:
        for record in records:
            marc = marc_from_record(record, items=record.items.all())
            if not fits_iso2709(marc):
                result.too_large.append((record.pk, record.title))
                if on_too_large is not None:
                    on_too_large(marc, record)
                continue
            result.written += 1
            yield marc.as_marc()

    return _blocks(pieces())


def marcxml_blocks(records: Iterable[Record], result: ExportResult) -> Iterator[bytes]:
    def pieces() -> Iterator[bytes]:
        yield XML_HEADER
        for record in records:
            result.written += 1
            yield marc_xml(marc_from_record(record, items=record.items.all()))
        yield XML_FOOTER

    return _blocks(pieces())


CSV_COLUMNS = (
    ("title", "title"),
    ("subtitle", "subtitle"),
    ("statement of responsibility", "responsibility"),
    ("author", ContributorRole.AUTHOR),
    ("editor", ContributorRole.EDITOR),
    ("translator", ContributorRole.TRANSLATOR),
    ("illustrator", ContributorRole.ILLUSTRATOR),
    ("compiler", ContributorRole.COMPILER),
    ("contributor", ContributorRole.CONTRIBUTOR),
    ("corporate author", ContributorRole.CORPORATE),
    ("edition", "edition"),
    ("publisher", "publisher"),
    ("place", "place"),
    ("year", "year"),
    ("isbn", IdentifierKind.ISBN),
    ("issn", "issn"),
    ("lccn", IdentifierKind.LCCN),
    ("language", "language"),
    ("ddc", "ddc"),
    ("call number", "call_number"),
    ("subjects", "subjects"),
    ("series", "series"),
    ("physical description", "physical_description"),
    ("notes", "notes"),
    ("summary", "summary"),
    ("audience", "audience"),
    ("material type", "material_type"),
    ("control number", "control_number"),
    ("barcode", "barcode"),
    ("branch", "branch"),
)
_ROLES = {str(role) for role in ContributorRole}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run '=…' as a formula: keep it text (the importer undoes this).
    return "'" + text if text.startswith(_FORMULA) else text


def csv_row(record: Record) -> list[str]:
    links = list(record.record_contributors.all())
    identifiers = list(record.identifiers.all())
    items = list(record.items.all())
    row = []
    for _header, source in CSV_COLUMNS:
        if source in _ROLES:
            role = ContributorRole(source)
            if role == ContributorRole.CONTRIBUTOR:
                names = [
                    link.contributor.name
                    for link in links
                    if link.role in (role, ContributorRole.MEETING)
                ]
            else:
                names = [link.contributor.name for link in links if link.role == role]
            value = "; ".join(names)
        elif source in (IdentifierKind.ISBN, IdentifierKind.LCCN):
            value = "; ".join(i.value for i in identifiers if i.kind == source)
        elif source == "subjects":
            value = "; ".join(link.subject.heading for link in record.record_subjects.all())
        elif source == "barcode":
            value = "; ".join(item.barcode for item in items)
        elif source == "branch":
            value = "; ".join(item.branch.code for item in items)
        else:
            value = getattr(record, source)
        row.append(_cell(value))
    return row


def csv_blocks(records: Iterable[Record], result: ExportResult) -> Iterator[bytes]:
    """CSV in UTF-8 with a byte-order mark (so that Excel reads it right), one row per
    record; its copies' barcodes and branches as '; '-separated lists. The headers are the
    ones the spreadsheet import recognises, so an export imports back."""

    def pieces() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([header for header, _source in CSV_COLUMNS])
        yield "\ufeff".encode() + buffer.getvalue().encode()
        for record in records:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(csv_row(record))
            result.written += 1
            yield buffer.getvalue().encode()

    return _blocks(pieces())


def export_blocks(selection: Selection, file_format: str, result: ExportResult) -> Iterator[bytes]:
    """The export of `selection` in `file_format`, as blocks of bytes (for streaming)."""
    if file_format == MARC21:
        return marc21_blocks(iter_records(selection, headings=False), result)
    if file_format == MARCXML:
        return marcxml_blocks(iter_records(selection, headings=False), result)
    if file_format == CSV:
        return csv_blocks(iter_records(selection), result)
    raise ValueError(file_format)


# ---------------------------------------------------------------------------------------------
# To a file (the command)


def too_large_path(output: Path) -> Path:
    """Where the records too large for a MARC21 file go: OUT.mrc -> OUT.too-large.xml."""
    return output.with_name(f"{output.stem}.too-large.xml")


def export_to_file(selection: Selection, file_format: str, output: Path) -> ExportResult:
    """Write the export to `output`; records too large for MARC21 go to a MARCXML file beside
    it (`too_large_path`), created only when there are some."""
    result = ExportResult()
    sidecar: BinaryIO | None = None

    def divert(marc: MarcRecord, record: Record) -> None:
        nonlocal sidecar
        if sidecar is None:
            sidecar = too_large_path(output).open("wb")
            sidecar.write(XML_HEADER)
        sidecar.write(marc_xml(marc))

    try:
        with output.open("wb") as handle:
            if file_format == MARC21:
                blocks = marc21_blocks(
                    iter_records(selection, headings=False), result, on_too_large=divert
                )
            else:
                blocks = export_blocks(selection, file_format, result)
            for block in blocks:
                handle.write(block)
    finally:
        if sidecar is not None:
            sidecar.write(XML_FOOTER)
            sidecar.close()
    return result
