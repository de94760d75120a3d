"""Background e-mail of bookings, enqueued after commit by the services."""

from __future__ import annotations

from django_tasks import task


@task()
def send_booking_mail(booking_id: int, kind: str) -> int:
    from spaces.mail import send

    return send(booking_id, kind)
