"""Background work of the search index (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def index_records_task(record_ids: list[int]) -> dict[str, int]:
    """Index a big batch of changed records (a chunk of an import), off the importing task."""
    from search.indexer import index_records

    stats = index_records(record_ids)
    return {"written": stats.written, "unchanged": stats.unchanged, "deleted": stats.deleted}
