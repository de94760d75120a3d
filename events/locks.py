"""The only row locks of events. A registration, cancellation, offer or check-in locks its
event first (one lock per event serialises everything that counts its seats)."""

from __future__ import annotations

from events.models import Event


def event_for_update(pk: int) -> Event:
    return Event.objects.select_for_update(of=("self",), no_key=True).get(pk=pk)


def registration_for_update(pk: int):
    """A quiz attempt locks its registration (one person's attempts are serialised; the
    event's seats are not involved, so no event lock and no lock-order question)."""
    from events.models import Registration

    return Registration.objects.select_for_update(of=("self",), no_key=True).get(pk=pk)
