"""The only row locks of spaces. Order: member, then the booking (and its attached equipment
bookings, by id). The space row is never locked: the database's overlap rule (exclusion
constraint or trigger) decides between two bookings racing for one slot."""

from __future__ import annotations

from spaces.models import Booking


def booking_for_update(pk: int) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("space__branch", "equipment__branch", "member__category")
        .get(pk=pk)
    )


def attached_for_update(booking: Booking) -> list[Booking]:
    return list(
        Booking.objects.select_for_update(of=("self",))
        .select_related("equipment")
        .filter(with_booking=booking)
        .order_by("pk")
    )
