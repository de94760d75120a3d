"""schema.org Event JSON-LD and Open Graph values for an event page, so that search engines
and a link shared on WhatsApp or Facebook show the event well."""

from __future__ import annotations

import json

from django.utils.safestring import mark_safe

from events.models import Event, EventStatus

ATTENDANCE = {
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "offline": "https://schema.org/OfflineEventAttendanceMode",
}


def json_ld(event: Event, *, url: str, image_url: str = "") -> str:
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.description[:500],
        "startDate": event.starts_at.isoformat(),
        "endDate": event.ends_at.isoformat(),
        "url": url,
        "inLanguage": event.language,
        "eventStatus": "https://schema.org/EventCancelled"
        if event.status == EventStatus.CANCELLED
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": ATTENDANCE["online" if event.kind == "webinar" else "offline"],
        "isAccessibleForFree": event.cost == 0,
        "organizer": {"@type": "Library", "name": event.branch.name},
    }
    if event.kind == "webinar":
        data["location"] = {"@type": "VirtualLocation", "url": url}
    else:
        data["location"] = {
            "@type": "Place",
            "name": ", ".join(p for p in (event.venue, event.branch.name) if p),
            "address": event.branch.address,
        }
    if event.cost:
        data["offers"] = {"@type": "Offer", "price": event.cost, "priceCurrency": "IDR"}
    if image_url:
        data["image"] = [image_url]
    performers = [{"@type": "Person", "name": s.name} for s in event.speakers.all()]
    if performers:
        data["performer"] = performers
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return mark_safe(text)  # noqa: S308 - JSON with <, > and & escaped
