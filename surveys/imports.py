"""IKM answers collected on paper or in a spreadsheet: one row per respondent, columns U1..U9
holding 1-4 (blank where unanswered) and optional profile columns umur, jenis_kelamin,
pendidikan, pekerjaan. Parsing here; the rows are recorded by `services.import_ikm_rows`."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def read_rows(name: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV (comma or semicolon, UTF-8) or XLSX file as {column: text}; column
    names are matched without regard to case or surrounding spaces."""
    if Path(name).suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        values = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        text = content.decode("utf-8-sig")
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
        values = list(csv.reader(io.StringIO(text), dialect))
    if not values:
        return []
    header = [h.strip().lower() if h else "" for h in values[0]]
    header = [h.upper() if h[:1] == "u" and h[1:].isdigit() else h for h in header]
    return [
        {header[i]: (cell or "").strip() for i, cell in enumerate(row) if i < len(header)}
        for row in values[1:]
    ]
