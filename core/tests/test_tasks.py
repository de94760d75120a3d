"""Work a change causes is queued with the change: an e-mail for a registration that rolled
back is never sent, and with tasks kept in the database the task row commits with the change."""

import pytest
from django.db import transaction

from core.tasks import enqueue_with, send_email

pytestmark = pytest.mark.django_db


class Undone(Exception):
    pass


def test_with_tasks_in_the_database_the_task_commits_with_the_change_or_not_at_all(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    with pytest.raises(Undone), transaction.atomic():
        enqueue_with(send_email, "Subjek", "Isi", ["a@example.org"])
        assert DBTaskResult.objects.count() == 1
        raise Undone
    assert DBTaskResult.objects.count() == 0
    with transaction.atomic():
        enqueue_with(send_email, "Subjek", "Isi", ["a@example.org"])
    (queued,) = DBTaskResult.objects.all()
    assert queued.args_kwargs["args"] == ["Subjek", "Isi", ["a@example.org"]]


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
