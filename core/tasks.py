"""Background work of the foundation. Enqueue work that a change causes with
`enqueue_with(task, *args)` (or after the transaction commits:
`transaction.on_commit(lambda: send_email.enqueue(...))`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

# Failed tasks are kept at least this long: someone may be looking for why a notice never went.
FAILED_TASKS_KEPT_DAYS = 90


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


def prune_finished_tasks(*, now: dt.datetime | None = None, batch: int = 10_000) -> int:
    """Delete the database queue's finished tasks older than PUSTAKA_TASK_RESULTS_DAYS (failed
    ones older than that or 90 days, whichever is longer); waiting and running ones stay.
    Every checkout and return queues a task, so without this the queue's table would grow
    with the loans. Deleted in batches (short transactions: the worker keeps taking tasks).
    Returns how many were deleted. With RQ, Redis expires results itself: nothing to do."""
    if not tasks_in_database():
        return 0
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    days = max(int(settings.PUSTAKA_TASK_RESULTS_DAYS), 1)
    old = DBTaskResult.objects.finished().filter(
        Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lte=now - dt.timedelta(days=days))
        | Q(
            status=TaskResultStatus.FAILED,
            finished_at__lte=now - dt.timedelta(days=max(days, FAILED_TASKS_KEPT_DAYS)),
        )
    )
    deleted = 0
    while ids := list(old.values_list("pk", flat=True)[:batch]):
        deleted += DBTaskResult.objects.filter(pk__in=ids).delete()[0]
    return deleted
