"""Background e-mail of events (django-tasks; inline in tests, the worker in production).
Queued with the change by the services (`core.tasks.enqueue_with`): run only if it commits. A
registrant without an e-mail address gets none."""

from __future__ import annotations

from django_tasks import task


@task()
def send_registration_mail(registration_id: int, kind: str) -> int:
    from events.mail import send

    return send(registration_id, kind)


@task()
def send_registration_answer(code: str) -> int:
    """The confirmation or the waiting-list e-mail of a new registration, whichever it got
    (queued by its code before the registration was inserted)."""
    from events.mail import send_answer

    return send_answer(code)
