"""Background work of the catalogue (django-tasks): imports run here, chunk by chunk."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_job(job_id: int) -> dict[str, int | str]:
    """Import (or go on importing) one ImportJob; see catalog.importing.services."""
    from catalog.importing.services import run_import

    job = run_import(job_id)
    return {"status": job.status, "position": job.position}
