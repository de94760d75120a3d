"""The attendee list of an event as CSV or XLSX, with only what the role may see: names,
groups, people, state and check-in for everyone who may see registrations; contacts and the
answers to the event's questions only for the programme coordinator (who organises it)."""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

CONTACTS = "events.change_event"


def _formula_safe(value):
    """A cell a spreadsheet would run as a formula (=, +, -, @) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def attendee_rows(event, *, user) -> tuple[list[str], list[list]]:
    contacts = user.has_perm(CONTACTS)
    questions = list(event.questions.all()) if contacts else []
    header = [_("Name"), _("Group"), _("People"), _("State"), _("Checked in"), _("Walk-in")]
    header += [_("Member number"), _("Registered")]
    if contacts:
        header += [_("Telephone"), _("E-mail")] + [q.label for q in questions]
    rows = []
    registrations = event.registrations.select_related("member").order_by(
        "state", "waitlist_number", "name", "pk"
    )
    for r in registrations:
        checked = (
            timezone.localtime(r.checked_in_at).strftime("%Y-%m-%d %H:%M")
            if r.checked_in_at
            else ""
        )
        row = [
            r.name,
            r.group_name,
            r.seats,
            str(r.get_state_display()),
            checked,
            _("yes") if r.walk_in else "",
            r.member.number if r.member else "",
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        if contacts:
            row += [r.phone, r.email] + [r.answers.get(str(q.pk), "") for q in questions]
        rows.append([_formula_safe(v) for v in row])
    return header, rows


def attendees_csv(event, *, user) -> bytes:
    header, rows = attendee_rows(event, user=user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads it as UTF-8


def attendees_xlsx(event, *, user) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = attendee_rows(event, user=user)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Attendees")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for column, title in zip(sheet.columns, header, strict=False):
        width = max([len(str(title))] + [len(str(c.value or "")) for c in column][:200])
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 50)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
