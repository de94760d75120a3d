"""The use of rooms for a period as CSV (one table per file) or XLSX (one sheet per table):
each room's bookings, hours booked, occupancy and no-shows; booked hours per room by weekday and
hour; bookings by purpose. No member is named: these are figures for reports."""

from __future__ import annotations

import calendar
import csv
import io

from django.utils.translation import gettext as _

TABLES = ("rooms", "hours", "purposes")


def _day_name(weekday: int) -> str:
    return _(calendar.day_name[weekday])


def _text_safe(value):
    """A cell a spreadsheet would run as a formula (=, +, -, @) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rooms_table(report) -> tuple[list[str], list[list]]:
    header = [
        _("Room"),
        _("Bookings"),
        _("Hours booked"),
        _("Hours open"),
        _("Occupancy (%)"),
        _("Checked in"),
        _("Not used (no-shows)"),
        _("No-show rate (%)"),
    ]
    rows = []
    for row in report.spaces:
        rows.append(
            [
                row.space.name,
                row.bookings,
                round(row.booked_minutes / 60, 1),
                round(row.open_minutes / 60, 1),
                round(row.occupancy * 100, 1),
                row.used,
                row.no_shows,
                round(row.no_show_rate * 100, 1),
            ]
        )
    used = sum(r.used for r in report.spaces)
    missed = sum(r.no_shows for r in report.spaces)
    rows.append(
        [
            _("All rooms"),
            sum(r.bookings for r in report.spaces),
            round(sum(r.booked_minutes for r in report.spaces) / 60, 1),
            "",
            "",
            used,
            missed,
            round(report.no_show_rate * 100, 1),
        ]
    )
    return header, rows


def hours_table(report) -> tuple[list[str], list[list]]:
    """One row per room, weekday and hour with time booked (hours), in order."""
    header = [_("Room"), _("Weekday"), _("Hour"), _("Hours booked")]
    rows = []
    for row in report.spaces:
        for (weekday, hour), minutes in sorted(row.by_weekday_hour.items()):
            rows.append(
                [row.space.name, _day_name(weekday), f"{hour:02d}.00", round(minutes / 60, 2)]
            )
    return header, rows


def purposes_table(report) -> tuple[list[str], list[list]]:
    return [_("Purpose"), _("Bookings")], [[label, count] for label, count in report.by_purpose]


def _table(report, name: str) -> tuple[list[str], list[list]]:
    return {"rooms": rooms_table, "hours": hours_table, "purposes": purposes_table}[name](report)


def sheet_titles() -> dict[str, str]:
    return {
        "rooms": _("Rooms"),
        "hours": _("By weekday and hour"),
        "purposes": _("By purpose"),
    }


def usage_csv(report, table: str) -> bytes:
    header, rows = _table(report, table)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[_text_safe(v) for v in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads it as UTF-8


def usage_xlsx(report, *, branch_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    titles = sheet_titles()
    for name in TABLES:
        header, rows = _table(report, name)
        sheet = book.create_sheet(titles[name][:31])
        sheet.append(
            [
                _("%(branch)s, %(since)s to %(until)s")
                % {
                    "branch": branch_name,
                    "since": report.since.isoformat(),
                    "until": report.until.isoformat(),
                }
            ]
        )
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_text_safe(v) for v in row])
        sheet.freeze_panes = "A3"
        for index, title in enumerate(header, start=1):
            column = sheet.cell(row=2, column=index).column_letter
            width = max([len(str(title))] + [len(str(r[index - 1])) for r in rows[:200]])
            sheet.column_dimensions[column].width = min(max(width + 2, 8), 40)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
