"""Background e-mail to the asker (django-tasks; inline in tests, the worker in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_question_mail(question_id: int, kind: str) -> int:
    from conversations.mail import send

    return send(question_id, kind)


@task()
def send_feedback_mail(feedback_id: int, kind: str) -> int:
    from conversations.mail import send_feedback

    return send_feedback(feedback_id, kind)


@task()
def send_escalation_mail(feedback_ids: list[int]) -> int:
    from conversations.mail import send_escalation

    return send_escalation(feedback_ids)


@task()
def send_patron_reply_notice(question_id: int) -> int:
    from conversations.mail import send_patron_reply_notice as send

    return send(question_id)
