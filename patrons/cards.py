"""Member cards (KTA) as PDF, credit-card size (ISO/IEC 7810 ID-1, 85.6 × 54 mm).

Front: the library's name and logo, the photo (or the initials in its place), name, member
number, category and expiry. Back: the member number as a Code 128 barcode (what the desk's
scanner reads) and as a QR code (phones and camera scanners), the library's address and a short
rule. The codes carry the member number only, nothing else about the member.

- `single_cards_pdf(cards, library)`: each card on two card-size pages (front, back), for card
  printers.
- `card_sheet_pdf(cards, library)`: A4 sheets of 2 × 5 cards; each sheet of fronts is followed by
  its backs, mirrored left to right so that they line up when printed on both sides (long-edge
  flip). Cut along the thin grey outlines.

Pure drawing: callers collect `CardData` (see `card_data`) and `LibraryData` first.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

CARD_WIDTH = 85.6 * mm
CARD_HEIGHT = 54 * mm
SHEET_COLUMNS = 2
SHEET_ROWS = 5
CARDS_PER_SHEET = SHEET_COLUMNS * SHEET_ROWS

BRAND = HexColor("#0b5563")
INK = HexColor("#1b1f23")
MUTED = HexColor("#5b6670")
LINE = HexColor("#c9d1d6")
WASH = HexColor("#e3f0f2")

_fonts: tuple[str, str] | None = None


def _font_names() -> tuple[str, str]:
    """Bitstream Vera (bundled with reportlab, wider than Latin-1), else Helvetica."""
    global _fonts
    if _fonts is None:
        try:
            pdfmetrics.registerFont(TTFont("PustakaSans", "Vera.ttf"))
            pdfmetrics.registerFont(TTFont("PustakaSans-Bold", "VeraBd.ttf"))
            _fonts = ("PustakaSans", "PustakaSans-Bold")
        except Exception:  # noqa: BLE001 - a missing font file falls back to a built-in one
            _fonts = ("Helvetica", "Helvetica-Bold")
    return _fonts


@dataclass(frozen=True)
class CardData:
    name: str
    number: str
    category: str
    expires_on: dt.date | None
    photo: bytes | None = None


@dataclass(frozen=True)
class LibraryData:
    name: str
    address_lines: Sequence[str] = field(default_factory=tuple)
    logo: bytes | None = None


def _read_file(file_field) -> bytes | None:
    if not file_field:
        return None
    try:
        with file_field.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return None  # the file went missing: the card gets the placeholder


def card_data(member) -> CardData:
    return CardData(
        name=member.full_name,
        number=member.number,
        category=member.category.name,
        expires_on=member.expires_on,
        photo=_read_file(member.photo),
    )


def library_data(library) -> LibraryData:
    lines = [line.strip() for line in (library.address or "").splitlines() if line.strip()]
    place = " ".join(part for part in (library.city, library.postal_code) if part)
    if place:
        lines.append(place)
    contact = " · ".join(part for part in (library.phone, library.email) if part)
    if contact:
        lines.append(contact)
    return LibraryData(name=library.name, address_lines=lines, logo=_read_file(library.logo))


# ---------------------------------------------------------------------------------------------
# Drawing


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float, minimum: float = 5):
    """The largest font size (down to `minimum`) at which `text` fits `width`; else cut."""
    while size > minimum and canvas.stringWidth(text, font, size) > width:
        size -= 0.25
    while len(text) > 1 and canvas.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text, size


def _image(canvas: Canvas, data: bytes | None, x, y, w, h) -> bool:
    if not data:
        return False
    try:
        reader = ImageReader(io.BytesIO(data))
        canvas.drawImage(reader, x, y, w, h, preserveAspectRatio=True, anchor="c", mask="auto")
    except Exception:  # noqa: BLE001 - an unreadable image leaves the placeholder
        return False
    return True


def _initials(name: str) -> str:
    words = [w for w in name.replace(".", " ").split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _expiry_text(expires_on: dt.date | None) -> str:
    if expires_on is None:
        return _("does not expire")
    return formats.date_format(expires_on, "j F Y")


def draw_front(canvas: Canvas, card: CardData, library: LibraryData, x: float, y: float) -> None:
    regular, bold = _font_names()
    canvas.saveState()
    canvas.translate(x, y)
    canvas.setStrokeColor(LINE)
    canvas.setLineWidth(0.3)
    canvas.setFillColor(white)
    canvas.roundRect(0, 0, CARD_WIDTH, CARD_HEIGHT, 3 * mm, stroke=1, fill=1)

    # Header band with logo and the library's name.
    band = 12 * mm
    path = canvas.beginPath()
    radius = 3 * mm
    path.moveTo(0, CARD_HEIGHT - band)
    path.lineTo(0, CARD_HEIGHT - radius)
    path.arcTo(0, CARD_HEIGHT - 2 * radius, 2 * radius, CARD_HEIGHT, startAng=180, extent=-90)
    path.lineTo(CARD_WIDTH - radius, CARD_HEIGHT)
    path.arcTo(CARD_WIDTH - 2 * radius, CARD_HEIGHT - 2 * radius, CARD_WIDTH, CARD_HEIGHT, 90, -90)
    path.lineTo(CARD_WIDTH, CARD_HEIGHT - band)
    path.close()
    canvas.setFillColor(BRAND)
    canvas.drawPath(path, stroke=0, fill=1)
    text_x = 4 * mm
    logo_size = 8.5 * mm
    if library.logo:
        canvas.setFillColor(white)
        canvas.roundRect(
            3 * mm, CARD_HEIGHT - band + 1.75 * mm, logo_size, logo_size, 1 * mm, stroke=0, fill=1
        )
        if _image(
            canvas,
            library.logo,
            3.4 * mm,
            CARD_HEIGHT - band + 2.15 * mm,
            logo_size - 0.8 * mm,
            logo_size - 0.8 * mm,
        ):
            text_x = 3 * mm + logo_size + 2 * mm
    canvas.setFillColor(white)
    name, size = _fit(canvas, library.name, bold, 8.5, CARD_WIDTH - text_x - 3 * mm)
    canvas.setFont(bold, size)
    canvas.drawString(text_x, CARD_HEIGHT - 5.6 * mm, name)
    canvas.setFont(regular, 6)
    canvas.drawString(text_x, CARD_HEIGHT - 9.4 * mm, _("MEMBER CARD").upper())

    # Photo, or the initials where the photo goes.
    photo_x, photo_y, photo_w, photo_h = 4 * mm, 5 * mm, 21 * mm, 28 * mm
    if not _image(canvas, card.photo, photo_x, photo_y, photo_w, photo_h):
        canvas.setFillColor(WASH)
        canvas.rect(photo_x, photo_y, photo_w, photo_h, stroke=0, fill=1)
        canvas.setFillColor(BRAND)
        canvas.setFont(bold, 16)
        canvas.drawCentredString(
            photo_x + photo_w / 2, photo_y + photo_h / 2 - 2.5 * mm, _initials(card.name)
        )
    canvas.setStrokeColor(LINE)
    canvas.rect(photo_x, photo_y, photo_w, photo_h, stroke=1, fill=0)

    # Who, which number, until when.
    left = 29 * mm
    width = CARD_WIDTH - left - 3.5 * mm
    top = CARD_HEIGHT - band - 5.5 * mm
    canvas.setFillColor(INK)
    lines = simpleSplit(card.name, bold, 9, width)
    if len(lines) > 2:
        lines = [lines[0], _fit(canvas, " ".join(lines[1:]), bold, 9, width, minimum=9)[0]]
    canvas.setFont(bold, 9)
    for index, line in enumerate(lines):
        canvas.drawString(left, top - index * 3.6 * mm, line)
    row = top - len(lines) * 3.6 * mm - 2.2 * mm

    def fact(label: str, value: str, value_font: str, value_size: float) -> None:
        nonlocal row
        canvas.setFillColor(MUTED)
        canvas.setFont(regular, 5.5)
        canvas.drawString(left, row, label)
        canvas.setFillColor(INK)
        text, fitted = _fit(canvas, value, value_font, value_size, width)
        canvas.setFont(value_font, fitted)
        canvas.drawString(left, row - 3.3 * mm, text)
        row -= 7 * mm

    fact(_("Member number"), card.number, bold, 10)
    fact(_("Category"), card.category, regular, 7.5)
    fact(_("Valid until"), _expiry_text(card.expires_on), regular, 7.5)
    canvas.restoreState()


def _draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    import segno

    qr = segno.make(value, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix]
    border = 2
    modules = len(matrix) + 2 * border
    unit = size / modules
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(Color(0, 0, 0))
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                canvas.rect(
                    x + (border + start) * unit,
                    y + size - (border + r + 1) * unit,
                    (c - start) * unit,
                    unit,
                    stroke=0,
                    fill=1,
                )
            else:
                c += 1


def _draw_barcode(canvas: Canvas, value: str, x: float, y: float, width: float, height: float):
    probe = Code128(value, barWidth=1, barHeight=height, quiet=True)
    bar_width = min(0.33 * mm, width / probe.width)
    barcode = Code128(value, barWidth=bar_width, barHeight=height, quiet=True)
    barcode.drawOn(canvas, x + (width - barcode.width) / 2, y)


def draw_back(canvas: Canvas, card: CardData, library: LibraryData, x: float, y: float) -> None:
    regular, bold = _font_names()
    canvas.saveState()
    canvas.translate(x, y)
    canvas.setStrokeColor(LINE)
    canvas.setLineWidth(0.3)
    canvas.setFillColor(white)
    canvas.roundRect(0, 0, CARD_WIDTH, CARD_HEIGHT, 3 * mm, stroke=1, fill=1)
    margin = 4 * mm

    # The rule, across the top.
    canvas.setFillColor(INK)
    rule = _(
        "This card is personal. Show it when you borrow. Report a lost card to the library at "
        "once. If you find this card, please return it to the library."
    )
    canvas.setFont(regular, 5.6)
    row = CARD_HEIGHT - margin - 1.5 * mm
    for line in simpleSplit(rule, regular, 5.6, CARD_WIDTH - 2 * margin)[:3]:
        canvas.drawString(margin, row, line)
        row -= 2.4 * mm

    # Barcode on the left, QR code on the right.
    qr_size = 20 * mm
    qr_x = CARD_WIDTH - margin - qr_size
    codes_y = 16 * mm
    _draw_qr(canvas, card.number, qr_x, codes_y - 1 * mm, qr_size)
    barcode_width = qr_x - margin - 3 * mm
    _draw_barcode(canvas, card.number, margin, codes_y + 4 * mm, barcode_width, 12 * mm)
    canvas.setFont(bold, 8)
    canvas.drawCentredString(margin + barcode_width / 2, codes_y + 0.5 * mm, card.number)

    # The library's address along the bottom.
    canvas.setFont(bold, 6)
    name, size = _fit(canvas, library.name, bold, 6, CARD_WIDTH - 2 * margin)
    canvas.setFont(bold, size)
    bottom_lines = [line for line in library.address_lines if line][:3]
    row = margin + len(bottom_lines) * 2.5 * mm
    canvas.drawString(margin, row, name)
    canvas.setFont(regular, 5.5)
    canvas.setFillColor(MUTED)
    for line in bottom_lines:
        row -= 2.5 * mm
        text, fitted = _fit(canvas, line, regular, 5.5, CARD_WIDTH - 2 * margin, minimum=4.5)
        canvas.setFont(regular, fitted)
        canvas.drawString(margin, row, text)
    canvas.restoreState()


def _new_canvas(buffer: io.BytesIO, pagesize, title: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Pustaka")
    canvas.setCreator("Pustaka")
    return canvas


def single_cards_pdf(cards: Iterable[CardData], library: LibraryData) -> bytes:
    """Each card as two card-size pages: front, then back."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, (CARD_WIDTH, CARD_HEIGHT), _("Member card"))
    for card in cards:
        draw_front(canvas, card, library, 0, 0)
        canvas.showPage()
        draw_back(canvas, card, library, 0, 0)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def sheet_positions(page_width: float = A4[0], page_height: float = A4[1]):
    """Lower-left corners of the card places on an A4 sheet, row by row from the top."""
    left = (page_width - SHEET_COLUMNS * CARD_WIDTH) / 2
    bottom = (page_height - SHEET_ROWS * CARD_HEIGHT) / 2
    return [
        (left + column * CARD_WIDTH, bottom + (SHEET_ROWS - 1 - row) * CARD_HEIGHT)
        for row in range(SHEET_ROWS)
        for column in range(SHEET_COLUMNS)
    ]


def sheet_count(cards: int) -> int:
    return max(1, math.ceil(cards / CARDS_PER_SHEET))


def card_sheet_pdf(cards: Sequence[CardData], library: LibraryData) -> bytes:
    """A4 sheets of ten cards: a page of fronts, then the page of their backs (mirrored)."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, A4, _("Member cards"))
    positions = sheet_positions()
    for sheet in range(sheet_count(len(cards))):
        batch = cards[sheet * CARDS_PER_SHEET : (sheet + 1) * CARDS_PER_SHEET]
        for card, (x, y) in zip(batch, positions, strict=False):
            draw_front(canvas, card, library, x, y)
        canvas.showPage()
        for index, card in enumerate(batch):
            row, column = divmod(index, SHEET_COLUMNS)
            mirrored = row * SHEET_COLUMNS + (SHEET_COLUMNS - 1 - column)
            x, y = positions[mirrored]
            draw_back(canvas, card, library, x, y)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
