"""Background work of the foundation. Enqueue after the transaction commits:
`transaction.on_commit(lambda: send_email.enqueue(...))`."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(
    subject: str, body: str, to: list[str], *, html_body: str | None = None, from_email=None
) -> int:
    """Send one e-mail. Runs in the worker so that a slow mail server never slows a page."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
