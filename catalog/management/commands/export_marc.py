from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.exporting import FORMATS, MARC21, export_selection, export_to_file, too_large_path
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Export the catalogue (or the records a search finds) as MARC21, MARCXML or CSV, "
        "streamed. A record too large for MARC21 (ISO 2709 holds at most 99,999 bytes) is "
        "written as MARCXML to OUTPUT's .too-large.xml file instead, and named here."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", metavar="OUTPUT")
        parser.add_argument(
            "--format", dest="file_format", choices=FORMATS, default=MARC21, help="(marc21)"
        )
        parser.add_argument("--query", default="", help="export what this search finds")

    def handle(self, *args, output, file_format, query, **options):
        try:
            selection, searched = export_selection(query)
        except DomainError as error:  # a search that cannot be run
            raise CommandError(str(error)) from error
        if query and not searched:
            self.stderr.write("Search is not available here: exporting the whole catalogue.")
        path = Path(output)
        result = export_to_file(selection, file_format, path)
        self.stdout.write(f"Wrote {result.written} record(s) to {path} ({file_format}).")
        if result.too_large:
            sidecar = too_large_path(path)
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.too_large)} record(s) are too large for MARC21 (over 99,999 "
                    f"bytes in ISO 2709) and were written as MARCXML to {sidecar} instead:"
                )
            )
            for pk, title in result.too_large[:50]:
                self.stdout.write(f"  record {pk}: {title[:80]}")
            if len(result.too_large) > 50:
                self.stdout.write(f"  … and {len(result.too_large) - 50} more")
