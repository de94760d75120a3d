"""Background e-mail to the asker (django-tasks; inline in tests, the worker in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_question_mail(question_id: int, kind: str) -> int:
    from conversations.mail import send

    return send(question_id, kind)
