"""Import IKM answers from a CSV or XLSX file: one row per respondent, columns U1..U9 (1-4,
blank where unanswered), optional umur, jenis_kelamin, pendidikan, pekerjaan."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys import imports, services
from surveys.management.commands._common import find_survey
from surveys.states import SurveyKind


class Command(BaseCommand):
    help = "Import IKM responses (one row per respondent) from a CSV or XLSX file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--survey", required=True, help="The survey's code, number or title.")

    def handle(self, *args, **options) -> None:
        survey = find_survey(options["survey"])
        if survey.kind != SurveyKind.IKM:
            raise CommandError("That survey is not an IKM survey.")
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"No file {path}.")
        rows = imports.read_rows(path.name, path.read_bytes())
        result = services.import_ikm_rows(survey, rows, by=None)
        for number, reason in result.rejected:
            self.stderr.write(f"row {number}: {reason}")
        self.stdout.write(f"imported: {result.imported}, rejected: {len(result.rejected)}")
