"""The only row locks of events. A registration, cancellation, offer or check-in locks its
event first (one lock per event serialises everything that counts its seats); so does an edit
of the event, which would otherwise write back the status it read before a cancellation."""

from __future__ import annotations

from django.db.models import QuerySet

from events.models import Event

# On PostgreSQL a registration first waits for its turn at the event's seats: an advisory lock
# (SEATS_LOCK, event id) until its commit, taken in the statement that takes the seat
# (`services._take_seat`). Waiting there is first come, first served; waiting for the row
# itself is not, because every registration writes a new version of the row and the people
# waiting for the old one race again for the new one (a few waited seconds under load).
SEATS_LOCK = 0x65766E74  # "evnt"


def event_for_update(pk: int) -> Event:
    return Event.objects.select_for_update(of=("self",), no_key=True).get(pk=pk)


def events_for_update(events: QuerySet[Event]) -> list[Event]:
    """Several events at once (the later sessions of a series), locked in id order so that two
    changes of overlapping sets never wait for each other in a circle; read under the lock, so
    what the caller does not change (the status a cancellation set) is saved as it is now."""
    return list(events.select_for_update(of=("self",), no_key=True).order_by("pk"))


def registration_for_update(pk: int):
    """A quiz attempt locks its registration (one person's attempts are serialised; the
    event's seats are not involved, so no event lock and no lock-order question)."""
    from events.models import Registration

    return Registration.objects.select_for_update(of=("self",), no_key=True).get(pk=pk)
