"""Reads for the import and export screens."""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import ImportJob, ImportProblem, ProblemSeverity


def import_jobs() -> QuerySet[ImportJob]:
    """Imports, newest first, with who started them and their default branch."""
    return ImportJob.objects.select_related("owner", "default_branch").order_by("-created_at")


def get_import_job(pk: int) -> ImportJob | None:
    return import_jobs().filter(pk=pk).first()


def job_problems(
    job: ImportJob, *, severity: str = ProblemSeverity.ERROR
) -> QuerySet[ImportProblem]:
    """The bad records (or the warnings) of an import, in file order."""
    return ImportProblem.objects.filter(job=job, severity=severity).order_by("position", "pk")
