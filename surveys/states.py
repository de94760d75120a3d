from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    GENERAL = "general", _("General survey")
    IKM = "ikm", _("IKM (public satisfaction index)")


class Repeat(models.TextChoices):
    """How often a periodic survey is run again; results are compared period by period."""

    NONE = "", _("Once (not periodic)")
    QUARTER = "quarter", _("Every quarter")
    SEMESTER = "semester", _("Every semester")
    YEAR = "year", _("Every year")


class Place(models.TextChoices):
    """Public pages where an open survey may invite visitors to answer it."""

    HOME = "home", _("Home page")
    CATALOGUE = "catalogue", _("Catalogue (results and records)")
    EVENTS = "events", _("Events calendar")


class InvitationSource(models.TextChoices):
    CHOSEN = "chosen", _("Chosen members")
    EVENT = "event", _("After the event")
    QUESTION = "question", _("After a closed question")


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


SURVEY_TRANSITIONS: dict[str, frozenset[str]] = {
    SurveyState.DRAFT: frozenset({SurveyState.OPEN}),
    SurveyState.OPEN: frozenset({SurveyState.CLOSED}),
    SurveyState.CLOSED: frozenset({SurveyState.OPEN}),
}


class QuestionKind(models.TextChoices):
    LIKERT4 = "likert4", _("Likert, 4 points")
    LIKERT5 = "likert5", _("Likert, 5 points")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RATING = "rating", _("Rating (1-5 stars)")
    NPS = "nps", _("Recommend (NPS 0-10)")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")


# The numeric range of each scale kind.
SCALES: dict[str, tuple[int, int]] = {
    QuestionKind.LIKERT4: (1, 4),
    QuestionKind.LIKERT5: (1, 5),
    QuestionKind.RATING: (1, 5),
    QuestionKind.NPS: (0, 10),
}
CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})
