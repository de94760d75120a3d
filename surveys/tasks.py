"""Background work of surveys (django-tasks; inline in tests, the worker in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_invitations(survey_id: int) -> int:
    """E-mail every invitation of the survey not sent yet."""
    from surveys.sending import send_pending

    return send_pending(survey_id)
