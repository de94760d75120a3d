"""The booking lifecycle: states, the allowed moves, and the one helper that moves a booking and
records the move. Only `spaces.services` calls `transition`.

```
PENDING ──► CONFIRMED ──► CHECKED_IN
   │            ├──► CANCELLED (by the booker before the deadline, or by staff)
   │            └──► NO_SHOW   (not checked in within the window: released)
   ├──► DECLINED (staff, with a reason)
   └──► CANCELLED
```

A staff block (maintenance, an event in the room) is a booking of kind BLOCK, created
CONFIRMED; lifting it cancels it. Active states hold the slot (the database refuses an
overlapping active booking of the same space or equipment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

if TYPE_CHECKING:
    from spaces.models import Booking, BookingEvent


class BookingState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    CONFIRMED = "confirmed", _("Confirmed")
    CHECKED_IN = "checked_in", _("Checked in")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Not used (released)")


TRANSITIONS: dict[str, frozenset[str]] = {
    BookingState.PENDING: frozenset(
        {BookingState.CONFIRMED, BookingState.DECLINED, BookingState.CANCELLED}
    ),
    BookingState.CONFIRMED: frozenset(
        {BookingState.CHECKED_IN, BookingState.CANCELLED, BookingState.NO_SHOW}
    ),
    BookingState.CHECKED_IN: frozenset(),
    BookingState.DECLINED: frozenset(),
    BookingState.CANCELLED: frozenset(),
    BookingState.NO_SHOW: frozenset(),
}

# States that hold the slot. The exclusion constraint (PostgreSQL) and the trigger (SQLite)
# list the same values; a test keeps them in step.
ACTIVE_STATES = frozenset({BookingState.PENDING, BookingState.CONFIRMED, BookingState.CHECKED_IN})


class InvalidTransitionError(DomainError):
    code = "invalid_transition"
    message = _("This booking cannot move from %(source)s to %(target)s.")


def transition(
    booking: Booking,
    to: str,
    *,
    by,
    at: dt.datetime | None = None,
    reason: str = "",
    also: Sequence[str] = (),
) -> BookingEvent:
    """Move `booking` to `to`, writing with it the fields named in `also` (set by the caller):
    one UPDATE of the row. A second UPDATE of a row this transaction has already written makes
    PostgreSQL check all its foreign keys again at the commit, which waits for the member's row
    after holding the booking's: the reverse of the lock order (member, then booking) and a
    deadlock with a change of the same booking."""
    from spaces.models import BookingEvent

    source = booking.state
    if to not in TRANSITIONS[source]:
        raise InvalidTransitionError(
            source=BookingState(source).label, target=BookingState(to).label
        )
    booking.state = to
    booking.save(update_fields=["state", *also, "updated_at"])
    return BookingEvent.objects.create(
        booking=booking,
        from_state=source,
        to_state=to,
        by=by if getattr(by, "pk", None) else None,
        at=at or timezone.now(),
        reason=reason[:300],
    )
