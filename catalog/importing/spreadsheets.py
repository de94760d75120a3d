"""CSV and XLSX catalogue lists: what their columns mean (a mapping chosen on the mapping
screen, guessed from the headers first) and reading their rows, streamed.

A row is one record; its copies come from the barcode column (several barcodes separated by
';' make several copies), a branch column (one branch, or one per barcode) and a copies
column (copies beyond the barcodes given get barcodes from the library's sequence).
Row numbers are the ones the librarian sees in Excel: the header is row 1."""

from __future__ import annotations

import csv
import datetime as dt
import re
import string
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from catalog.importing.values import (
    ValueProblem,
    audience_code,
    collection_code,
    language_code,
    material_type_code,
    parse_count,
    parse_date,
    parse_price,
    parse_year,
    source_code,
    status_code,
)
from catalog.normalize import fold
from catalog.records import ParsedContributor, ParsedItem, ParsedRecord

# target -> label shown on the mapping screen. Order is the order of the select.
TARGETS: dict[str, object] = {
    "title": _("Title"),
    "subtitle": _("Subtitle"),
    "responsibility": _("Statement of responsibility"),
    "author": _("Author(s)"),
    "editor": _("Editor(s)"),
    "translator": _("Translator(s)"),
    "illustrator": _("Illustrator(s)"),
    "compiler": _("Compiler(s)"),
    "contributor": _("Other contributor(s)"),
    "corporate": _("Corporate author"),
    "edition": _("Edition"),
    "publisher": _("Publisher"),
    "place": _("Place of publication"),
    "year": _("Year"),
    "isbn": _("ISBN"),
    "issn": _("ISSN"),
    "lccn": _("LCCN"),
    "language": _("Language"),
    "ddc": _("DDC class"),
    "call_number": _("Call number"),
    "subjects": _("Subjects"),
    "series": _("Series"),
    "physical_description": _("Physical description"),
    "notes": _("Notes"),
    "summary": _("Summary"),
    "audience": _("Audience"),
    "material_type": _("Material type"),
    "control_number": _("Control number"),
    "barcode": _("Item barcode(s)"),
    "copies": _("Number of copies"),
    "branch": _("Item branch"),
    "shelf_location": _("Item shelf location"),
    "collection": _("Item collection"),
    "item_call_number": _("Item call number"),
    "status": _("Item status"),
    "price": _("Item price (Rp)"),
    "source": _("Item source"),
    "donor": _("Item donor"),
    "acquired_on": _("Item acquisition date"),
    "item_notes": _("Item notes"),
    "rfid_tag": _("Item RFID tag"),
}
REQUIRED_TARGETS = ("title",)

# Headers (folded: lower case, no accents, single spaces) that libraries use, in Indonesian
# and English, for each target.
_GUESSES = {
    "title": ["judul", "title", "judul buku", "nama buku", "judul utama", "book title"],
    "subtitle": ["anak judul", "sub judul", "subjudul", "subtitle", "judul tambahan"],
    "responsibility": ["pernyataan tanggung jawab", "statement of responsibility"],
    "author": ["pengarang", "penulis", "author", "authors", "creator", "pengarang utama"],
    "editor": ["editor", "penyunting"],
    "translator": ["penerjemah", "penterjemah", "alih bahasa", "translator"],
    "illustrator": ["ilustrator", "illustrator"],
    "compiler": ["penyusun", "compiler"],
    "contributor": ["kontributor", "contributor", "contributors", "pengarang tambahan"],
    "corporate": ["badan korporasi", "corporate author", "lembaga"],
    "edition": ["edisi", "edition", "cetakan"],
    "publisher": ["penerbit", "publisher", "nama penerbit"],
    "place": ["kota terbit", "tempat terbit", "place", "place of publication", "kota"],
    "year": ["tahun", "tahun terbit", "year", "publication year", "thn terbit", "thn"],
    "isbn": ["isbn", "isbn/issn", "isbn issn", "no isbn"],
    "issn": ["issn"],
    "lccn": ["lccn"],
    "language": ["bahasa", "language", "lang"],
    "ddc": ["ddc", "klasifikasi", "no klas", "no. klas", "nomor klas", "classification", "class"],
    "call_number": ["nomor panggil", "no panggil", "no. panggil", "call number", "callnumber"],
    "subjects": ["subjek", "subject", "subjects", "topik", "topic", "kata kunci", "keywords"],
    "series": ["seri", "series", "judul seri", "series title"],
    "physical_description": ["deskripsi fisik", "kolasi", "collation", "physical description"],
    "notes": ["catatan", "notes", "note", "keterangan"],
    "summary": ["ringkasan", "abstrak", "sinopsis", "summary", "abstract"],
    "audience": ["pembaca sasaran", "sasaran", "audience", "target audience"],
    "material_type": ["jenis bahan", "jenis", "gmd", "tipe", "material type", "type"],
    "control_number": ["nomor kendali", "control number", "id", "biblio id", "biblio_id"],
    "barcode": [
        "barcode",
        "barcodes",
        "kode eksemplar",
        "kode item",
        "item code",
        "item_code",
        "no induk",
        "nomor induk",
        "no. induk",
    ],
    "copies": ["jumlah", "jumlah eksemplar", "eksemplar", "copies", "number of copies", "qty"],
    "branch": ["cabang", "perpustakaan", "branch", "library", "lokasi perpustakaan"],
    "shelf_location": ["lokasi", "rak", "lokasi rak", "location", "shelf", "shelf location"],
    "collection": ["koleksi", "tipe koleksi", "jenis koleksi", "collection", "coll type"],
    "item_call_number": ["nomor panggil eksemplar", "item call number"],
    "status": ["status", "status eksemplar", "item status"],
    "price": ["harga", "price", "harga buku", "harga (rp)", "price (rp)"],
    "source": ["sumber", "asal", "source", "sumber perolehan", "cara perolehan"],
    "donor": ["donatur", "penyumbang", "pemberi", "donor"],
    "acquired_on": ["tanggal terima", "tgl terima", "tanggal perolehan", "acquired", "acquired on"],
    "item_notes": ["catatan eksemplar", "item notes"],
    "rfid_tag": ["rfid", "rfid tag", "tag rfid"],
}
_HEADER_TO_TARGET = {fold(header): target for target, names in _GUESSES.items() for header in names}

_MULTI_SPLIT = re.compile(r"\s*[;\n|]\s*")
_ISBN_SPLIT = re.compile(r"\s*[;,/\n|]\s*")
_BARCODE_SPLIT = re.compile(r"[;,\s|]+")


class SpreadsheetError(Exception):
    """The whole sheet cannot be read (not a spreadsheet, no header, a mapped column missing)."""


def _header_key(text: str) -> str:
    return re.sub(r"[\s_]+", " ", fold(text).strip(" :*"))


def guess_mapping(headers: Iterable[str]) -> dict[str, str]:
    """{header: target} for the headers we recognise; each target at most once."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        target = _HEADER_TO_TARGET.get(_header_key(header))
        if target and target not in used:
            mapping[header] = target
            used.add(target)
    return mapping


def _column_name(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


def unique_headers(raw: Iterable[object]) -> list[str]:
    """Header texts made usable as keys: empty ones named after their column ('Column C'),
    repeated ones numbered ('Catatan (2)')."""
    headers: list[str] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(raw):
        text = _cell_text(value) or str(_("Column %(letter)s") % {"letter": _column_name(index)})
        count = seen.get(text, 0) + 1
        seen[text] = count
        headers.append(text if count == 1 else f"{text} ({count})")
    return headers


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    # An exported cell protected against formula injection: "'=..." -> "=..."
    if text[:2] in {"'=", "'+", "'-", "'@"}:
        text = text[1:]
    return text


# ---------------------------------------------------------------------------------------------
# Sheets as rows


def _csv_lines(path: Path) -> Iterator[str]:
    """The file's lines as text: UTF-8 (with or without BOM), a line that is not UTF-8 read as
    Windows-1252 (what Excel writes in Indonesia and elsewhere)."""
    with path.open("rb") as handle:
        first = True
        for raw in handle:
            if first:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
                first = False
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                yield raw.decode("cp1252", "replace")


def _csv_dialect(path: Path) -> type[csv.Dialect] | csv.Dialect:
    lines = _csv_lines(path)
    sample = "".join(islice(lines, 20))
    lines.close()
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _csv_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    reader = csv.reader(_csv_lines(path), _csv_dialect(path))
    for number, row in enumerate(reader, start=1):
        yield number, list(row)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - zip, XML and openpyxl errors alike
        raise SpreadsheetError(str(_("the file is not an Excel workbook (.xlsx)"))) from error
    try:
        sheet = next((ws for ws in workbook.worksheets if ws.max_row and ws.max_row > 0), None)
        if sheet is None:
            return
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def sheet_rows(path: Path, file_format: str) -> Iterator[tuple[int, list[object]]]:
    """(row number, cells) for every row of a CSV or of the first sheet of an XLSX."""
    return _xlsx_rows(path) if file_format == "xlsx" else _csv_rows(path)


def _is_blank(row: list[object]) -> bool:
    return all(_cell_text(value) == "" for value in row)


def find_header(path: Path, file_format: str) -> tuple[int, list[str]]:
    """The header row (its number and its texts): the first of the first ten non-blank rows
    in which we recognise a column, else the first non-blank row. A title line above the
    header ('DAFTAR BUKU PERPUSTAKAAN …') is common in Indonesian lists."""
    first: tuple[int, list[str]] | None = None
    seen = 0
    for number, row in sheet_rows(path, file_format):
        if _is_blank(row):
            continue
        headers = unique_headers(row)
        if first is None:
            first = (number, headers)
        if guess_mapping(headers) and sum(1 for v in row if _cell_text(v)) >= 2:
            return number, headers
        seen += 1
        if seen >= 10:
            break
    if first is None:
        raise SpreadsheetError(str(_("the sheet is empty")))
    return first


def preview(path: Path, file_format: str, rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The headers and the first rows as text, for the mapping screen."""
    header_row, headers = find_header(path, file_format)
    shown: list[list[str]] = []
    for number, row in sheet_rows(path, file_format):
        if number <= header_row or _is_blank(row):
            continue
        cells = [_cell_text(value) for value in row[: len(headers)]]
        shown.append(cells + [""] * (len(headers) - len(cells)))
        if len(shown) >= rows:
            break
    return headers, shown


def count_rows(path: Path, file_format: str) -> int:
    """The number of the last row (what `position` reaches at the end)."""
    last = 0
    for number, _row in sheet_rows(path, file_format):
        last = number
    return last


# ---------------------------------------------------------------------------------------------
# Rows as records


class RowProblem(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def check_mapping(mapping: dict[str, str], headers: list[str]) -> None:
    """Raise SpreadsheetError naming what is missing: a required target, or a column."""
    for target in REQUIRED_TARGETS:
        if target not in mapping.values():
            raise SpreadsheetError(
                str(_("no column is mapped to “%(target)s”, which every record needs"))
                % {"target": TARGETS[target]}
            )
    missing = [header for header in mapping if header not in headers]
    if missing:
        raise SpreadsheetError(
            str(_("the column “%(column)s” is not in the file (its columns are: %(columns)s)"))
            % {"column": missing[0], "columns": ", ".join(headers)}
        )
    unknown = [target for target in mapping.values() if target not in TARGETS]
    if unknown:
        raise SpreadsheetError(str(_("unknown field “%(target)s”")) % {"target": unknown[0]})


def read_rows(
    path: Path, file_format: str, mapping: dict[str, str], *, after: int = 0
) -> Iterator[tuple[int, ParsedRecord | RowProblem]]:
    """(row number, record or problem) for every non-blank row under the header."""
    header_row, headers = find_header(path, file_format)
    check_mapping(mapping, headers)
    columns = [
        (index, header, mapping[header])
        for index, header in enumerate(headers)
        if mapping.get(header)
    ]
    for number, row in sheet_rows(path, file_format):
        if number <= header_row or number <= after or _is_blank(row):
            continue
        values = {
            (header, target): row[index] if index < len(row) else None
            for index, header, target in columns
        }
        try:
            yield number, record_from_row(values)
        except RowProblem as problem:
            yield number, problem


def _split(text: str, pattern: re.Pattern) -> list[str]:
    return [part for part in pattern.split(text) if part]


def record_from_row(values: dict[tuple[str, str], object]) -> ParsedRecord:
    """A ParsedRecord from one row: {(column header, target): cell value}."""
    record = ParsedRecord(title="", source="spreadsheet")
    item = ParsedItem()
    item_values = False
    barcodes: list[str] = []
    branches: list[str] = []
    copies = 0
    for (column, target), value in values.items():
        text = _cell_text(value)
        if target in {"year", "price", "acquired_on", "copies"}:
            try:
                if target == "year":
                    record.year = parse_year(value)
                elif target == "price":
                    item.price = parse_price(value)
                    item_values = item_values or item.price is not None
                elif target == "acquired_on":
                    item.acquired_on = parse_date(value)
                    item_values = item_values or item.acquired_on is not None
                else:
                    copies = parse_count(value)
            except ValueProblem:
                raise RowProblem(column, _bad_value_reason(target, text)) from None
            continue
        if not text:
            continue
        if target in {"author", "editor", "translator", "illustrator", "compiler", "contributor"}:
            record.contributors += [
                ParsedContributor(n, target) for n in _split(text, _MULTI_SPLIT)
            ]
        elif target == "corporate":
            record.contributors += [
                ParsedContributor(n, "corporate") for n in _split(text, _MULTI_SPLIT)
            ]
        elif target == "isbn":
            record.isbns += _split(text, _ISBN_SPLIT)
        elif target == "subjects":
            record.subjects += _split(text, _MULTI_SPLIT)
        elif target == "language":
            code = language_code(text)
            if code is None:
                record.warnings.append(
                    str(_("%(column)s: language “%(value)s” not recognised"))
                    % {"column": column, "value": text[:30]}
                )
            record.language = code or ""
        elif target in {"audience", "material_type"}:
            reader = audience_code if target == "audience" else material_type_code
            code = reader(text)
            if code is None:
                record.warnings.append(
                    str(_("%(column)s: “%(value)s” not recognised; left empty"))
                    % {"column": column, "value": text[:30]}
                )
            else:
                setattr(record, target, str(code) or getattr(record, target))
        elif target == "barcode":
            barcodes += _split(text, _BARCODE_SPLIT)
        elif target == "branch":
            branches += _split(text, _MULTI_SPLIT)
        elif target in {"collection", "status", "source"}:
            reader = {"collection": collection_code, "status": status_code, "source": source_code}[
                target
            ]
            code = reader(text)
            if code is None:
                record.warnings.append(
                    str(_("%(column)s: “%(value)s” not recognised; the default is used"))
                    % {"column": column, "value": text[:30]}
                )
            else:
                setattr(item, target, str(code))
                item_values = True
        elif target in {"shelf_location", "donor", "rfid_tag"}:
            setattr(item, target, text)
            item_values = True
        elif target == "item_call_number":
            item.call_number = text
            item_values = True
        elif target == "item_notes":
            item.notes = text
            item_values = True
        elif target in {"ddc", "call_number", "control_number"}:
            setattr(record, target, text.strip())
        else:
            setattr(record, target, text)
    if not record.title.strip():
        title_column = next((c for c, t in values if t == "title"), "title")
        raise RowProblem(title_column, str(_("the title is empty")))
    record.items = _items(item, item_values, barcodes, branches, copies)
    return record


def _bad_value_reason(target: str, text: str) -> str:
    reason = {
        "year": _("“%(value)s” is not a year"),
        "price": _("“%(value)s” is not a price (a number of Rupiah)"),
        "acquired_on": _("“%(value)s” is not a date (such as 2024-05-31 or 31/05/2024)"),
        "copies": _("“%(value)s” is not a number of copies (0 to 1000)"),
    }[target]
    return str(reason) % {"value": text[:40]}


def _items(
    template: ParsedItem,
    has_values: bool,
    barcodes: list[str],
    branches: list[str],
    copies: int,
) -> list[ParsedItem]:
    count = max(len(barcodes), copies, 1 if (has_values or branches) else 0)
    items = []
    for index in range(count):
        branch = branches[index] if len(branches) == count else branches[0] if branches else ""
        items.append(
            ParsedItem(
                **{
                    **template.__dict__,
                    "barcode": barcodes[index] if index < len(barcodes) else "",
                    "branch_code": branch,
                }
            )
        )
    return items
