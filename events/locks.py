"""The only row locks of events. A registration, cancellation, offer or check-in locks its
event first (one lock per event serialises everything that counts its seats)."""

from __future__ import annotations

from events.models import Event


def event_for_update(pk: int) -> Event:
    return Event.objects.select_for_update(of=("self",), no_key=True).get(pk=pk)
