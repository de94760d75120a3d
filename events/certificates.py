"""Certificates of attendance (sertifikat) as PDF: A4 landscape with the library's name and
logo, the person's name, what they came to (or spoke at), the date and place, and the
verification code with a QR code of the public page that verifies it.

Pure drawing: callers pass `CertificateData` (see `certificate_data`) and the library's data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

from patrons.cards import BRAND, INK, LINE, MUTED, WASH, LibraryData, _fit, _font_names, _image


@dataclass(frozen=True)
class CertificateData:
    name: str
    role: str  # "attendee" or "speaker"
    event_title: str
    event_kind: str
    dates: str
    place: str
    code: str
    verify_url: str


def _dates(event) -> str:
    start = timezone.localtime(event.starts_at).date()
    end = timezone.localtime(event.ends_at).date()
    if start == end:
        return formats.date_format(start, "j F Y")
    return f"{formats.date_format(start, 'j F Y')} – {formats.date_format(end, 'j F Y')}"


def certificate_data(certificate, *, verify_url: str) -> CertificateData:
    event = certificate.event
    place = ", ".join(p for p in (event.venue, event.branch.name) if p)
    if event.is_online and not event.venue:
        place = _("Online")
    return CertificateData(
        name=certificate.name,
        role=certificate.role,
        event_title=event.title,
        event_kind=str(event.get_kind_display()),
        dates=_dates(event),
        place=place,
        code=certificate.code,
        verify_url=verify_url,
    )


def _centred(canvas: Canvas, text: str, font: str, size: float, y: float, width: float) -> None:
    text, size = _fit(canvas, text, font, size, width - 40 * mm)
    canvas.setFont(font, size)
    canvas.drawCentredString(width / 2, y, text)


def certificate_pdf(data: CertificateData, library: LibraryData) -> bytes:
    regular, bold = _font_names()
    width, height = landscape(A4)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), invariant=1)
    title = _("Certificate of attendance") if data.role == "attendee" else _("Certificate")
    canvas.setTitle(f"{title}: {data.name}")
    canvas.setAuthor(library.name)
    # The code in the document's properties too (searchable, and what the tests read).
    canvas.setSubject(f"{data.event_title} · {data.code}")
    canvas.setKeywords(data.code)

    # Frame
    canvas.setFillColor(WASH)
    canvas.rect(0, 0, width, height, stroke=0, fill=1)
    canvas.setFillColor("#ffffff")
    canvas.setStrokeColor(BRAND)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm, stroke=1, fill=1)
    canvas.setStrokeColor(LINE)
    canvas.setLineWidth(0.75)
    canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm, stroke=1, fill=0)

    # Library
    top = height - 34 * mm
    if library.logo and _image(
        canvas, library.logo, width / 2 - 10 * mm, top - 4 * mm, 20 * mm, 14 * mm
    ):
        top -= 14 * mm
    canvas.setFillColor(BRAND)
    _centred(canvas, library.name, bold, 16, top, width)

    # Title and name
    canvas.setFillColor(INK)
    _centred(canvas, title.upper(), bold, 30, top - 22 * mm, width)
    canvas.setFillColor(MUTED)
    _centred(canvas, _("is awarded to"), regular, 13, top - 34 * mm, width)
    canvas.setFillColor(BRAND)
    _centred(canvas, data.name, bold, 28, top - 50 * mm, width)
    canvas.setStrokeColor(LINE)
    canvas.line(width / 2 - 80 * mm, top - 54 * mm, width / 2 + 80 * mm, top - 54 * mm)

    # What for
    canvas.setFillColor(INK)
    what = (
        _("for taking part in the %(kind)s")
        if data.role == "attendee"
        else _("for speaking at the %(kind)s")
    ) % {"kind": data.event_kind.lower()}
    _centred(canvas, what, regular, 13, top - 66 * mm, width)
    lines = simpleSplit(f"“{data.event_title}”", bold, 18, width - 60 * mm)[:2]
    y = top - 78 * mm
    for line in lines:
        _centred(canvas, line, bold, 18, y, width)
        y -= 8 * mm
    canvas.setFillColor(MUTED)
    _centred(
        canvas, " · ".join(p for p in (data.dates, data.place) if p), regular, 12, y - 2 * mm, width
    )

    # Verification: the code and a QR code of the public page
    qr = io.BytesIO()
    segno.make(data.verify_url, error="m").save(qr, kind="png", scale=4, border=2)
    qr.seek(0)
    size = 26 * mm
    canvas.drawImage(ImageReader(qr), width - 22 * mm - size, 22 * mm, size, size)
    canvas.setFillColor(INK)
    canvas.setFont(bold, 11)
    canvas.drawRightString(
        width - 26 * mm - size, 36 * mm, _("Verification code: %(code)s") % {"code": data.code}
    )
    canvas.setFillColor(MUTED)
    url, url_size = _fit(canvas, data.verify_url, regular, 9, width / 2)
    canvas.setFont(regular, url_size)
    canvas.drawRightString(width - 26 * mm - size, 30 * mm, url)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
