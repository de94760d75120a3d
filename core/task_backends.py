"""The embedded default's task backend: django-tasks-db's, writing each task row with
`core.compiled.insert` instead of `Model.objects.create` (a checkout and a check-in each queue
one search-index task inside their transaction; the ORM's INSERT cost as much CPU as the rest
of the statement's round trip). Everything else — the worker, results, pruning — is the
library's; `isinstance(backend, django_tasks_db.backend.DatabaseBackend)` still holds."""

from __future__ import annotations

from django_tasks_db.backend import DatabaseBackend as LibraryDatabaseBackend
from django_tasks_db.compat import normalize_json

from core import compiled


class DatabaseBackend(LibraryDatabaseBackend):
    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult

        # The same row django-tasks-db's own `_task_to_db_task` creates.
        return compiled.insert(
            DBTaskResult(
                id=self._get_id(),
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after,
                backend_name=self.alias,
            )
        )
