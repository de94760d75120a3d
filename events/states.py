"""The registration state machine.

```
            ┌──────────────► CANCELLED ◄──────────────┐
            │                    ▲                    │
CONFIRMED ──┴──► ATTENDED        │                    │
    ▲                            │                    │
    │   (seat frees, in order)   │                    │
WAITLISTED ──────────────► OFFERED ──► EXPIRED (not confirmed in time)
                               └──► CONFIRMED (the person confirms)
```

CONFIRMED and OFFERED hold seats (an offer keeps the seat until it is confirmed or expires);
ATTENDED is a confirmed registration checked in at the door. A no-show is derived: CONFIRMED
after the event has ended.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class RegistrationState(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    OFFERED = "offered", _("Seat offered: please confirm")
    ATTENDED = "attended", _("Attended")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Offer expired")


S = RegistrationState

TRANSITIONS: dict[str, frozenset[str]] = {
    S.CONFIRMED: frozenset({S.CANCELLED, S.ATTENDED}),
    S.WAITLISTED: frozenset({S.OFFERED, S.CANCELLED}),
    S.OFFERED: frozenset({S.CONFIRMED, S.EXPIRED, S.CANCELLED}),
    S.ATTENDED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}

# States that hold a seat, and states that are still "alive" (count as registered once).
SEAT_STATES = (S.CONFIRMED, S.OFFERED, S.ATTENDED)
ACTIVE_STATES = (S.CONFIRMED, S.OFFERED, S.ATTENDED, S.WAITLISTED)


class InvalidTransitionError(DomainError):
    code = "invalid_transition"
    message = _("A registration that is “%(state)s” cannot become “%(to)s”.")


def check_transition(current: str, to: str) -> None:
    if to not in TRANSITIONS[current]:
        raise InvalidTransitionError(state=S(current).label, to=S(to).label)
