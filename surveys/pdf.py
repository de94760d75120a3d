"""The IKM report as a PDF in the layout a library sends to its city government: the service
unit and period, the number of respondents, the table of the nine elements (answers, NRR,
weighted NRR) with the lowest highlighted, the perception value, the IKM and its category, the
respondent profile, and a place for the signature of the head of library."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from surveys import selectors
from surveys.models import Survey

LOW = colors.HexColor("#FFE3B8")
HEAD = colors.HexColor("#E8EEF6")


def _number(value, places: int = 2) -> str:
    if value is None:
        return "–"
    return formats.number_format(value, places)


def ikm_pdf(
    survey: Survey,
    *,
    since: dt.date | None,
    until: dt.date | None,
    library_name: str,
    head_name: str = "",
) -> bytes:
    from patrons.cards import _font_names

    regular, bold = _font_names()
    report = selectors.ikm_report(survey, since=since, until=until)
    result = report.result
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=12)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10)
    title = ParagraphStyle("title", parent=base, fontName=bold, fontSize=14, leading=18)
    heading = ParagraphStyle("heading", parent=base, fontName=bold, fontSize=11, leading=15)
    period = (
        f"{formats.date_format(since, 'j F Y') if since else '…'} – "
        f"{formats.date_format(until, 'j F Y') if until else '…'}"
        if since or until
        else _("all responses")
    )
    story: list = [
        Paragraph(_("Public satisfaction survey report (IKM)"), title),
        Paragraph(_("Following PermenPANRB No. 14 Tahun 2017"), small),
        Spacer(1, 4 * mm),
    ]
    facts = [
        [_("Service unit"), library_name],
        [_("Survey"), survey.title],
        [_("Period"), period],
        [_("Respondents"), str(result.respondents)],
    ]
    story.append(_table(facts, regular, bold, widths=[45 * mm, 125 * mm], header=False))
    story += [Spacer(1, 5 * mm), Paragraph(_("Service elements"), heading)]
    rows = [[_("Element"), _("Service element"), _("Answers"), "NRR", _("NRR × 1/9")]]
    lowest_rows = []
    for index, (code, name, nrr, answered, weighted, lowest) in enumerate(report.elements, start=1):
        rows.append(
            [
                code,
                Paragraph(name, base),
                str(answered),
                _number(nrr),
                _number(weighted, 4),
            ]
        )
        if lowest:
            lowest_rows.append(index)
    rows.append(
        ["", Paragraph(_("Perception value (sum)"), base), "", "", _number(result.index, 4)]
    )
    table = _table(
        rows, regular, bold, widths=[18 * mm, 92 * mm, 20 * mm, 18 * mm, 22 * mm], header=True
    )
    for index in lowest_rows:
        table.setStyle(TableStyle([("BACKGROUND", (0, index), (-1, index), LOW)]))
    story.append(table)
    if lowest_rows:
        story.append(
            Paragraph(
                _("Highlighted: the lowest element(s), where improvement should start."), small
            )
        )
    story += [Spacer(1, 5 * mm), Paragraph(_("Result"), heading)]
    outcome = [
        [_("IKM (perception value × 25)"), _number(result.ikm)],
        [_("Quality of service"), f"{result.category or '–'} {result.category_name or ''}"],
    ]
    story.append(_table(outcome, regular, bold, widths=[80 * mm, 90 * mm], header=False))
    story.append(
        Paragraph(
            _(
                "Categories: A Sangat Baik 88.31–100.00; B Baik 76.61–88.30; "
                "C Kurang Baik 65.00–76.60; D Tidak Baik 25.00–64.99."
            ),
            small,
        )
    )
    if report.profile:
        story += [Spacer(1, 5 * mm), Paragraph(_("Respondent profile"), heading)]
        for item in report.profile:
            lines = [[Paragraph(item.question.localized_text, base), "", ""]]
            if item.numbers:
                lines.append(
                    [
                        _("Lowest, highest, average"),
                        "",
                        f"{_number(item.numbers['min'], 0)} · {_number(item.numbers['max'], 0)}"
                        f" · {_number(item.numbers['mean'], 1)}",
                    ]
                )
            for bar in item.bars:
                lines.append([bar.label, str(bar.count), f"{_number(bar.percent, 1)}%"])
            profile = _table(lines, regular, bold, widths=[110 * mm, 25 * mm, 35 * mm], header=True)
            profile.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0))]))
            story += [profile, Spacer(1, 2 * mm)]
    story += [
        Spacer(1, 12 * mm),
        Paragraph(_("Head of library"), base),
        Spacer(1, 18 * mm),
        Paragraph(head_name or "(........................................)", base),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("IKM report"),
        author=library_name,
    )
    doc.build(story)
    return out.getvalue()


def _table(rows, regular: str, bold: str, *, widths, header: bool) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), regular),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9AA4B2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        style += [("FONTNAME", (0, 0), (-1, 0), bold), ("BACKGROUND", (0, 0), (-1, 0), HEAD)]
    else:
        style += [("FONTNAME", (0, 0), (0, -1), bold)]
    table.setStyle(TableStyle(style))
    return table
