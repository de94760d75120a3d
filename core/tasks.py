"""Background work of the foundation. Enqueue work that a change causes with
`enqueue_with(task, *args)` (or after the transaction commits:
`transaction.on_commit(lambda: send_email.enqueue(...))`)."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django_tasks import task


def tasks_in_database() -> bool:
    """True when queued tasks are rows of this database (django-tasks-db, the embedded
    default), so queueing one inside a transaction commits with it."""
    from django_tasks import task_backends

    try:
        from django_tasks_db.backend import DatabaseBackend
    except ImportError:  # pragma: no cover - a dependency
        return False
    return isinstance(task_backends["default"], DatabaseBackend)


def enqueue_with(task_to_run, *args, **kwargs) -> None:
    """Queue work caused by the current transaction's change so that it happens only if the
    change commits. With tasks in the database the task row is written in the same
    transaction (committed with it, one commit instead of two; the worker sees it only then);
    with another backend (RQ) it is queued after the commit, never before — a worker could
    otherwise read the state the change is about to replace."""
    if tasks_in_database() or not transaction.get_connection().in_atomic_block:
        task_to_run.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task_to_run.enqueue(*args, **kwargs))


@task()
def send_email(
    subject: str, body: str, to: list[str], *, html_body: str | None = None, from_email=None
) -> int:
    """Send one e-mail. Runs in the worker so that a slow mail server never slows a page."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
