"""The e-mails a booker receives, in the language they booked in: confirmed (with the .ics),
waiting for approval, declined, cancelled, changed, a weekly series received."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from spaces import ics
from spaces.models import Booking

WITH_CALENDAR = ("confirmed", "changed", "pending")


def _subject(kind: str, name: str) -> str:
    subjects = {
        "confirmed": _("Booking confirmed: %(space)s"),
        "pending": _("Booking received, waiting for approval: %(space)s"),
        "declined": _("Booking declined: %(space)s"),
        "cancelled": _("Booking cancelled: %(space)s"),
        "changed": _("Booking changed: %(space)s"),
        "series": _("Weekly booking received: %(space)s"),
    }
    return subjects[kind] % {"space": name}


def recipient(booking: Booking) -> str:
    member = booking.member
    if member is None:
        return ""
    return member.email or (member.user.email if member.user_id else "")


def build(booking: Booking, kind: str) -> EmailMessage | None:
    from core.selectors import get_library

    to = recipient(booking)
    if not to:
        return None
    library = get_library()
    with translation.override(booking.language or "id"), timezone.override(library.zone):
        context = {
            "booking": booking,
            "kind": kind,
            "resource": booking.resource,
            "library": library,
            "link": ics.base_url() + reverse("spaces:booking", args=[booking.code]),
            "starts": timezone.localtime(booking.starts_at),
            "ends": timezone.localtime(booking.ends_at),
        }
        body = render_to_string("spaces/email/booking.txt", context)
        message = EmailMessage(_subject(kind, booking.resource.name), body, to=[to])
        if kind in WITH_CALENDAR:
            message.attach(
                "booking.ics",
                ics.calendar_for([booking], name=booking.resource.name),
                "text/calendar; charset=utf-8",
            )
    return message


def send(booking_id: int, kind: str) -> int:
    booking = (
        Booking.objects.select_related("space__branch", "equipment__branch", "member__user")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        return 0
    message = build(booking, kind)
    return message.send() if message else 0
