"""Reading the files that barcode and RFID readers export. Pure: bytes in, codes out.

Two shapes are understood:
- plain text, one code per line;
- CSV (comma, semicolon or tab separated), with a header naming the code column ("code",
  "barcode", "kode", "rfid", "epc", "tag", "item" …) or, without a header, the code first.

Blank lines and lines starting with '#' are skipped. Any other line that holds no valid code is
reported with its line number and why; it never stops the rest of the file from being read.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from inventory.errors import (
    EmptyCodeError,
    FileTooLargeError,
    InvalidCodeError,
    NoCodesError,
    NotATextFileError,
    TooManyReadsError,
)

MAX_CODE_LENGTH = 64
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_LINES = 1_000_000
# Problems kept with their text for the report; the rest are only counted.
MAX_PROBLEMS_LISTED = 200

CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/\-]*")
HEADER_WORDS = ("barcode", "kode", "code", "rfid", "epc", "tag", "item", "eksemplar", "nomor")
DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Problem:
    line: int
    text: str
    reason: str


@dataclass
class Reads:
    """The codes of one file, in order, each with its line number (duplicates kept: the
    ingest counts them)."""

    codes: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    shape: str = "lines"
    column: str = ""

    def problem(self, line: int, text: str, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_LISTED:
            self.problems.append(Problem(line, text[:80], reason))


def code_problem(code: str) -> str:
    """Why `code` cannot be a barcode or RFID tag ("" when it can)."""
    if not code:
        return _("the code is empty")
    if len(code) > MAX_CODE_LENGTH:
        return _("it is %(length)s characters long; a code has at most %(limit)s") % {
            "length": len(code),
            "limit": MAX_CODE_LENGTH,
        }
    if not CODE_RE.fullmatch(code):
        return _("it has spaces or characters that no barcode or RFID tag has")
    return ""


def clean_code(raw: str) -> str:
    """A code typed or scanned into a box: trimmed; raises when it cannot be a code."""
    code = (raw or "").strip().strip("\"'")
    if not code:
        raise EmptyCodeError()
    problem = code_problem(code)
    if problem:
        raise InvalidCodeError(code=code[:80], reason=problem)
    return code


def decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise NotATextFileError(name=name) from None
    if b"\x00" in data[:65536]:
        raise NotATextFileError(name=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _header_column(cells: list[str]) -> int | None:
    lowered = [cell.strip().strip("\"'").lower() for cell in cells]
    for word in HEADER_WORDS:
        for index, cell in enumerate(lowered):
            if word in cell:
                return index
    return None


def parse(data: bytes, *, name: str = "") -> Reads:
    """Codes in a reader's export file. Raises for a file that cannot be read at all; reports
    bad lines in `problems` with their numbers."""
    name = name or _("the file")
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLargeError(
            name=name,
            size=f"{len(data) / 1024 / 1024:.1f}",
            limit=MAX_FILE_BYTES // 1024 // 1024,
        )
    lines = decode(data, name).splitlines()
    if len(lines) > MAX_LINES:
        raise TooManyReadsError(name=name, limit=f"{MAX_LINES:,}")
    reads = Reads()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise NoCodesError(name=name)
    delimiter = next((d for d in DELIMITERS if d in lines[first]), None)
    header = next(csv.reader([lines[first]], delimiter=delimiter)) if delimiter else [lines[first]]
    found = _header_column(header)
    column, start = 0, first
    if found is not None and not any(ch.isdigit() for ch in header[found]):
        # A header row (a code never lacks digits): it names the code column.
        column, start = found, first + 1
        reads.column = header[found].strip()
    if delimiter:
        reads.shape = "csv"
    codes, numbers = reads.codes, reads.lines
    if delimiter:
        rows = csv.reader(lines[start:], delimiter=delimiter)
        for cells in rows:
            number = start + rows.line_num
            if not cells or not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
                continue
            if column >= len(cells):
                reads.problem(number, delimiter.join(cells), _("it has no code column"))
                continue
            code = cells[column].strip().strip("\"'")
            problem = code_problem(code)
            if problem:
                reads.problem(number, delimiter.join(cells), problem)
                continue
            codes.append(code)
            numbers.append(number)
    else:
        for number, line in enumerate(lines[start:], start=start + 1):
            code = line.strip().strip("\"'")
            if not code or code.startswith("#"):
                continue
            problem = code_problem(code)
            if problem:
                reads.problem(number, line.strip(), problem)
                continue
            codes.append(code)
            numbers.append(number)
    if not codes and not reads.problem_count:
        raise NoCodesError(name=name)
    return reads
