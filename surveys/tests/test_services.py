"""Building surveys, answering them, and the rules: required answers, scales, skip logic,
one response per member with the answers unlinked, closed surveys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from surveys import errors, selectors, services
from surveys.models import Answer, RespondentMark, Response
from surveys.states import QuestionKind, SurveyState
from surveys.tests.conftest import all_elements, ikm_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(coordinator):
    survey = services.create_survey(
        title="Kepuasan layanan", title_en="Satisfaction", by=coordinator
    )
    return survey


def build(survey, coordinator):
    section = survey.sections.get()
    visited = services.add_question(
        section,
        by=coordinator,
        kind=QuestionKind.SINGLE,
        text="Pernah ke perpustakaan?",
        text_en="Visited the library?",
        choices=[{"id": "Ya", "en": "Yes"}, {"id": "Tidak", "en": "No"}],
    )
    rating = services.add_question(
        section,
        by=coordinator,
        kind=QuestionKind.RATING,
        text="Nilai kunjungan",
        show_if=visited,
        show_if_value="1",
    )
    nps = services.add_question(section, by=coordinator, kind=QuestionKind.NPS, text="Rekomendasi")
    topics = services.add_question(
        section,
        by=coordinator,
        kind=QuestionKind.MULTIPLE,
        text="Topik",
        required=False,
        choices=services.parse_choices("Sejarah | History\nSains | Science\nNovel"),
    )
    note = services.add_question(
        section, by=coordinator, kind=QuestionKind.LONG_TEXT, text="Catatan", required=False
    )
    return visited, rating, nps, topics, note


def test_answers_are_checked_and_saved(survey, coordinator):
    visited, rating, nps, topics, note = build(survey, coordinator)
    services.open_survey(survey, by=coordinator)
    survey = selectors.get_survey(survey.pk)
    response = services.submit_response(
        survey,
        {
            f"q{visited.pk}": "1",
            f"q{rating.pk}": "5",
            f"q{nps.pk}": "9",
            f"q{topics.pk}": ["1", "3"],
        },
    )
    stored = {a.question_id: a for a in response.answers.all()}
    assert stored[rating.pk].number == 5
    assert stored[topics.pk].choices == [1, 3]
    assert note.pk not in stored
    assert response.user is None


def test_skip_logic_hides_and_drops_answers(survey, coordinator):
    visited, rating, nps, *_ = build(survey, coordinator)
    services.open_survey(survey, by=coordinator)
    survey = selectors.get_survey(survey.pk)
    # "No": the rating is hidden, so not required, and an answer sent anyway is dropped.
    response = services.submit_response(
        survey, {f"q{visited.pk}": "2", f"q{rating.pk}": "3", f"q{nps.pk}": "0"}
    )
    assert not response.answers.filter(question=rating).exists()
    # "Yes": the rating is required.
    with pytest.raises(errors.InvalidAnswersError) as caught:
        services.submit_response(survey, {f"q{visited.pk}": "1", f"q{nps.pk}": "0"})
    assert set(caught.value.errors) == {rating.pk}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rating", "6"),
        ("rating", "0"),
        ("nps", "11"),
        ("nps", "x"),
        ("visited", "3"),
        ("topics", ["9"]),
    ],
)
def test_answers_outside_the_scale_are_refused_and_nothing_is_saved(
    survey, coordinator, field, value
):
    visited, rating, nps, topics, _ = build(survey, coordinator)
    services.open_survey(survey, by=coordinator)
    survey = selectors.get_survey(survey.pk)
    answers = {f"q{visited.pk}": "1", f"q{rating.pk}": "4", f"q{nps.pk}": "8"}
    target = {"rating": rating, "nps": nps, "visited": visited, "topics": topics}[field]
    answers[f"q{target.pk}"] = value
    with translation.override("en"), pytest.raises(errors.InvalidAnswersError) as caught:
        services.submit_response(survey, answers)
    assert target.pk in caught.value.errors
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_a_missing_required_answer(survey, coordinator):
    _, _, nps, *_ = build(survey, coordinator)
    services.open_survey(survey, by=coordinator)
    with translation.override("en"), pytest.raises(errors.InvalidAnswersError) as caught:
        services.submit_response(selectors.get_survey(survey.pk), {})
    assert caught.value.errors[nps.pk] == "Please answer this question."


def test_draft_and_closed_surveys_take_no_answers(survey, coordinator):
    build(survey, coordinator)
    with pytest.raises(errors.SurveyNotOpenError):
        services.submit_response(survey, {})
    services.open_survey(survey, by=coordinator)
    services.close_survey(survey, by=coordinator)
    with pytest.raises(errors.SurveyClosedError):
        services.submit_response(survey, {})
    with pytest.raises(errors.InvalidTransitionError):
        services.close_survey(survey, by=coordinator)


def test_close_date_ends_answering(survey, coordinator):
    build(survey, coordinator)
    survey.closes_on = dt.date(2026, 11, 30)
    survey.save()
    services.open_survey(survey, by=coordinator)
    with pytest.raises(errors.SurveyClosedError):
        services.check_can_answer(survey, user=None, on=dt.date(2026, 12, 1))
    services.check_can_answer(survey, user=None, on=dt.date(2026, 11, 30))


def test_one_response_per_member_keeps_answers_unlinked(ikm_survey, coordinator, make_user):
    services.update_survey(ikm_survey, by=coordinator, requires_sign_in=True, one_per_member=True)
    member = make_user("rina", roles={"member"})
    survey = selectors.get_survey(ikm_survey.pk)
    with pytest.raises(errors.SignInRequiredError):
        services.submit_response(survey, ikm_answers(survey, all_elements(4)))
    response = services.submit_response(survey, ikm_answers(survey, all_elements(4)), user=member)
    assert response.user is None
    mark = RespondentMark.objects.get()
    assert len(mark.token) == 64 and not hasattr(mark, "user_id")
    assert services.has_responded(survey, member)
    with pytest.raises(errors.AlreadyRespondedError):
        services.submit_response(survey, ikm_answers(survey, all_elements(3)), user=member)
    assert Response.objects.count() == 1


def test_a_signed_in_survey_that_is_not_anonymous_keeps_the_user(survey, coordinator, make_user):
    build(survey, coordinator)
    services.update_survey(survey, by=coordinator, is_anonymous=False, requires_sign_in=True)
    services.open_survey(survey, by=coordinator)
    member = make_user("rina", roles={"member"})
    survey = selectors.get_survey(survey.pk)
    nps = [q for q in selectors.questions_of(survey) if q.kind == QuestionKind.NPS][0]
    visited = selectors.questions_of(survey)[0]
    response = services.submit_response(
        survey, {f"q{visited.pk}": "2", f"q{nps.pk}": "7"}, user=member
    )
    assert response.user == member


def test_the_ikm_template(ikm_survey):
    questions = selectors.questions_of(selectors.get_survey(ikm_survey.pk))
    codes = [q.code for q in questions]
    assert codes == [
        "umur",
        "jenis_kelamin",
        "pendidikan",
        "pekerjaan",
        *[f"U{i}" for i in range(1, 10)],
        "saran",
    ]
    elements = [q for q in questions if q.code.startswith("U")]
    assert {q.kind for q in elements} == {QuestionKind.LIKERT4}
    assert all(q.required for q in elements)
    assert ikm_survey.state == SurveyState.OPEN and ikm_survey.is_anonymous


def test_ikm_report_from_responses(ikm_survey):
    survey = selectors.get_survey(ikm_survey.pk)
    day = dt.date(2026, 11, 20)
    services.submit_response(
        survey,
        ikm_answers(survey, {**all_elements(3), "U1": 4, "umur": "30", "jenis_kelamin": "2"}),
        on=day,
    )
    services.submit_response(survey, ikm_answers(survey, all_elements(4)), on=day)
    services.submit_response(survey, ikm_answers(survey, all_elements(1)), on=dt.date(2026, 1, 5))
    with translation.override("en"):
        report = selectors.ikm_report(
            survey, since=dt.date(2026, 7, 1), until=dt.date(2026, 12, 31)
        )
    # U1: (4 + 4) / 2 = 4; others (3 + 4) / 2 = 3.5; index = (4 + 8 x 3.5) / 9 = 32 / 9.
    assert report.result.respondents == 2
    assert report.result.index == Decimal("3.5556")
    assert report.result.ikm == Decimal("88.89")
    assert report.result.category == "A"
    sex = [r for r in report.profile if r.question.code == "jenis_kelamin"][0]
    assert [b.count for b in sex.bars] == [0, 1]
    groups = dict((q.code, g) for q, g in report.groups)
    assert [(g.label, g.respondents, str(g.ikm)) for g in groups["jenis_kelamin"]] == [
        ("Female", 1, "77.78")  # (4 + 8 x 3) / 9 x 25
    ]
    whole = selectors.ikm_report(survey)
    assert whole.result.respondents == 3


def test_results_and_export(survey, coordinator):
    visited, rating, nps, topics, note = build(survey, coordinator)
    services.open_survey(survey, by=coordinator)
    survey = selectors.get_survey(survey.pk)
    for value, score in (("1", "10"), ("1", "9"), ("2", "3")):
        services.submit_response(
            survey,
            {
                f"q{visited.pk}": value,
                f"q{rating.pk}": "4",
                f"q{nps.pk}": score,
                f"q{note.pk}": f"catatan {score}",
                f"q{topics.pk}": ["1", "2"],
            },
        )
    with translation.override("en"):
        result = selectors.results(survey)
        rows = list(selectors.export_rows(survey))
    by_pk = {r.question.pk: r for r in result.questions}
    assert result.respondents == 3
    assert by_pk[nps.pk].nps == round((2 - 1) * 100 / 3)
    assert by_pk[rating.pk].answered == 2 and by_pk[rating.pk].mean == Decimal("4.00")
    assert [b.count for b in by_pk[topics.pk].bars] == [3, 3, 0]
    assert by_pk[note.pk].texts == ["catatan 10", "catatan 3", "catatan 9"]
    assert by_pk[note.pk].words == [("catatan", 3)]
    assert selectors.word_counts(["Wi-Fi lambat dan lambat", "Ruang baca: Wi-Fi!"]) == [
        ("lambat", 2),
        ("baca", 1),
        ("ruang", 1),
    ]
    assert rows[0][:2] == ["response", "date"]
    assert rows[1][2] == "Yes" and rows[1][5] == "History; Science"
    assert len(rows) == 4
