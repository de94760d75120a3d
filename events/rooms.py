"""An event in a room books the room.

An event with a `space` holds it for its whole time through a block in the spaces app
(`spaces.services.block_space`, source "event:<id>"): nobody can book the room over the event,
and a room already booked by someone at that time is refused with the bookings in the way
(the event is then not saved: every caller runs inside the event's transaction). Moving the
event moves the block; another room, no room or a cancelled event lifts it.
"""

from __future__ import annotations

from django.utils.translation import gettext

from events.models import Event, EventStatus


def source_for(event: Event) -> str:
    return f"event:{event.pk}"


def sync_room(event: Event) -> None:
    """Make the spaces app hold exactly the event's room for the event's time. Call inside
    the transaction that saves the event (a refusal undoes the save)."""
    from spaces import selectors as space_selectors
    from spaces import services as space_services

    wanted = event.space if event.space_id and event.status != EventStatus.CANCELLED else None
    kept = None
    for block in space_selectors.blocks_for_source(source_for(event)):
        if wanted is not None and kept is None and block.space_id == wanted.pk:
            kept = block
            if (block.starts_at, block.ends_at) != (event.starts_at, event.ends_at):
                space_services.move_block(block, event.starts_at, event.ends_at, by=None)
        else:
            space_services.unblock(block, by=None, reason=gettext("The event moved or ended."))
    if wanted is not None and kept is None:
        space_services.block_space(
            wanted,
            event.starts_at,
            event.ends_at,
            gettext("Event: %(title)s") % {"title": event.title},
            None,
            source=source_for(event),
            title=event.title,
        )
