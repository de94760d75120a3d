"""Spine and barcode labels on A4 label sheets, as PDF (reportlab).

A `LabelSheet` is the grid of a sheet in millimetres (rows, columns, label size, page margins,
gaps). Labels fill it left to right, top to bottom, from a start position (1 = top left), so a
partly used sheet can go through the printer again. `print_labels` is the service: it checks
the permission, renders, and remembers the sheet per user and kind (`LabelPreference`)
together with the next free position.

Spine labels carry the call number broken into lines (the class, the author letters, the title
letter, the year, optionally the library's short name); barcode labels carry a Code 128 bar
code with its text, a shortened title, the call number and the library's short name.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from catalog.errors import LabelSheetError, NoItemsToLabelError
from catalog.models import Item, LabelPreference, Record
from core.permissions import require

A4_WIDTH_MM = 210.0
A4_HEIGHT_MM = 297.0
MAX_GRID = 40  # rows or columns; more would be labels smaller than a finger
MIN_LABEL_MM = 10.0
MAX_LABELS = 5000  # one print job
FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"


class LabelKind(models.TextChoices):
    SPINE = "spine", gettext_lazy("Spine labels (call number)")
    BARCODE = "barcode", gettext_lazy("Barcode labels")


@dataclass(frozen=True)
class LabelSheet:
    """An A4 sheet of labels; every length in millimetres."""

    rows: int
    columns: int
    label_width: float
    label_height: float
    margin_top: float = 0.0
    margin_left: float = 0.0
    gap_x: float = 0.0
    gap_y: float = 0.0

    @property
    def per_page(self) -> int:
        return self.rows * self.columns

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for every setting that cannot be printed; empty when it can."""
        found: list[tuple[str, str]] = []
        for name in ("rows", "columns"):
            value = getattr(self, name)
            if value < 1:
                found.append((name, _("give at least 1.")))
            elif value > MAX_GRID:
                found.append((name, _("give at most %(max)s.") % {"max": MAX_GRID}))
        for name in ("label_width", "label_height"):
            if getattr(self, name) < MIN_LABEL_MM:
                found.append(
                    (name, _("a label must be at least %(min)s mm.") % {"min": int(MIN_LABEL_MM)})
                )
        for name in ("margin_top", "margin_left", "gap_x", "gap_y"):
            if getattr(self, name) < 0:
                found.append((name, _("cannot be negative.")))
        if found:
            return found
        across = (
            self.margin_left + self.columns * self.label_width + (self.columns - 1) * self.gap_x
        )
        down = self.margin_top + self.rows * self.label_height + (self.rows - 1) * self.gap_y
        if across > A4_WIDTH_MM + 0.01:
            found.append(
                (
                    "columns",
                    _(
                        "the labels are %(size)s mm wide in all, wider than an A4 sheet "
                        "(210 mm): fewer columns, narrower labels or smaller margins."
                    )
                    % {"size": _mm(across)},
                )
            )
        if down > A4_HEIGHT_MM + 0.01:
            found.append(
                (
                    "rows",
                    _(
                        "the labels are %(size)s mm high in all, higher than an A4 sheet "
                        "(297 mm): fewer rows, lower labels or smaller margins."
                    )
                    % {"size": _mm(down)},
                )
            )
        return found

    def check(self) -> None:
        for name, problem in self.problems():
            raise LabelSheetError(field=name, label=FIELD_LABELS[name], problem=problem)

    def origin(self, slot: int) -> tuple[float, float]:
        """Bottom-left corner, in points from the page's bottom-left, of label `slot` (0-based,
        row by row from the top left)."""
        row, column = divmod(slot, self.columns)
        x = self.margin_left + column * (self.label_width + self.gap_x)
        top = self.margin_top + row * (self.label_height + self.gap_y)
        return x * mm, (A4_HEIGHT_MM - top - self.label_height) * mm

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> LabelSheet:
        names = {f.name for f in fields(cls)}
        clean: dict[str, Any] = {}
        for name in names:
            if name in values:
                clean[name] = (
                    int(values[name]) if name in ("rows", "columns") else float(values[name])
                )
        return cls(**clean)


FIELD_LABELS = {
    "rows": gettext_lazy("Rows"),
    "columns": gettext_lazy("Columns"),
    "label_width": gettext_lazy("Label width (mm)"),
    "label_height": gettext_lazy("Label height (mm)"),
    "margin_top": gettext_lazy("Top margin (mm)"),
    "margin_left": gettext_lazy("Left margin (mm)"),
    "gap_x": gettext_lazy("Gap between columns (mm)"),
    "gap_y": gettext_lazy("Gap between rows (mm)"),
    "start": gettext_lazy("Start position"),
}


def _mm(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Preset:
    key: str
    label: Any
    sheet: LabelSheet


PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in (
        Preset(
            "3x8-70x37",
            gettext_lazy("24 per sheet: 3 × 8, 70 × 37 mm"),
            LabelSheet(rows=8, columns=3, label_width=70, label_height=37, margin_top=0.5),
        ),
        Preset(
            "3x7-63.5x38.1",
            gettext_lazy("21 per sheet: 3 × 7, 63.5 × 38.1 mm (L7160)"),
            LabelSheet(
                rows=7,
                columns=3,
                label_width=63.5,
                label_height=38.1,
                margin_top=15.15,
                margin_left=7.25,
                gap_x=2.5,
            ),
        ),
        Preset(
            "4x10-48.5x25.4",
            gettext_lazy("40 per sheet: 4 × 10, 48.5 × 25.4 mm"),
            LabelSheet(
                rows=10,
                columns=4,
                label_width=48.5,
                label_height=25.4,
                margin_top=21.5,
                margin_left=8,
            ),
        ),
        Preset(
            "5x13-38x21",
            gettext_lazy("65 per sheet: 5 × 13, 38.1 × 21.2 mm (L7651)"),
            LabelSheet(
                rows=13,
                columns=5,
                label_width=38.1,
                label_height=21.2,
                margin_top=10.7,
                margin_left=4.75,
                gap_x=2.5,
            ),
        ),
    )
}
CUSTOM = "custom"
DEFAULT_PRESET = {LabelKind.SPINE: "5x13-38x21", LabelKind.BARCODE: "4x10-48.5x25.4"}


def pages_needed(count: int, *, start: int, sheet: LabelSheet) -> int:
    return math.ceil((start - 1 + count) / sheet.per_page) if count else 0


def next_start(count: int, *, start: int, sheet: LabelSheet) -> int:
    """The first unused position after printing `count` labels from `start`."""
    return (start - 1 + count) % sheet.per_page + 1


def check_start(start: int, sheet: LabelSheet) -> None:
    if not 1 <= start <= sheet.per_page:
        raise LabelSheetError(
            field="start",
            label=FIELD_LABELS["start"],
            problem=_("the sheet has %(count)s labels; give a position from 1 to %(count)s.")
            % {"count": sheet.per_page},
        )


# ---------------------------------------------------------------------------------------------
# What a label says


def printable(text: str) -> str:
    """Text the PDF's built-in fonts can show (Latin-1 / Windows-1252): accents kept where the
    font has them, other letters folded to their base letter, anything else replaced by '?'."""
    text = unicodedata.normalize("NFC", text or "")
    out = []
    for char in text:
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            try:
                base.encode("cp1252")
                out.append(base or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


_CLASS = re.compile(r"^(?:\d{3}|2X\d?)")  # DDC, and the Indonesian 2X (Islam) notation
_ARTICLES = {"the", "a", "an"}


def author_letters(record: Record) -> str:
    """The three author letters of an Indonesian call number: the first contributor's
    surname ('Hirata, Andrea' -> 'HIR'), else the title's first word."""
    links = list(record.record_contributors.all())
    source = links[0].contributor.name.split(",")[0] if links else title_word(record.title)
    letters = "".join(c for c in _fold(source) if c.isalnum())
    return letters[:3].upper()


def title_word(title: str) -> str:
    words = (title or "").split()
    while len(words) > 1 and words[0].casefold() in _ARTICLES:
        words = words[1:]
    return words[0] if words else ""


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(c)
    )


def call_number_of(item: Item) -> str:
    """The item's call number, the record's, or one built from the DDC class, the author
    letters and the title letter ('899.221 3 HIR l')."""
    if item.effective_call_number.strip():
        return item.effective_call_number.strip()
    record = item.record
    parts = [record.ddc.replace("/", "").strip(), author_letters(record)]
    title_letter = "".join(c for c in _fold(title_word(record.title)) if c.isalnum())[:1]
    parts.append(title_letter.lower())
    return " ".join(part for part in parts if part)


def spine_lines(call_number: str, *, year: int | None = None) -> list[str]:
    """A call number as it stands on a spine, one part a line: 'R 899.221 3 HIR l' ->
    ['R', '899.221 3', 'HIR', 'l'], then the year when it is not already there."""
    tokens = call_number.split()
    lines: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if _CLASS.match(token):
            token = token.replace("/", "")
            # '899.221 3': digits that continue the class (spaced in threes) stay with it.
            while index + 1 < len(tokens) and tokens[index + 1].isdigit():
                index += 1
                token += " " + tokens[index]
        lines.append(token)
        index += 1
    if year and str(year) not in tokens:
        lines.append(str(year))
    return lines


def shorten(text: str, font: str, size: float, width: float) -> str:
    """`text` cut at a word (with '…') to fit `width` points."""
    text = " ".join(text.split())
    if stringWidth(text, font, size) <= width:
        return text
    ellipsis = "…"
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(" ,:;/.") + ellipsis
        if stringWidth(candidate, font, size) <= width:
            return candidate
    while text and stringWidth(text + ellipsis, font, size) > width:
        text = text[:-1]
    return text + ellipsis if text else ""


# ---------------------------------------------------------------------------------------------
# Drawing


@dataclass(frozen=True)
class LabelOptions:
    library_name: str = ""
    show_library: bool = True
    outline: bool = False  # draw each label's edge (a test print on plain paper)


def _draw_spine(canvas: Canvas, item: Item, x: float, y: float, w: float, h: float, options):
    lines = [printable(line) for line in spine_lines(call_number_of(item), year=item.record.year)]
    library = printable(options.library_name) if options.show_library else ""
    pad = min(2 * mm, h * 0.08, w * 0.08)
    avail_w, avail_h = w - 2 * pad, h - 2 * pad
    small_ratio = 0.7
    units = len(lines) + (small_ratio if library else 0)
    if not units:
        return
    size = min(16.0, avail_h / (units * 1.15))
    widest = max([stringWidth(line, FONT_BOLD, 1) for line in lines] or [1])
    size = max(4.0, min(size, avail_w / widest if widest else size))
    if library:
        small = min(size * small_ratio, avail_w / max(stringWidth(library, FONT, 1), 1))
        library = shorten(library, FONT, max(small, 3.5), avail_w)
    block = len(lines) * size * 1.15 + (size * small_ratio * 1.15 if library else 0)
    cursor = y + h - pad - (avail_h - block) / 2
    centre = x + w / 2
    for line in lines:
        cursor -= size * 1.15
        canvas.setFont(FONT_BOLD, size)
        canvas.drawCentredString(centre, cursor + size * 0.2, line)
    if library:
        cursor -= size * small_ratio * 1.15
        canvas.setFont(FONT, max(small, 3.5))
        canvas.drawCentredString(centre, cursor + size * 0.2, library)


def _draw_barcode(canvas: Canvas, item: Item, x: float, y: float, w: float, h: float, options):
    pad = min(2 * mm, h * 0.08, w * 0.06)
    avail_w, avail_h = w - 2 * pad, h - 2 * pad
    size = max(4.5, min(8.0, h / 9))
    library = printable(options.library_name) if options.show_library else ""
    title = printable(item.record.full_title)
    call_number = printable(call_number_of(item))
    top = [(FONT, size * 0.85, library)] if library else []
    top.append((FONT_BOLD, size, title))
    bottom = [(FONT, size, printable(item.barcode))]
    if call_number:
        bottom.append((FONT, size, call_number))

    def text_height() -> float:
        return sum(line[1] * 1.15 for line in top + bottom)

    # Too small a label: the library's name goes first, then the call number.
    if avail_h - text_height() < 12 and library:
        top.pop(0)
    if avail_h - text_height() < 12 and len(bottom) > 1:
        bottom.pop()
    bar_height = max(8.0, avail_h - text_height() - 2)
    # The width counts the quiet zones (10 modules each side) that scanners need.
    modules = Code128(item.barcode, barWidth=1, quiet=True).width
    bar_width = min(avail_w / modules, 1.2)  # points per module; scanners read 0.2 mm and up
    code = Code128(
        item.barcode, barWidth=bar_width, barHeight=bar_height, quiet=True, humanReadable=False
    )
    cursor = y + h - pad
    centre = x + w / 2
    for font, font_size, text in top:
        cursor -= font_size * 1.15
        canvas.setFont(font, font_size)
        canvas.drawCentredString(
            centre, cursor + font_size * 0.2, shorten(text, font, font_size, avail_w)
        )
    cursor -= 1 + bar_height
    code.drawOn(canvas, centre - code.width / 2, cursor)
    cursor -= 1
    for font, font_size, text in bottom:
        cursor -= font_size * 1.15
        canvas.setFont(font, font_size)
        canvas.drawCentredString(
            centre, cursor + font_size * 0.2, shorten(text, font, font_size, avail_w)
        )


_DRAW = {LabelKind.SPINE: _draw_spine, LabelKind.BARCODE: _draw_barcode}


def render_labels(
    items: Sequence[Item],
    *,
    kind: str,
    sheet: LabelSheet,
    start: int = 1,
    options: LabelOptions | None = None,
    title: str = "",
) -> bytes:
    """The PDF: one label per item, from position `start` (1-based) of the first sheet."""
    sheet.check()
    check_start(start, sheet)
    if not items:
        raise NoItemsToLabelError()
    options = options or LabelOptions()
    draw = _DRAW[LabelKind(kind)]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(A4_WIDTH_MM * mm, A4_HEIGHT_MM * mm), pageCompression=0)
    canvas.setTitle(title or str(LabelKind(kind).label))
    canvas.setCreator("Pustaka")
    w, h = sheet.label_width * mm, sheet.label_height * mm
    slot = start - 1
    for item in items:
        if slot == sheet.per_page:
            canvas.showPage()
            slot = 0
        x, y = sheet.origin(slot)
        if options.outline:
            canvas.setLineWidth(0.25)
            canvas.setStrokeGray(0.6)
            canvas.rect(x, y, w, h)
            canvas.setStrokeGray(0)
        draw(canvas, item, x, y, w, h, options)
        slot += 1
    canvas.showPage()
    canvas.save()
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Remembered choices and the service


@dataclass(frozen=True)
class LabelChoice:
    """What a user last printed with, for one kind of label."""

    preset: str
    sheet: LabelSheet
    show_library: bool = True
    start: int = 1  # the next free position on the partly used sheet


def default_choice(kind: str) -> LabelChoice:
    key = DEFAULT_PRESET[LabelKind(kind)]
    return LabelChoice(preset=key, sheet=PRESETS[key].sheet)


def remembered_choice(user, kind: str) -> LabelChoice:
    """The sheet this user last printed `kind` labels on, or the default for the kind."""
    preference = LabelPreference.objects.filter(user=user, kind=kind).first()
    if preference is None:
        return default_choice(kind)
    layout = preference.layout or {}
    try:
        sheet = LabelSheet.from_dict(layout.get("sheet", {}))
        if sheet.problems():
            raise ValueError
    except (TypeError, ValueError):
        return default_choice(kind)
    start = layout.get("start", 1)
    return LabelChoice(
        preset=layout.get("preset", CUSTOM)
        if layout.get("preset") in {*PRESETS, CUSTOM}
        else CUSTOM,
        sheet=sheet,
        show_library=bool(layout.get("show_library", True)),
        start=start if isinstance(start, int) and 1 <= start <= sheet.per_page else 1,
    )


def print_labels(
    items: Iterable[Item],
    *,
    kind: str,
    choice: LabelChoice,
    start: int = 1,
    library_name: str = "",
    outline: bool = False,
    by,
) -> bytes:
    """Render the labels and remember the sheet for `by`, with the next free position (unless
    `outline`: a test print on plain paper uses up no labels)."""
    require(by, "catalog.print_labels")
    items = list(items)[: MAX_LABELS + 1]
    if len(items) > MAX_LABELS:
        raise LabelSheetError(
            field="",
            label=_("Items"),
            problem=_("at most %(max)s labels at a time.") % {"max": MAX_LABELS},
        )
    pdf = render_labels(
        items,
        kind=kind,
        sheet=choice.sheet,
        start=start,
        options=LabelOptions(
            library_name=library_name, show_library=choice.show_library, outline=outline
        ),
    )
    used = 0 if outline else len(items)
    remembered = replace(choice, start=next_start(used, start=start, sheet=choice.sheet))
    LabelPreference.objects.update_or_create(
        user=by,
        kind=LabelKind(kind).value,
        defaults={
            "layout": {
                "preset": remembered.preset,
                "sheet": remembered.sheet.to_dict(),
                "show_library": remembered.show_library,
                "start": remembered.start,
            }
        },
    )
    return pdf
