"""Surveys for the phone app: read a survey's questions, send one response.

Reading needs no token. Sending works for guests (counted against the same per-address limit
as the web form), for a signed-in member (bearer token; needed when the survey is for members
only, and then one response per member where the survey says so), and with the personal
`invitation` token from an invitation e-mail (no sign-in, usable once). Answers go through
the same validation as the web form (`surveys.services.submit_response`,
`surveys.sending.submit_invited_response`): a refusal answers 409 with the rule's stable
`code`, invalid answers 422 with one entry per question. On an anonymous survey nothing in the
stored response points at the person, and the answer here carries no response id."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from api.auth import token_auth
from api.schemas import ErrorOut
from core.errors import DomainError
from core.http import client_ip
from surveys import selectors, sending, services, throttle
from surveys.errors import InvalidAnswersError
from surveys.models import Question
from surveys.states import SCALES

surveys_router = Router(tags=["surveys"])


def _guest(request: HttpRequest):
    """No token at all: a guest. A token that is sent but not valid is refused (401)."""
    if request.headers.get("Authorization"):
        return None
    return True


class SurveyChoiceOut(Schema):
    value: int = Field(description="What to send for this option.")
    label: str


class SurveyQuestionOut(Schema):
    id: int
    code: str = Field(description="A stable short name (IKM: U1 … U9), may be empty.")
    kind: str = Field(
        description="likert4, likert5, single, multiple, rating, nps, short_text, long_text, "
        "number, date"
    )
    text: str
    required: bool
    low: int | None = Field(description="Scales: the lowest value.")
    high: int | None = Field(description="Scales: the highest value.")
    choices: list[SurveyChoiceOut] = Field(description="Choices, or the labels of a Likert scale.")
    show_if: int | None = Field(description="Shown only when this question is answered …")
    show_if_value: str = Field(description="… with this value (empty: any answer).")


class SurveySectionOut(Schema):
    id: int
    title: str
    show_if: int | None
    show_if_value: str
    questions: list[SurveyQuestionOut]


class SurveyOut(Schema):
    code: str
    title: str
    intro: str
    is_anonymous: bool
    requires_sign_in: bool
    one_per_member: bool
    open: bool = Field(description="Whether answers are taken now.")
    closes_on: dt.date | None
    sections: list[SurveySectionOut]


class SurveyResponseIn(Schema):
    answers: dict[str, str | int | float | list[str | int]] = Field(
        description='By question id: {"12": 4, "13": [1, 3], "14": "text"}.'
    )
    invitation: str | None = Field(
        default=None, max_length=100, description="The token of a personal invitation link."
    )


class SurveyThanksOut(Schema):
    message: str


def _question(question: Question) -> SurveyQuestionOut:
    low, high = SCALES.get(question.kind, (None, None))
    return SurveyQuestionOut(
        id=question.pk,
        code=question.code,
        kind=question.kind,
        text=question.localized_text,
        required=question.required,
        low=low,
        high=high,
        choices=[
            SurveyChoiceOut(value=(1 if low is None else low) + i, label=label)
            for i, label in enumerate(question.choice_labels())
        ],
        show_if=question.show_if_id,
        show_if_value=question.show_if_value,
    )


def _not_found() -> Status:
    return Status(404, ErrorOut(code="not_found", message=_("There is no such survey.")))


@surveys_router.get(
    "/{code}",
    response={200: SurveyOut, 404: ErrorOut, 422: ErrorOut},
    summary="A survey with its sections and questions (in the Accept-Language language)",
)
def survey_detail(request: HttpRequest, code: str = Path(..., max_length=20)):
    survey = selectors.get_survey_by_code(code)
    if survey is None or survey.state == "draft":
        return _not_found()
    try:
        services.check_can_answer(survey, user=None, invited=True)
        is_open = True
    except DomainError:
        is_open = False
    return SurveyOut(
        code=survey.code,
        title=survey.localized_title,
        intro=survey.localized_intro,
        is_anonymous=survey.is_anonymous,
        requires_sign_in=survey.requires_sign_in,
        one_per_member=survey.one_per_member,
        open=is_open,
        closes_on=survey.closes_on,
        sections=[
            SurveySectionOut(
                id=section.pk,
                title=section.localized_title,
                show_if=section.show_if_id,
                show_if_value=section.show_if_value,
                questions=[_question(q) for q in section.questions.all()],
            )
            for section in survey.sections.all()
        ],
    )


@surveys_router.post(
    "/{code}/responses",
    auth=[token_auth, _guest],
    response={
        201: SurveyThanksOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Send one complete response",
    description=(
        "201 when stored. 409 when a rule refuses: survey_not_open, survey_closed, "
        "sign_in_required, already_responded, invitation_invalid. 422 invalid_answers with "
        "`errors` [{where: question id, problem}]. 429 when a guest's address sent too many."
    ),
)
def submit(
    request: HttpRequest,
    response: HttpResponse,
    payload: SurveyResponseIn,
    code: str = Path(..., max_length=20),
):
    response["Cache-Control"] = "private, no-store"
    survey = selectors.get_survey_by_code(code)
    if survey is None or survey.state == "draft":
        return _not_found()
    data = {
        f"q{key}": [str(v) for v in value] if isinstance(value, list) else str(value)
        for key, value in payload.answers.items()
        if str(key).isdigit()
    }
    # The token's user, or a guest (a browser session does not count here).
    user = request.auth if request.auth is not True else None
    guest = payload.invitation is None and user is None
    if guest and not throttle.allow_guest_response(client_ip(request)):
        return Status(
            429,
            ErrorOut(
                code="too_many",
                message=_("Too many answers from this connection. Please try later."),
            ),
        )
    try:
        if payload.invitation:
            sending.submit_invited_response(survey, payload.invitation, data)
        else:
            services.submit_response(survey, data, user=user)
    except InvalidAnswersError as err:
        return Status(
            422,
            ErrorOut(
                code=err.code,
                message=str(err.message),
                errors=[
                    {"where": str(pk), "problem": problem} for pk, problem in err.errors.items()
                ],
            ),
        )
    except DomainError as err:
        return Status(409, ErrorOut(code=err.code, message=str(err.message)))
    return Status(201, SurveyThanksOut(message=_("Thank you for your answers.")))
