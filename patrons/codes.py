"""The member number as a Code 128 barcode and as a QR code, drawn as inline SVG for the digital
card (no style attributes, so the page's content security policy allows them; they scale to any
screen). The printed card draws the same codes with reportlab (patrons/cards.py)."""

from __future__ import annotations

from barcode import Code128
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

QUIET_MODULES = 10


def code128_modules(value: str) -> str:
    """The bars of `value` as '1' (black) and '0' (white) modules, without the quiet zone."""
    return Code128(value).build()[0]


def code128_svg(value: str, *, height: int = 40, label: str = "") -> SafeString:
    """An SVG barcode, one module wide per unit, with the quiet zone on both sides."""
    modules = code128_modules(value)
    width = len(modules) + 2 * QUIET_MODULES
    path = []
    x = QUIET_MODULES
    run = 0
    for index, module in enumerate(modules + "0"):
        if module == "1":
            run += 1
            continue
        if run:
            start = x + index - run
            path.append(f"M{start} 0h{run}v{height}h-{run}z")
            run = 0
    title = escape(label or value)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" role="img" aria-label="{title}" class="barcode">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(path)}"/></svg>'
    )
    return mark_safe(svg)  # noqa: S308 - built here from digits and escaped text


def qr_svg(value: str, *, label: str = "") -> SafeString:
    import segno

    qr = segno.make(value, error="m", micro=False)
    svg = qr.svg_inline(
        omitsize=True, border=4, dark="#000", light="#fff", svgclass="qr-code", lineclass=None
    )
    title = escape(label or value)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)
    return mark_safe(svg)  # noqa: S308 - segno's own SVG plus an escaped label
