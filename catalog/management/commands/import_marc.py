import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.importing.services import Counts, import_path
from catalog.models import DuplicatePolicy, ImportFormat
from core.models import Branch


class Command(BaseCommand):
    help = (
        "Import catalogue files (MARC21, MARCXML, CSV, XLSX; the format is recognised from the "
        "content) and print how many records were imported, merged, skipped and bad. Bad "
        "records are listed with their position and the reason; the exit status is non-zero "
        "only when a file cannot be read at all."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--policy",
            choices=DuplicatePolicy.values,
            default=DuplicatePolicy.SKIP,
            help="what to do with a record already in the catalogue (same ISBN, ISSN, LCCN or "
            "control number): skip it, merge its copies into ours, or add it anyway (skip)",
        )
        parser.add_argument(
            "--branch", help="branch code for copies without one (default: the main branch)"
        )
        parser.add_argument(
            "--format", dest="file_format", choices=ImportFormat.values, help="do not guess it"
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print the counts as JSON"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read and check everything, save nothing"
        )
        parser.add_argument(
            "--list",
            dest="listed",
            type=int,
            default=20,
            metavar="N",
            help="bad records listed per file (20)",
        )

    def handle(
        self, *args, files, policy, branch, file_format, as_json, dry_run, listed, **options
    ):
        default_branch = None
        if branch:
            default_branch = Branch.objects.filter(code__iexact=branch).first()
            if default_branch is None:
                raise CommandError(f"There is no branch with the code {branch!r}.")
        total = Counts()
        reports = []
        for name in files:
            report = import_path(
                Path(name),
                policy=policy,
                default_branch=default_branch,
                file_format=file_format or "",
                listed=max(0, listed),
                dry_run=dry_run,
            )
            total.add(report.counts)
            reports.append(report)
            if not as_json:
                self._print(report)
        unreadable = [report for report in reports if report.error]
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        **total.as_dict(),
                        "dry_run": dry_run,
                        "files": [
                            {
                                "file": report.path,
                                "format": report.file_format,
                                **report.counts.as_dict(),
                                "error": report.error,
                                "problems": [
                                    {
                                        "position": p.position,
                                        "identifier": p.identifier,
                                        "field": p.field,
                                        "reason": p.reason,
                                    }
                                    for p in report.problems
                                ],
                            }
                            for report in reports
                        ],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            self.stdout.write(f"Total: {self._counts(total)}")
            if dry_run:
                self.stdout.write("Dry run: nothing was saved.")
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} file(s) could not be read: "
                + "; ".join(f"{r.path}: {r.error}" for r in unreadable)
            )

    @staticmethod
    def _counts(counts: Counts) -> str:
        return (
            f"imported {counts.imported}, merged {counts.merged}, skipped {counts.skipped}, "
            f"bad {counts.bad} (copies created {counts.items}, warnings {counts.warnings})"
        )

    def _print(self, report) -> None:
        if report.error and not report.file_format:
            self.stderr.write(f"{report.path}: cannot be read: {report.error}")
            return
        self.stdout.write(f"{report.path} ({report.file_format}): {self._counts(report.counts)}")
        for problem in report.problems:
            where = f"#{problem.position}"
            if problem.identifier:
                where += f" [{problem.identifier}]"
            if problem.field:
                where += f" {problem.field}"
            self.stdout.write(f"  bad {where}: {problem.reason}")
        hidden = report.counts.bad - len(report.problems)
        if hidden > 0:
            self.stdout.write(
                f"  … and {hidden} more bad record(s) not listed (--list N shows more)"
            )
        if report.error:
            self.stderr.write(f"{report.path}: reading stopped: {report.error}")
