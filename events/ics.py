"""iCalendar (RFC 5545) for events: a feed of the public calendar, one event for "add to
calendar", and the attachment of confirmation and reminder e-mails. Each VEVENT carries the
event page's URL; online links appear only in a registrant's own copy."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from events.models import Event, EventStatus, Registration


def base_url(request=None) -> str:
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return getattr(settings, "PUSTAKA_SITE_URL", "http://localhost:8000").rstrip("/")


def _location(event: Event) -> str:
    parts = [event.venue, event.branch.name, event.branch.address.replace("\n", ", ")]
    return ", ".join(p for p in parts if p)


def vevent(event: Event, *, root: str, registration: Registration | None = None) -> VEvent:
    item = VEvent()
    item.add("uid", f"event-{event.pk}@pustaka")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title)
    description = event.description
    if registration is not None and event.online_url:
        description = f"{description}\n\n{event.online_url}".strip()
    if description:
        item.add("description", description)
    item.add("location", _location(event))
    item.add("url", root + reverse("events:detail", args=[event.pk]))
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    if event.tags:
        item.add("categories", event.tag_list)
    return item


def calendar_for(events, *, request=None, registration: Registration | None = None) -> bytes:
    from core.selectors import get_library

    library = get_library()
    root = base_url(request)
    cal = Calendar()
    cal.add("prodid", "-//Pustaka//Events//ID")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{library.short_name or library.name}")
    cal.add("x-wr-timezone", str(timezone.get_current_timezone()))
    if registration is not None:
        cal.add("method", "PUBLISH")
    for event in events:
        cal.add_component(vevent(event, root=root, registration=registration))
    return cal.to_ical()


def start_local(event: Event) -> dt.datetime:
    return timezone.localtime(event.starts_at)
