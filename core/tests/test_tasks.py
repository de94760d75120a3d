"""Work a change causes is queued with the change: an e-mail for a registration that rolled
back is never sent, and with tasks kept in the database the task row commits with the change."""

import pytest
from django.db import transaction

from core.tasks import enqueue_with, send_email

pytestmark = pytest.mark.django_db


class Undone(Exception):
    pass


@pytest.mark.parametrize(
    "backend", ["core.task_backends.DatabaseBackend", "django_tasks_db.DatabaseBackend"]
)
def test_with_tasks_in_the_database_the_task_commits_with_the_change_or_not_at_all(
    settings, backend
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": backend, "QUEUES": ["default"]}}
    with pytest.raises(Undone), transaction.atomic():
        enqueue_with(send_email, "Subjek", "Isi", ["a@example.org"])
        assert DBTaskResult.objects.count() == 1
        raise Undone
    assert DBTaskResult.objects.count() == 0
    with transaction.atomic():
        enqueue_with(send_email, "Subjek", "Isi", ["a@example.org"])
    (queued,) = DBTaskResult.objects.all()
    assert queued.args_kwargs["args"] == ["Subjek", "Isi", ["a@example.org"]]


def test_the_embedded_backend_queues_rows_the_library_worker_runs(
    settings, mailoutbox, monkeypatch
):
    """core.task_backends writes the task row itself (core.compiled.insert): the row must be
    the one django-tasks-db writes, so that its result reads back and its worker runs it."""
    from django.core.management import call_command
    from django_tasks import task_backends

    settings.TASKS = {
        "default": {"BACKEND": "core.task_backends.DatabaseBackend", "QUEUES": ["default"]}
    }
    result = send_email.enqueue("Subjek", "Isi", ["a@example.org"])
    assert task_backends["default"].get_result(result.id).status == "READY"
    # The worker closes connections between tasks; here it shares the test's transaction.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
    assert [m.subject for m in mailoutbox] == ["Subjek"]
    done = task_backends["default"].get_result(result.id)
    assert done.status == "SUCCESSFUL" and done.return_value == 1


def test_with_another_backend_the_task_waits_for_the_commit(
    settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with (
        pytest.raises(Undone),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        transaction.atomic(),
    ):
        enqueue_with(send_email, "Subjek", "Isi", ["a@example.org"])
        raise Undone
    assert callbacks == [] and mailoutbox == []  # rolled back: nothing queued
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_with(send_email, "Subjek", "Isi", ["a@example.org"])
        assert mailoutbox == []  # not before the commit
    assert [m.subject for m in mailoutbox] == ["Subjek"]


def test_the_nightly_job_deletes_finished_tasks_and_keeps_failed_ones_longer(settings):
    """Every checkout and return queues a task: the queue's table must not grow with the loans.
    Finished tasks go after PUSTAKA_TASK_RESULTS_DAYS, failed ones after 90 days (someone may
    be asking why a notice never came); waiting ones are never touched."""
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from core.scheduling import JOBS

    settings.TASKS = {
        "default": {"BACKEND": "core.task_backends.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.PUSTAKA_TASK_RESULTS_DAYS = 14
    now = timezone.now()

    def queued(label, status="READY", days_ago=None):
        send_email.enqueue(label, "Isi", ["a@example.org"])
        row = DBTaskResult.objects.order_by("-enqueued_at").first()
        finished = now - dt.timedelta(days=days_ago) if days_ago is not None else None
        DBTaskResult.objects.filter(pk=row.pk).update(status=status, finished_at=finished)
        return label

    old_sent = queued("sent 20 days ago", "SUCCESSFUL", 20)
    queued("sent 3 days ago", "SUCCESSFUL", 3)
    queued("failed 20 days ago", "FAILED", 20)
    old_failure = queued("failed 100 days ago", "FAILED", 100)
    queued("waiting", "READY")
    queued("running", "RUNNING")

    job = next(job for job in JOBS if job.name == "tasks")
    assert job.run() == {"finished_tasks_deleted": 2}
    left = sorted(DBTaskResult.objects.values_list("args_kwargs__args__0", flat=True))
    assert old_sent not in left and old_failure not in left
    assert left == ["failed 20 days ago", "running", "sent 3 days ago", "waiting"]
    assert job.run() == {"finished_tasks_deleted": 0}
