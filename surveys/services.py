"""Every change to surveys: building them (staff), opening and closing, the IKM template, and
submitting a response (anyone)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.selectors import get_library
from surveys import ikm
from surveys.errors import (
    AlreadyRespondedError,
    InvalidAnswersError,
    InvalidTransitionError,
    SignInRequiredError,
    SurveyClosedError,
    SurveyLockedError,
    SurveyNotOpenError,
)
from surveys.models import Answer, Question, RespondentMark, Response, Section, Survey
from surveys.states import (
    CHOICE_KINDS,
    SCALES,
    SURVEY_TRANSITIONS,
    TEXT_KINDS,
    QuestionKind,
    SurveyKind,
    SurveyState,
)

audit.register_actions(
    {
        "survey.create": gettext_lazy("Created a survey"),
        "survey.change": gettext_lazy("Changed a survey"),
        "survey.open": gettext_lazy("Opened a survey"),
        "survey.close": gettext_lazy("Closed a survey"),
        "survey.export": gettext_lazy("Exported survey responses"),
        "survey.import": gettext_lazy("Imported survey responses"),
    }
)

MAX_TEXT = 2000


def _today() -> dt.date:
    return timezone.localdate(timezone=get_library().zone)


# ---------------------------------------------------------------------------------------------
# Building


@transaction.atomic
def create_survey(*, by, **fields) -> Survey:
    survey = Survey.objects.create(created_by=by, **fields)
    Section.objects.create(survey=survey, position=1, title=survey.title, title_en=survey.title_en)
    audit.record("survey.create", actor=by, subject=survey, subject_repr=survey.title)
    return survey


def update_survey(survey: Survey, *, by, **fields) -> Survey:
    for name, value in fields.items():
        setattr(survey, name, value)
    if not survey.requires_sign_in:
        survey.one_per_member = False
    survey.save()
    audit.record("survey.change", actor=by, subject=survey, subject_repr=survey.title)
    return survey


def add_section(survey: Survey, *, by, **fields) -> Section:
    last = survey.sections.order_by("-position").values_list("position", flat=True).first() or 0
    return Section.objects.create(survey=survey, position=last + 1, **fields)


def update_section(section: Section, *, by, **fields) -> Section:
    """Rename a section or change when it is shown (only after an earlier question)."""
    for name, value in fields.items():
        setattr(section, name, value)
    if (
        section.show_if_id
        and not Question.objects.filter(pk=section.show_if_id, section__survey_id=section.survey_id)
        .exclude(section__position__gte=section.position)
        .exists()
    ):
        section.show_if = None
        section.show_if_value = ""
    if not section.show_if_id:
        section.show_if_value = ""
    section.save()
    audit.record(
        "survey.change", actor=by, subject=section.survey, subject_repr=section.survey.title
    )
    return section


def move_section(section: Section, *, up: bool, by) -> None:
    """Swap a section with the one before or after it. A skip condition that would then look
    at a question shown later is removed (a section can only follow earlier answers)."""
    siblings = list(section.survey.sections.order_by("position", "pk"))
    index = siblings.index(section)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    with transaction.atomic():
        for position, item in enumerate(siblings, start=1):
            if item.position != position:
                Section.objects.filter(pk=item.pk).update(position=position)
        order = {item.pk: position for position, item in enumerate(siblings, start=1)}
        for item in siblings:
            if item.show_if_id:
                source = Question.objects.filter(pk=item.show_if_id).values_list(
                    "section_id", flat=True
                )
                if order.get(source.first(), 0) >= order[item.pk]:
                    Section.objects.filter(pk=item.pk).update(show_if=None, show_if_value="")
    audit.record(
        "survey.change", actor=by, subject=section.survey, subject_repr=section.survey.title
    )


def remove_section(section: Section, *, by) -> None:
    """Remove an empty section (never the last one)."""
    from surveys.errors import SectionNotEmptyError

    survey = section.survey
    if section.questions.exists() or survey.sections.count() <= 1:
        raise SectionNotEmptyError
    section.delete()
    for position, item in enumerate(survey.sections.order_by("position", "pk"), start=1):
        if item.position != position:
            Section.objects.filter(pk=item.pk).update(position=position)
    audit.record("survey.change", actor=by, subject=survey, subject_repr=survey.title)


def add_question(section: Section, *, by, **fields) -> Question:
    last = section.questions.order_by("-position").values_list("position", flat=True).first()
    return Question.objects.create(section=section, position=(last or 0) + 1, **fields)


def update_question(question: Question, *, by, **fields) -> Question:
    for name, value in fields.items():
        setattr(question, name, value)
    question.save()
    return question


def remove_question(question: Question, *, by) -> None:
    if question.answers.exists():
        raise SurveyLockedError
    question.delete()


def move_question(question: Question, *, up: bool, by) -> None:
    siblings = list(question.section.questions.all())
    index = siblings.index(question)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    with transaction.atomic():
        for position, item in enumerate(siblings, start=1):
            if item.position != position:
                Question.objects.filter(pk=item.pk).update(position=position)


def parse_choices(text: str) -> list[dict[str, str]]:
    """One choice a line, "Indonesian | English" (the English part optional)."""
    choices = []
    for line in text.splitlines():
        if not line.strip():
            continue
        indonesian, _sep, english = line.partition("|")
        choices.append({"id": indonesian.strip(), "en": english.strip()})
    return choices


def choices_text(choices: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{c.get('id', '')} | {c['en']}" if c.get("en") else c.get("id", "") for c in choices
    )


@transaction.atomic
def create_ikm_survey(*, by, title: str = "", period: str = "") -> Survey:
    """The standard IKM questionnaire of PermenPANRB 14/2017: the respondent profile, then the
    nine elements U1..U9 on a 4-point scale, then an optional suggestion."""
    title = title or "Survei Kepuasan Masyarakat" + (f" {period}" if period else "")
    survey = Survey.objects.create(
        title=title,
        title_en="Public satisfaction survey" + (f" {period}" if period else ""),
        intro="Survei ini mengikuti Peraturan Menteri PANRB Nomor 14 Tahun 2017. "
        "Jawaban Anda tidak dikaitkan dengan identitas Anda.",
        intro_en="This survey follows the Minister of Administrative and Bureaucratic Reform "
        "Regulation 14/2017. Your answers are not linked to who you are.",
        kind=SurveyKind.IKM,
        is_anonymous=True,
        created_by=by,
    )
    profile = Section.objects.create(
        survey=survey, position=1, title="Profil responden", title_en="About you"
    )
    for position, (code, kind, text, text_en, choices) in enumerate(ikm.PROFILE, start=1):
        Question.objects.create(
            section=profile,
            position=position,
            code=code,
            kind=kind,
            text=text,
            text_en=text_en,
            required=False,
            choices=[{"id": i, "en": e} for i, e in choices],
        )
    elements = Section.objects.create(
        survey=survey, position=2, title="Pendapat Anda tentang pelayanan", title_en="The service"
    )
    for position, (code, text, text_en, labels) in enumerate(ikm.ELEMENTS, start=1):
        Question.objects.create(
            section=elements,
            position=position,
            code=code,
            kind=QuestionKind.LIKERT4,
            text=text,
            text_en=text_en,
            required=True,
            choices=[{"id": i, "en": e} for i, e in labels],
        )
    closing = Section.objects.create(
        survey=survey, position=3, title="Saran", title_en="Suggestions"
    )
    Question.objects.create(
        section=closing,
        position=1,
        code="saran",
        kind=QuestionKind.LONG_TEXT,
        text="Saran dan masukan untuk perbaikan pelayanan",
        text_en="Suggestions to improve the service",
        required=False,
    )
    audit.record("survey.create", actor=by, subject=survey, subject_repr=survey.title)
    return survey


def _transition(survey: Survey, to: SurveyState, *, by, action: str) -> Survey:
    if to not in SURVEY_TRANSITIONS[survey.state]:
        raise InvalidTransitionError
    survey.state = to
    survey.save(update_fields=["state"])
    audit.record(action, actor=by, subject=survey, subject_repr=survey.title)
    return survey


def open_survey(survey: Survey, *, by) -> Survey:
    return _transition(survey, SurveyState.OPEN, by=by, action="survey.open")


def close_survey(survey: Survey, *, by) -> Survey:
    return _transition(survey, SurveyState.CLOSED, by=by, action="survey.close")


# ---------------------------------------------------------------------------------------------
# Answering


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def _raw_values(question: Question, data: Mapping) -> list[str]:
    name = field_name(question)
    if hasattr(data, "getlist"):
        values = data.getlist(name)
    else:
        value = data.get(name)
        values = value if isinstance(value, list) else ([] if value is None else [value])
    return [str(v).strip() for v in values if str(v).strip()]


def _matches(values: list[str], expected: str) -> bool:
    if not values:
        return False
    return not expected or expected.strip() in values


def clean_answers(survey: Survey, data: Mapping) -> tuple[dict[Question, object], dict[int, str]]:
    """Check raw answers against the survey's questions and skip logic. Returns the cleaned
    values of the questions shown and the errors by question pk. Answers to hidden questions
    are dropped."""
    questions = [q for s in survey.sections.all() for q in s.questions.all()]
    sections = {s.pk: s for s in survey.sections.all()}
    raw = {q.pk: _raw_values(q, data) for q in questions}
    cleaned: dict[Question, object] = {}
    errors: dict[int, str] = {}
    for question in questions:
        section = sections[question.section_id]
        shown = True
        if section.show_if_id and not _matches(
            raw.get(section.show_if_id, []), section.show_if_value
        ):
            shown = False
        if question.show_if_id and not _matches(
            raw.get(question.show_if_id, []), question.show_if_value
        ):
            shown = False
        if not shown:
            raw[question.pk] = []
            continue
        values = raw[question.pk]
        if not values:
            if question.required:
                errors[question.pk] = _("Please answer this question.")
            continue
        try:
            cleaned[question] = _clean_one(question, values)
        except ValueError as exc:
            errors[question.pk] = str(exc)
            raw[question.pk] = []
    return cleaned, errors


def _clean_one(question: Question, values: list[str]) -> object:
    kind = question.kind
    if kind in SCALES:
        low, high = SCALES[kind]
        try:
            number = int(values[0])
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise ValueError(
                _("Choose a value from %(low)d to %(high)d.") % {"low": low, "high": high}
            )
        return number
    if kind in CHOICE_KINDS:
        picked = []
        for value in values:
            try:
                number = int(value)
            except ValueError:
                number = 0
            if not 1 <= number <= len(question.choices):
                raise ValueError(_("Choose one of the options shown."))
            picked.append(number)
        if kind == QuestionKind.SINGLE:
            if len(picked) > 1:
                raise ValueError(_("Choose only one option."))
            return picked[0]
        return sorted(set(picked))
    if kind == QuestionKind.NUMBER:
        try:
            number = Decimal(values[0].replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) >= Decimal("1e10"):
            raise ValueError(_("Enter a number."))
        return number.quantize(Decimal("0.01"))
    if kind == QuestionKind.DATE:
        try:
            return dt.date.fromisoformat(values[0])
        except ValueError:
            raise ValueError(_("Enter a date.")) from None
    if kind in TEXT_KINDS:
        text = values[0]
        limit = 200 if kind == QuestionKind.SHORT_TEXT else MAX_TEXT
        if len(text) > limit:
            raise ValueError(_("Please keep this under %(limit)d characters.") % {"limit": limit})
        return text
    raise ValueError(_("Unknown question type."))


def respondent_token(survey: Survey, user) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"surveys:{survey.pk}:{user.pk}".encode(), hashlib.sha256).hexdigest()


def has_responded(survey: Survey, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return RespondentMark.objects.filter(
        survey=survey, token=respondent_token(survey, user)
    ).exists()


def check_can_answer(
    survey: Survey, *, user, on: dt.date | None = None, invited: bool = False
) -> None:
    """Refuse an answer the survey cannot take now. A personal invitation link stands in for
    signing in (its own one-use check is in `sending.check_invitation`)."""
    on = on or _today()
    if survey.state == SurveyState.CLOSED or (survey.closes_on and on > survey.closes_on):
        raise SurveyClosedError
    if survey.state != SurveyState.OPEN or (survey.opens_on and on < survey.opens_on):
        raise SurveyNotOpenError
    if invited:
        return
    signed_in = getattr(user, "is_authenticated", False)
    if survey.requires_sign_in and not signed_in:
        raise SignInRequiredError
    if survey.one_per_member and has_responded(survey, user):
        raise AlreadyRespondedError


def submit_response(
    survey: Survey, data: Mapping, *, user=None, on: dt.date | None = None
) -> Response:
    """Record one complete response, or nothing. On an anonymous survey the response has no
    user; with one response per member the mark is written in the same transaction, under a
    unique constraint, so a second submission (even a simultaneous one) is refused."""
    on = on or _today()
    check_can_answer(survey, user=user, on=on)
    cleaned, errors = clean_answers(survey, data)
    if errors:
        raise InvalidAnswersError(errors)
    signed_in = getattr(user, "is_authenticated", False)
    try:
        with transaction.atomic():
            if survey.one_per_member:
                RespondentMark.objects.create(survey=survey, token=respondent_token(survey, user))
            response = Response.objects.create(
                survey=survey,
                submitted_on=on,
                user=(user if signed_in and not survey.is_anonymous else None),
            )
            Answer.objects.bulk_create([_answer(response, q, v) for q, v in cleaned.items()])
    except IntegrityError:
        raise AlreadyRespondedError from None
    return response


@dataclass
class ImportResult:
    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def import_ikm_rows(
    survey: Survey, rows: list[dict[str, str]], *, by, on: dt.date | None = None
) -> ImportResult:
    """Record IKM answers collected elsewhere. Row numbers count the header as row 1, as a
    spreadsheet shows them. A row with a value outside 1-4 (or an unknown profile value) is
    reported and not recorded; the rest are recorded, each as its own response."""
    from surveys.selectors import questions_of

    on = on or _today()
    by_code = {q.code: q for q in questions_of(survey) if q.code}
    result = ImportResult()
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        try:
            values = _ikm_row(row, by_code)
        except ValueError as exc:
            result.rejected.append((number, str(exc)))
            continue
        if not any(code in ikm.ELEMENT_CODES for code in (q.code for q in values)):
            result.rejected.append((number, _("No answer to U1–U9.")))
            continue
        with transaction.atomic():
            response = Response.objects.create(survey=survey, submitted_on=on)
            Answer.objects.bulk_create([_answer(response, q, v) for q, v in values.items()])
        result.imported += 1
    audit.record(
        "survey.import",
        actor=by,
        subject=survey,
        subject_repr=survey.title,
        details={"imported": result.imported, "rejected": len(result.rejected)},
    )
    return result


def _ikm_row(row: dict[str, str], by_code: dict[str, Question]) -> dict[Question, object]:
    values: dict[Question, object] = {}
    for code in ikm.ELEMENT_CODES:
        raw = (row.get(code) or "").strip()
        if not raw or code not in by_code:
            continue
        try:
            value = int(float(raw.replace(",", ".")))
            exact = float(raw.replace(",", ".")) == value
        except ValueError:
            value, exact = 0, False
        if not exact or not 1 <= value <= 4:
            raise ValueError(
                _("%(code)s is “%(value)s”; it must be 1 to 4.") % {"code": code, "value": raw}
            )
        values[by_code[code]] = value
    for code, *_rest in ikm.PROFILE:
        raw = (row.get(code) or "").strip()
        if not raw or code not in by_code:
            continue
        question = by_code[code]
        if question.kind == QuestionKind.NUMBER:
            values[question] = _clean_one(question, [raw])
            continue
        names = [
            {c.get("id", "").casefold(), c.get("en", "").casefold(), str(i)}
            for i, c in enumerate(question.choices, start=1)
        ]
        match = [i for i, options in enumerate(names, start=1) if raw.casefold() in options]
        if not match:
            raise ValueError(
                _("%(code)s “%(value)s” is not one of the options.") % {"code": code, "value": raw}
            )
        values[question] = match[0]
    return values


def _answer(response: Response, question: Question, value: object) -> Answer:
    answer = Answer(response=response, question=question)
    if isinstance(value, list):
        answer.choices = value
    elif isinstance(value, int | Decimal):
        answer.number = value
    elif isinstance(value, dt.date):
        answer.text = value.isoformat()
    else:
        answer.text = str(value)
    return answer
