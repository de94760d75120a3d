"""Reminders the day before: every confirmed registration (with an e-mail address) of events
starting tomorrow, in the library's time zone, once (`reminder_sent_at` is claimed first)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.tasks import enqueue_with
from events.models import EventStatus, Registration
from events.states import RegistrationState


def queue_reminders(*, at: dt.datetime | None = None) -> int:
    from events.tasks import send_registration_mail

    at = at or timezone.now()
    tomorrow = timezone.localtime(at).date() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    end = start + dt.timedelta(days=1)
    due = Registration.objects.filter(
        state=RegistrationState.CONFIRMED,
        reminder_sent_at__isnull=True,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
    ).exclude(email="")
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Registration.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=at
            )
            if claimed:
                enqueue_with(send_registration_mail, pk, "reminder")
                count += 1
    return count
