"""The IKM report as an XLSX workbook in the layout a library sends to its city government:
the element table (NRR, weighted NRR, IKM, quality category), the respondent profile, and the
answers per respondent (no identities)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _

from surveys import selectors
from surveys.models import Survey


def ikm_workbook(
    survey: Survey, *, since: dt.date | None, until: dt.date | None, library_name: str
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    report = selectors.ikm_report(survey, since=since, until=until)
    result = report.result
    bold = Font(bold=True)
    low = PatternFill("solid", fgColor="FFF1DC")
    book = Workbook()
    sheet = book.active
    sheet.title = "IKM"
    period = (
        f"{since.isoformat() if since else '…'} – {until.isoformat() if until else '…'}"
        if since or until
        else _("all responses")
    )
    sheet.append([_("Public satisfaction survey (IKM), PermenPANRB 14/2017")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Service unit"), library_name])
    sheet.append([_("Survey"), survey.title])
    sheet.append([_("Period"), period])
    sheet.append([_("Respondents"), result.respondents])
    sheet.append([])
    sheet.append([_("Element"), _("Service element"), _("Answers"), "NRR", _("Weighted NRR (1/9)")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for code, name, nrr, answered, weighted, lowest in report.elements:
        sheet.append(
            [
                code,
                name,
                answered,
                float(nrr) if nrr is not None else None,
                float(weighted) if weighted is not None else None,
            ]
        )
        if lowest:
            for cell in sheet[sheet.max_row]:
                cell.fill = low
    sheet.append([])
    sheet.append(
        [_("Perception value (sum of weighted NRR)"), float(result.index) if result.index else None]
    )
    sheet.append([_("IKM (× 25)"), float(result.ikm) if result.ikm else None])
    sheet.append([_("Quality of service"), result.category or "", result.category_name])
    for row in range(sheet.max_row - 2, sheet.max_row + 1):
        sheet.cell(row=row, column=1).font = bold
    sheet.append([])
    sheet.append(
        [
            _(
                "Categories: A Sangat Baik 88.31–100.00; B Baik 76.61–88.30; "
                "C Kurang Baik 65.00–76.60; D Tidak Baik 25.00–64.99."
            )
        ]
    )
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 48
    for column in "CDE":
        sheet.column_dimensions[column].width = 18

    profile = book.create_sheet(_("Respondents"))
    for item in report.profile:
        profile.append([item.question.localized_text])
        profile.cell(row=profile.max_row, column=1).font = bold
        if item.numbers:
            profile.append([_("Lowest"), float(item.numbers["min"])])
            profile.append([_("Highest"), float(item.numbers["max"])])
            profile.append([_("Average"), float(item.numbers["mean"])])
        for bar in item.bars:
            profile.append([bar.label, bar.count, float(bar.percent)])
        profile.append([])
    profile.column_dimensions["A"].width = 34

    data = book.create_sheet(_("Answers"))
    for row in selectors.export_rows(survey, since=since, until=until):
        data.append(
            [int(v) if isinstance(v, str) and v.isdigit() and len(v) < 3 else v for v in row]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def safe_cell(value):
    """A cell a spreadsheet would run as a formula (=, +, -, @) is kept as text; numbers (a
    negative answer to a number question) stay as they are."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _number(value):
    """An answer that is a number, as a number in the sheet (text otherwise)."""
    if isinstance(value, str) and value and not value.startswith("'"):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number
    return value


def results_workbook(survey: Survey, *, since: dt.date | None, until: dt.date | None) -> bytes:
    """The results as an XLSX workbook: a summary of each question (option, count, percent;
    average and NPS of scales; lowest, highest and average of numbers) and the responses (the
    same columns as the CSV)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    results = selectors.results(survey, since=since, until=until)
    bold = Font(bold=True)
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")
    period = (
        f"{since.isoformat() if since else '…'} – {until.isoformat() if until else '…'}"
        if since or until
        else _("all responses")
    )
    summary.append([safe_cell(survey.title)])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([_("Period"), period])
    summary.append([_("Responses"), results.respondents])
    summary.append([])
    summary.append([_("Question"), _("Option"), _("Count"), _("Percent")])
    for cell in summary[summary.max_row]:
        cell.font = bold
    for item in results.questions:
        question = item.question
        text = safe_cell(
            f"{question.code}. {question.localized_text}"
            if question.code
            else question.localized_text
        )
        summary.append([text, _("Answers"), item.answered])
        for bar in item.bars:
            summary.append([text, safe_cell(bar.label), bar.count, float(bar.percent)])
        if item.mean is not None:
            summary.append([text, _("Average"), float(item.mean)])
        if item.nps is not None:
            summary.append([text, _("NPS"), item.nps])
        if item.numbers:
            summary.append([text, _("Lowest"), float(item.numbers["min"])])
            summary.append([text, _("Highest"), float(item.numbers["max"])])
            summary.append([text, _("Average"), float(item.numbers["mean"])])
    summary.column_dimensions["A"].width = 48
    summary.column_dimensions["B"].width = 30

    data = book.create_sheet(_("Responses"))
    for row in selectors.export_rows(survey, since=since, until=until):
        data.append([_number(safe_cell(v)) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
