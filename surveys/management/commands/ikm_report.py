"""Print a survey's IKM: element averages, index, IKM value, category and respondents."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from surveys import selectors
from surveys.management.commands._common import find_survey
from surveys.states import SurveyKind


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class Command(BaseCommand):
    help = "Print the IKM (PermenPANRB 14/2017) of a survey, optionally for a period."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--survey", required=True, help="The survey's code, number or title.")
        parser.add_argument("--since", help="First day (YYYY-MM-DD).")
        parser.add_argument("--until", help="Last day (YYYY-MM-DD).")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        survey = find_survey(options["survey"])
        if survey.kind != SurveyKind.IKM:
            raise CommandError("That survey is not an IKM survey.")
        survey = selectors.get_survey(survey.pk)
        result = selectors.ikm_report(
            survey, since=_date(options["since"]), until=_date(options["until"])
        ).result
        body = {
            "elements": {
                k: (float(v) if v is not None else None) for k, v in result.elements.items()
            },
            "index": float(result.index) if result.index is not None else None,
            "ikm": float(result.ikm) if result.ikm is not None else None,
            "category": result.category,
            "respondents": result.respondents,
        }
        if options["json"]:
            self.stdout.write(json.dumps(body))
            return
        for code, value in body["elements"].items():
            self.stdout.write(f"{code}: {value}")
        self.stdout.write(
            f"index {body['index']}  IKM {body['ikm']}  category {body['category']}  "
            f"respondents {body['respondents']}"
        )
