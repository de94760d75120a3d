"""Background e-mail of events (django-tasks; inline in tests, the worker in production).
Enqueued after commit by the services. A registrant without an e-mail address gets none."""

from __future__ import annotations

from django_tasks import task


@task()
def send_registration_mail(registration_id: int, kind: str) -> int:
    from events.mail import send

    return send(registration_id, kind)
