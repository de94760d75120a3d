"""The e-mails a registrant receives: confirmation, waiting list, a seat offered (confirm
before …), reminder the day before, and the event cancelled. Confirmations and reminders carry
the event as an .ics attachment. Written in the language the person registered in."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events import ics
from events.models import Registration

KINDS = ("confirmed", "waitlisted", "offered", "reminder", "event_cancelled")
WITH_CALENDAR = ("confirmed", "reminder", "offered")


def _subject(kind: str, title: str) -> str:
    subjects = {
        "confirmed": _("Registered: %(title)s"),
        "waitlisted": _("On the waiting list: %(title)s"),
        "offered": _("A seat is free for you: %(title)s"),
        "reminder": _("Tomorrow: %(title)s"),
        "event_cancelled": _("Cancelled: %(title)s"),
    }
    return subjects[kind] % {"title": title}


def build(registration: Registration, kind: str) -> EmailMessage:
    from core.selectors import get_library
    from events.selectors import registration_token

    event = registration.event
    root = ics.base_url()
    link = root + reverse("events:registration", args=[registration_token(registration)])
    with (
        translation.override(registration.language or "id"),
        timezone.override(timezone.get_current_timezone()),
    ):
        context = {
            "registration": registration,
            "event": event,
            "link": link,
            "library": get_library(),
            "starts": timezone.localtime(event.starts_at),
            "expires": timezone.localtime(registration.offer_expires_at)
            if registration.offer_expires_at
            else None,
        }
        body = render_to_string(f"events/email/{kind}.txt", context)
        message = EmailMessage(_subject(kind, event.title), body, to=[registration.email])
    if kind in WITH_CALENDAR:
        message.attach(
            "event.ics",
            ics.calendar_for([event], registration=registration),
            "text/calendar; charset=utf-8",
        )
    return message


def send(registration_id: int, kind: str) -> int:
    registration = (
        Registration.objects.select_related("event", "event__branch")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not registration.email or kind not in KINDS:
        return 0
    return build(registration, kind).send()


def send_answer(code: str) -> int:
    """The answer to a registration: confirmed, or on the waiting list (a waiting number is
    given only to a registration waitlisted when it was made)."""
    registration = (
        Registration.objects.select_related("event", "event__branch").filter(code=code).first()
    )
    if registration is None or not registration.email:
        return 0
    kind = "confirmed" if registration.waitlist_number is None else "waitlisted"
    return build(registration, kind).send()
