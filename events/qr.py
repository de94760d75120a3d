"""The QR code on a registration: it carries only the registration's unguessable code, which
the door screen looks up (a forged or mistyped code matches nothing)."""

from __future__ import annotations

import segno
from django.utils.safestring import mark_safe

from events.models import Registration

PREFIX = "PUSTAKA-EV:"


def payload(registration: Registration) -> str:
    return PREFIX + registration.code


def registration_svg(registration: Registration, *, scale: int = 6) -> str:
    code = segno.make(payload(registration), error="m", micro=False)
    return mark_safe(code.svg_inline(scale=scale, dark="#000", light="#fff"))  # noqa: S308


def registration_png(registration: Registration, *, scale: int = 6) -> bytes:
    import io

    out = io.BytesIO()
    segno.make(payload(registration), error="m", micro=False).save(out, kind="png", scale=scale)
    return out.getvalue()
