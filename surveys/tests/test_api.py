"""The phone app answers surveys through /api/surveys: the questions in the app's language,
one response with the web form's validation, one per member where the survey says so, and the
personal invitation token."""

from __future__ import annotations

import json

import pytest

from accounts.services import issue_api_token
from surveys import selectors, services
from surveys.models import Response
from surveys.states import QuestionKind

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def survey(coordinator):
    survey = services.create_survey(by=coordinator, title="Kepuasan", title_en="Satisfaction")
    section = survey.sections.get()
    services.add_question(
        section, by=coordinator, kind=QuestionKind.RATING, text="Nilai", text_en="Rate us"
    )
    services.add_question(
        section,
        by=coordinator,
        kind=QuestionKind.MULTIPLE,
        text="Layanan",
        text_en="Services",
        required=False,
        choices=services.parse_choices("Pinjam | Borrowing\nWi-Fi | Wi-Fi"),
    )
    services.open_survey(survey, by=coordinator)
    return selectors.get_survey(survey.pk)


def ids(survey):
    return [q.pk for q in selectors.questions_of(survey)]


def post(client, survey, body, **extra):
    return client.post(
        f"/api/surveys/{survey.code}/responses",
        json.dumps(body),
        content_type="application/json",
        **EN,
        **extra,
    )


def test_the_app_reads_the_questions_in_its_language(client, survey):
    response = client.get(f"/api/surveys/{survey.code}", **EN)
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Satisfaction"
    assert body["open"] is True
    rating, services_question = body["sections"][0]["questions"]
    assert (rating["text"], rating["low"], rating["high"]) == ("Rate us", 1, 5)
    assert services_question["choices"] == [
        {"value": 1, "label": "Borrowing"},
        {"value": 2, "label": "Wi-Fi"},
    ]
    assert client.get("/api/surveys/nosuchcode", **EN).status_code == 404


def test_a_guest_answers_and_bad_answers_are_named(client, survey):
    rating, multiple = ids(survey)
    bad = post(client, survey, {"answers": {str(rating): 9}})
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_answers"
    problem = "Choose a value from 1 to 5."
    assert bad.json()["errors"] == [{"where": str(rating), "problem": problem}]
    assert not Response.objects.exists()
    good = post(client, survey, {"answers": {str(rating): 4, str(multiple): [1, 2]}})
    assert good.status_code == 201
    stored = Response.objects.get()
    assert stored.user is None
    assert sorted(a.choices or [int(a.number)] for a in stored.answers.all()) == [[1, 2], [4]]


def test_one_response_per_member_through_the_app(client, survey, coordinator, make_user):
    services.update_survey(survey, by=coordinator, requires_sign_in=True, one_per_member=True)
    rating, _multiple = ids(survey)
    assert post(client, survey, {"answers": {str(rating): 4}}).json()["code"] == (
        "sign_in_required"
    )
    user = make_user("ani", roles={"member"})
    _token, raw = issue_api_token(user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert post(client, survey, {"answers": {str(rating): 4}}, **auth).status_code == 201
    again = post(client, survey, {"answers": {str(rating): 2}}, **auth)
    assert again.status_code == 409
    assert again.json()["code"] == "already_responded"
    assert Response.objects.count() == 1
    assert Response.objects.get().user is None  # anonymous survey
    forged = post(client, survey, {"answers": {str(rating): 2}}, HTTP_AUTHORIZATION="Bearer x")
    assert forged.status_code == 401


def test_a_forged_invitation_and_a_closed_survey_are_refused(client, survey, coordinator):
    rating, _multiple = ids(survey)
    forged = post(client, survey, {"answers": {str(rating): 3}, "invitation": "made-up"})
    assert forged.status_code == 409
    assert forged.json()["code"] == "invitation_invalid"
    services.close_survey(survey, by=coordinator)
    closed = post(client, survey, {"answers": {str(rating): 3}})
    assert closed.json()["code"] == "survey_closed"
    assert not Response.objects.exists()
