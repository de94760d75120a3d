"""iCalendar for bookings: the attachment of confirmation e-mails and a feed per space."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from spaces.models import Booking, BookingKind
from spaces.states import BookingState


def base_url() -> str:
    return getattr(settings, "PUSTAKA_SITE_URL", "http://localhost:8000").rstrip("/")


def _summary(booking: Booking) -> str:
    if booking.kind == BookingKind.BLOCK:
        return booking.title or booking.reason
    return f"{booking.resource.name}: {booking.title or booking.get_purpose_display()}"


def vevent(booking: Booking, *, root: str, private: bool) -> VEvent:
    resource = booking.resource
    item = VEvent()
    item.add("uid", f"space-booking-{booking.pk}@pustaka")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", booking.starts_at)
    item.add("dtend", booking.ends_at)
    item.add("summary", _summary(booking) if private else str(resource.name))
    branch = resource.branch
    location = ", ".join(
        p for p in [getattr(resource, "location", ""), branch.name, branch.address] if p
    )
    item.add("location", location.replace("\n", ", "))
    if private:
        item.add("url", root + reverse("spaces:booking", args=[booking.code]))
    state = booking.state
    item.add(
        "status",
        "CANCELLED"
        if state not in (BookingState.PENDING, BookingState.CONFIRMED, BookingState.CHECKED_IN)
        else ("TENTATIVE" if state == BookingState.PENDING else "CONFIRMED"),
    )
    return item


def calendar_for(bookings, *, name: str, private: bool = True) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Pustaka//Spaces//ID")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(timezone.get_current_timezone()))
    root = base_url()
    for booking in bookings:
        cal.add_component(vevent(booking, root=root, private=private))
    return cal.to_ical()
