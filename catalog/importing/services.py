"""Import jobs: a file uploaded by a cataloguer, read and saved in chunks by a background task.

    start_import ──► (spreadsheet: confirm_mapping) ──► task run_import ──► done
                                                        │  ▲
                              pause_import / cancel ◄───┘  └── resume_import

Each chunk (CHUNK records) is one transaction: its records (saved by
`catalog.services.save_parsed_records`, each all or nothing), its problems, the counters and
the job's `position` commit together. An interrupted import therefore resumes exactly where
the last chunk ended, and two workers cannot both do a chunk: the chunk commits only if the
job is still running and still at the position the worker started from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.errors import FileUnreadableError, ImportStateError, MappingRequiredError
from catalog.importing import spreadsheets
from catalog.importing.readers import Entry, RecordProblem, count_records, detect_format, read_file
from catalog.models import (
    DuplicatePolicy,
    ImportFormat,
    ImportJob,
    ImportProblem,
    ImportStatus,
    ProblemSeverity,
)
from catalog.records import ParsedRecord
from catalog.services import SaveOutcome, save_parsed_records
from catalog.signals import bulk_changes
from core.errors import DomainError
from core.models import Branch
from core.permissions import require

logger = logging.getLogger(__name__)

CHUNK = 500
# A task hands over to a fresh one after this long, so no worker timeout ever cuts it.
TIME_BUDGET = 120.0
# Warnings kept per job (errors are always kept): a million-record file with an odd ISBN in
# every record should not write a million rows nobody reads. The counter counts them all.
STORED_WARNINGS = 2000
# A running import that has not moved for this long was interrupted (a worker died).
STALLED_AFTER = dt.timedelta(minutes=5)
SPREADSHEETS = (ImportFormat.CSV, ImportFormat.XLSX)


@dataclass
class Counts:
    imported: int = 0
    merged: int = 0
    skipped: int = 0
    bad: int = 0
    items: int = 0
    warnings: int = 0

    def add(self, other: Counts) -> None:
        for name in ("imported", "merged", "skipped", "bad", "items", "warnings"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {
            "imported": self.imported,
            "merged": self.merged,
            "skipped": self.skipped,
            "bad": self.bad,
            "items": self.items,
            "warnings": self.warnings,
        }


@dataclass
class Problem:
    position: int
    identifier: str
    reason: str
    field: str = ""
    severity: str = ProblemSeverity.ERROR


@dataclass
class ChunkResult:
    counts: Counts = field(default_factory=Counts)
    problems: list[Problem] = field(default_factory=list)
    last_position: int = 0


# ---------------------------------------------------------------------------------------------
# Saving a chunk (shared by the background job and `pustaka import_marc`)


class BranchCodes:
    """The library's branches by code and by name (case-insensitive), to place copies."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        for code, name in Branch.objects.values_list("code", "name"):
            self.codes.setdefault(name.strip().lower(), code)
        for code, _name in Branch.objects.values_list("code", "name"):
            self.codes[code.lower()] = code

    def place(self, parsed: ParsedRecord, default_branch: Branch | None) -> list[str]:
        """Give each copy one of our branch codes. A code we do not know (a foreign
        catalogue's 'CPL') sends the copy to the default branch, the code kept in its notes;
        without a default branch the record will be refused naming the code."""
        notes: list[str] = []
        for item in parsed.items:
            code = item.branch_code.strip()
            if not code:
                continue
            ours = self.codes.get(code.lower())
            if ours:
                item.branch_code = ours
            elif default_branch is not None:
                item.branch_code = ""
                line = _("Branch in the imported file: %(code)s") % {"code": code}
                item.notes = f"{item.notes}\n{line}" if item.notes else line
                if code not in notes:
                    notes.append(code)
        return [
            _("branch code “%(code)s” is not one of ours; its copies were placed in %(branch)s")
            % {"code": code, "branch": default_branch.name}
            for code in notes
            if default_branch is not None
        ]


def _identifier(parsed: ParsedRecord) -> str:
    return (parsed.control_number or parsed.title or "").strip()[:80]


def _field_names(mapping: dict[str, str] | None) -> dict[str, str]:
    names = {"title": "245", "barcode": "barcode", "branch": "branch", "rfid_tag": "RFID"}
    for column, target in (mapping or {}).items():
        if target in names:
            names[target] = column
    return names


_ERROR_FIELDS = {
    "missing_title": "title",
    "duplicate_barcode": "barcode",
    "duplicate_rfid": "rfid_tag",
    "unknown_branch": "branch",
    "no_branch": "branch",
}


def save_chunk(
    entries: list[Entry],
    *,
    policy: str,
    by,
    default_branch: Branch | None,
    branches: BranchCodes,
    mapping: dict[str, str] | None = None,
) -> ChunkResult:
    """Save the records among `entries`; count them, and list the bad ones and the warnings."""
    result = ChunkResult(last_position=entries[-1][0] if entries else 0)
    names = _field_names(mapping)
    records: list[tuple[int, ParsedRecord]] = []
    for position, entry in entries:
        if isinstance(entry, RecordProblem):
            result.counts.bad += 1
            result.problems.append(Problem(position, entry.identifier, entry.reason, entry.field))
        else:
            entry.warnings.extend(branches.place(entry, default_branch))
            records.append((position, entry))
    outcomes = save_parsed_records(
        [parsed for _position, parsed in records],
        policy=policy,
        by=by,
        default_branch=default_branch,
    )
    for (position, parsed), outcome in zip(records, outcomes, strict=True):
        identifier = _identifier(parsed)
        if isinstance(outcome, DomainError):
            result.counts.bad += 1
            result.problems.append(
                Problem(
                    position,
                    identifier,
                    str(outcome),
                    names.get(_ERROR_FIELDS.get(outcome.code, ""), ""),
                )
            )
            continue
        assert isinstance(outcome, SaveOutcome)
        setattr(result.counts, outcome.action, getattr(result.counts, outcome.action) + 1)
        result.counts.items += outcome.items_created
        for warning in outcome.warnings:
            result.counts.warnings += 1
            result.problems.append(
                Problem(position, identifier, warning, severity=ProblemSeverity.WARNING)
            )
    return result


# Python's cycle collector runs after every 700 net new container objects by default. An
# import makes millions of short-lived ones (in no reference cycle: they go when their chunk
# is saved), but a chunk's records live until it is saved, so collections keep walking them
# and promote them to the oldest generation, whose full collections walk every object in the
# process (Django's models and modules: 100,000 and more, about 0.1 s a time). A larger
# young-generation threshold makes such collections rare (a third of an import's CPU time
# before); cyclic garbage, if any, is still collected.
IMPORT_GC_THRESHOLD = 20_000


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The cycle collector's young-generation threshold raised to IMPORT_GC_THRESHOLD for the
    duration (then put back). Process-wide: imports run in the task worker's own process or
    in `pustaka import_marc`."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], IMPORT_GC_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def chunked(entries: Iterable[Entry], size: int) -> Iterator[list[Entry]]:
    iterator = iter(entries)
    while chunk := list(islice(iterator, size)):
        yield chunk


# ---------------------------------------------------------------------------------------------
# Jobs


def main_branch() -> Branch | None:
    return Branch.objects.filter(is_main=True).first() or Branch.objects.order_by("pk").first()


def _enqueue(job: ImportJob) -> None:
    from catalog.tasks import run_import_job

    job_id = job.pk
    transaction.on_commit(lambda: run_import_job.enqueue(job_id))


@transaction.atomic
def start_import(
    upload: UploadedFile,
    *,
    by,
    policy: str = DuplicatePolicy.SKIP,
    default_branch: Branch | None = None,
    file_format: str = "",
) -> ImportJob:
    """Store the upload and queue its import. A spreadsheet waits for its column mapping
    (guessed from the headers) to be confirmed first. Raises FileUnreadableError when the
    file is none of the formats we read."""
    require(by, "catalog.import_records")
    require(by, "catalog.add_record")
    job = ImportJob(
        owner=by,
        original_name=(upload.name or "upload")[-255:],
        policy=policy,
        default_branch=default_branch or main_branch(),
    )
    job.file.save(Path(upload.name or "upload").name[-100:], upload, save=False)
    path = Path(job.file.path)
    try:
        job.format = file_format or detect_format(path)
        if job.format in SPREADSHEETS:
            _header_row, headers = spreadsheets.find_header(path, job.format)
            job.mapping = spreadsheets.guess_mapping(headers)
        else:
            job.total = count_records(path, job.format)
    except (FileUnreadableError, spreadsheets.SpreadsheetError) as error:
        job.file.delete(save=False)
        if isinstance(error, spreadsheets.SpreadsheetError):
            raise FileUnreadableError(reason=str(error)) from error
        raise
    job.save()
    if job.format not in SPREADSHEETS:
        _enqueue(job)
    return job


def needs_mapping(job: ImportJob) -> bool:
    return job.format in SPREADSHEETS and job.status == ImportStatus.WAITING and job.total is None


@transaction.atomic
def confirm_mapping(job: ImportJob, mapping: dict[str, str], *, by) -> ImportJob:
    """Fix which column means what ({header: target}) and queue the import."""
    require(by, "catalog.import_records")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not needs_mapping(job):
        raise ImportStateError(
            _("An import whose status is “%(status)s” cannot take a column mapping."),
            status=job.get_status_display(),
        )
    mapping = {header: target for header, target in mapping.items() if target}
    if "title" not in mapping.values():
        raise MappingRequiredError()
    path = Path(job.file.path)
    try:
        _row, headers = spreadsheets.find_header(path, job.format)
        spreadsheets.check_mapping(mapping, headers)
        job.total = spreadsheets.count_rows(path, job.format)
    except spreadsheets.SpreadsheetError as error:
        raise FileUnreadableError(reason=str(error)) from error
    job.mapping = mapping
    job.save(update_fields=["mapping", "total"])
    _enqueue(job)
    return job


def is_stalled(job: ImportJob, *, now: dt.datetime | None = None) -> bool:
    """Queued or running, but not moved for STALLED_AFTER: its worker died, or none is
    running. Resuming queues it again (a worker that wakes up late finds its chunk done)."""
    if job.status not in (ImportStatus.WAITING, ImportStatus.RUNNING) or needs_mapping(job):
        return False
    moved = job.heartbeat_at or job.started_at or job.created_at
    return (now or timezone.now()) - moved > STALLED_AFTER


def can_pause(job: ImportJob) -> bool:
    return job.status in (ImportStatus.WAITING, ImportStatus.RUNNING) and not needs_mapping(job)


def can_resume(job: ImportJob) -> bool:
    return job.status in (ImportStatus.PAUSED, ImportStatus.FAILED) or is_stalled(job)


def can_cancel(job: ImportJob) -> bool:
    return job.status in (
        ImportStatus.WAITING,
        ImportStatus.RUNNING,
        ImportStatus.PAUSED,
        ImportStatus.FAILED,
    )


def _locked(job: ImportJob, by, check, refusal: str) -> ImportJob:
    """The job locked for a change `check` allows; `refusal` (with %(status)s) otherwise."""
    require(by, "catalog.import_records")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not check(job):
        raise ImportStateError(refusal, status=job.get_status_display())
    return job


@transaction.atomic
def pause_import(job: ImportJob, *, by) -> ImportJob:
    """Stop after the chunk in hand (whose work is redone on resuming)."""
    job = _locked(job, by, can_pause, _("An import whose status is “%(status)s” cannot be paused."))
    job.status = ImportStatus.PAUSED
    job.save(update_fields=["status"])
    return job


@transaction.atomic
def resume_import(job: ImportJob, *, by) -> ImportJob:
    """Go on from `position`: after a pause, a failure, or a worker that died."""
    job = _locked(
        job, by, can_resume, _("An import whose status is “%(status)s” cannot be resumed.")
    )
    job.status = ImportStatus.WAITING
    job.message = ""
    job.save(update_fields=["status", "message"])
    _enqueue(job)
    return job


@transaction.atomic
def cancel_import(job: ImportJob, *, by) -> ImportJob:
    """Stop for good. Records already imported stay (delete them from the catalogue if
    need be): nothing stored is undone behind the cataloguer's back."""
    job = _locked(
        job, by, can_cancel, _("An import whose status is “%(status)s” cannot be cancelled.")
    )
    job.status = ImportStatus.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    return job


def _commit_chunk(job_id: int, expected: int, chunk: list[Entry]) -> ImportJob | None:
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(of=("self",))
            .select_related("owner", "default_branch")
            .get(pk=job_id)
        )
        if job.status != ImportStatus.RUNNING or job.position != expected:
            return None  # paused, cancelled, or another worker got here first
        result = save_chunk(
            chunk,
            policy=job.policy,
            by=job.owner,
            default_branch=job.default_branch,
            branches=BranchCodes(),
            mapping=job.mapping if job.format in SPREADSHEETS else None,
        )
        room = max(0, STORED_WARNINGS - job.warnings)
        rows = []
        for problem in result.problems:
            if problem.severity == ProblemSeverity.WARNING:
                if room <= 0:
                    continue
                room -= 1
            rows.append(
                ImportProblem(
                    job=job,
                    position=problem.position,
                    identifier=problem.identifier[:300],
                    field=problem.field[:60],
                    reason=problem.reason,
                    severity=problem.severity,
                )
            )
        ImportProblem.objects.bulk_create(rows)
        counts = result.counts
        job.imported += counts.imported
        job.merged += counts.merged
        job.skipped += counts.skipped
        job.bad += counts.bad
        job.items_created += counts.items
        job.warnings += counts.warnings
        job.position = result.last_position
        job.heartbeat_at = timezone.now()
        job.save(
            update_fields=[
                "imported",
                "merged",
                "skipped",
                "bad",
                "items_created",
                "warnings",
                "position",
                "heartbeat_at",
            ]
        )
        return job


def _finish(job_id: int, status: str, message: str = "") -> None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportStatus.RUNNING:
            return
        job.status = status
        job.message = message
        job.finished_at = timezone.now()
        if status == ImportStatus.DONE:
            job.total = max(job.total or 0, job.position)
        job.save(update_fields=["status", "message", "finished_at", "total"])


def run_import(
    job_id: int,
    *,
    chunk_size: int = CHUNK,
    max_chunks: int | None = None,
    time_budget: float = TIME_BUDGET,
) -> ImportJob:
    """The background work of one import (the task calls this): chunks from `position` on,
    until the file ends, the job is paused or cancelled, `max_chunks` are done, or the time
    budget is spent (then a fresh task carries on)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status not in (ImportStatus.WAITING, ImportStatus.RUNNING) or needs_mapping(job):
            return job
        job.status = ImportStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "started_at", "heartbeat_at"])
    started = time.monotonic()
    with fewer_collections():
        return _run_chunks(job, started, chunk_size, max_chunks, time_budget)


def _run_chunks(
    job: ImportJob, started: float, chunk_size: int, max_chunks: int | None, time_budget: float
) -> ImportJob:
    job_id = job.pk
    position = job.position
    done = 0
    try:
        entries = read_file(Path(job.file.path), job.format, mapping=job.mapping, after=position)
        for chunk in chunked(entries, chunk_size):
            # The search index catches up on each chunk in a task of its own.
            with bulk_changes():
                committed = _commit_chunk(job_id, position, chunk)
            if committed is None:
                return ImportJob.objects.get(pk=job_id)
            position = committed.position
            done += 1
            if max_chunks is not None and done >= max_chunks:
                return committed
            if time.monotonic() - started > time_budget:
                from catalog.tasks import run_import_job

                run_import_job.enqueue(job_id)
                return committed
    except FileUnreadableError as error:
        _finish(job_id, ImportStatus.FAILED, str(error))
        return ImportJob.objects.get(pk=job_id)
    except Exception:
        logger.exception("import %s failed", job_id)
        _finish(
            job_id,
            ImportStatus.FAILED,
            _(
                "The import stopped on an unexpected error. What was imported stays; "
                "resume it to go on."
            ),
        )
        return ImportJob.objects.get(pk=job_id)
    _finish(job_id, ImportStatus.DONE)
    return ImportJob.objects.get(pk=job_id)


# ---------------------------------------------------------------------------------------------
# Without a job: `pustaka import_marc`


@dataclass
class FileReport:
    path: str
    file_format: str = ""
    counts: Counts = field(default_factory=Counts)
    problems: list[Problem] = field(default_factory=list)  # the first `listed` bad records
    error: str = ""  # set when the file could not be read at all


def import_path(
    path: Path,
    *,
    policy: str = DuplicatePolicy.SKIP,
    default_branch: Branch | None = None,
    file_format: str = "",
    mapping: dict[str, str] | None = None,
    by=None,
    chunk_size: int = CHUNK,
    listed: int = 20,
    dry_run: bool = False,
) -> FileReport:
    """Import one file in chunks (each chunk its own transaction, as in a job); with
    `dry_run`, everything is rolled back at the end."""
    report = FileReport(str(path))
    branches = BranchCodes()
    default_branch = default_branch or main_branch()
    try:
        report.file_format = file_format or detect_format(path)
        if report.file_format in SPREADSHEETS and mapping is None:
            _row, headers = spreadsheets.find_header(path, report.file_format)
            mapping = spreadsheets.guess_mapping(headers)
        with (
            fewer_collections(),
            transaction.atomic() if dry_run else contextlib.nullcontext(),
        ):
            for chunk in chunked(read_file(path, report.file_format, mapping=mapping), chunk_size):
                with transaction.atomic():
                    result = save_chunk(
                        chunk,
                        policy=policy,
                        by=by,
                        default_branch=default_branch,
                        branches=branches,
                        mapping=mapping,
                    )
                report.counts.add(result.counts)
                for problem in result.problems:
                    if problem.severity == ProblemSeverity.ERROR and len(report.problems) < listed:
                        report.problems.append(problem)
            if dry_run:
                transaction.set_rollback(True)
    except (FileUnreadableError, spreadsheets.SpreadsheetError, OSError) as error:
        report.error = str(error)
    return report
