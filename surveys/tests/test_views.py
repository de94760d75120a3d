"""The survey pages: staff build a survey with skip logic, preview it, open it; visitors answer
by the public link (bot checks, rate limit, a draft kept on the device, one response per
member); results, CSV, the IKM report and the poster."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.test import Client, override_settings
from django.urls import reverse

from core.models import AuditEntry
from core.tests.test_views import signed_in
from surveys import selectors, services
from surveys.models import Response, Survey
from surveys.states import QuestionKind, SurveyState
from surveys.tests.conftest import all_elements, ikm_answers
from surveys.views import STARTED_SALT

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def started(seconds_ago: float = 60) -> str:
    return signing.dumps(time.time() - seconds_ago, salt=STARTED_SALT)


def guest_post(client, survey, answers, **extra):
    data = {"started": started(), "action": "send", **answers, **extra}
    return client.post(reverse("surveys:answer", args=[survey.code]), data)


def test_staff_build_a_survey_with_skip_logic(coordinator):
    client = english(signed_in(coordinator))
    response = client.post(
        reverse("surveys:staff-list"), {"new-title": "Kepuasan", "new-title_en": "Satisfaction"}
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    url = reverse("surveys:staff-survey", args=[survey.pk])
    section = survey.sections.get()
    response = client.post(
        url,
        {
            "form": "question",
            "q-section": section.pk,
            "q-kind": "single",
            "q-text": "Pernah meminjam?",
            "q-text_en": "Borrowed before?",
            "q-required": "on",
            "q-choices_lines": "Ya | Yes\nTidak | No",
        },
    )
    assert response.status_code == 302
    first = survey.sections.get().questions.get()
    assert first.choices == [{"id": "Ya", "en": "Yes"}, {"id": "Tidak", "en": "No"}]
    client.post(
        url,
        {
            "form": "question",
            "q-section": section.pk,
            "q-kind": "rating",
            "q-text": "Nilai koleksi",
            "q-required": "on",
            "q-show_if": first.pk,
            "q-show_if_value": "1",
        },
    )
    second = survey.sections.get().questions.get(kind="rating")
    assert second.show_if == first and second.show_if_value == "1"
    # A choice question needs options.
    response = client.post(
        url,
        {"form": "question", "q-section": section.pk, "q-kind": "multiple", "q-text": "Topik"},
    )
    assert response.status_code == 200
    assert "Give at least two options." in response.content.decode()
    page = client.get(url).content.decode()
    assert "only if" in page and "Borrowed before?" in page
    assert client.get(reverse("surveys:staff-preview", args=[survey.pk])).status_code == 200
    preview = client.get(reverse("surveys:answer", args=[survey.code]) + "?preview=1")
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert preview.status_code == 200 and f'data-show-if="q{first.pk}"' in preview.content.decode()
    client.post(reverse("surveys:staff-state", args=[survey.pk]), {"to": "open"})
    survey.refresh_from_db()
    assert survey.state == SurveyState.OPEN
    assert AuditEntry.objects.filter(action="survey.open").exists()


def test_edit_move_and_remove_questions(coordinator):
    survey = services.create_survey(title="S", by=coordinator)
    section = survey.sections.get()
    a = services.add_question(section, by=coordinator, kind=QuestionKind.NUMBER, text="A")
    b = services.add_question(section, by=coordinator, kind=QuestionKind.DATE, text="B")
    client = signed_in(coordinator)
    client.post(
        reverse("surveys:staff-question", args=[survey.pk, b.pk]),
        {"q-section": section.pk, "q-kind": "date", "q-text": "B2", "q-text_en": "B2 en"},
    )
    b.refresh_from_db()
    assert (b.text, b.text_en, b.required) == ("B2", "B2 en", False)
    action = reverse("surveys:staff-question-action", args=[survey.pk, b.pk])
    client.post(action, {"action": "up"})
    assert [q.text for q in section.questions.order_by("position")] == ["B2", "A"]
    client.post(
        reverse("surveys:staff-question-action", args=[survey.pk, a.pk]), {"action": "remove"}
    )
    assert list(section.questions.values_list("text", flat=True)) == ["B2"]


def test_members_and_librarians_cannot_reach_the_builder(make_user, ikm_survey):
    url = reverse("surveys:staff-survey", args=[ikm_survey.pk])
    assert signed_in(make_user("rina", roles={"member"})).get(url).status_code == 403
    assert signed_in(make_user("siti", roles={"librarian"})).get(url).status_code == 403


def test_a_guest_answers_the_ikm_survey(ikm_survey):
    client = english(Client())
    page = client.get(reverse("surveys:answer", args=[ikm_survey.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "U9." in html and "Very polite and friendly" in html and 'name="homepage"' in html
    response = guest_post(
        client, ikm_survey, ikm_answers(ikm_survey, {**all_elements(4), "umur": "41"})
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:thanks", args=[ikm_survey.code])
    assert Response.objects.get().answers.count() == 10


def test_a_missing_or_out_of_scale_answer_is_shown_and_nothing_counts(ikm_survey):
    client = english(Client())
    answers = ikm_answers(ikm_survey, {**all_elements(4), "U3": "5"})
    del answers[next(iter(ikm_answers(ikm_survey, {"U9": 1})))]
    response = guest_post(client, ikm_survey, answers)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a value from 1 to 4." in html and "Please answer this question." in html
    assert "2 answers need your attention." in html
    assert 'value="4" checked' in html  # what was given stays chosen
    assert Response.objects.count() == 0


def test_bots_are_turned_away(ikm_survey):
    client = english(Client())
    answers = ikm_answers(ikm_survey, all_elements(4))
    assert guest_post(client, ikm_survey, answers, homepage="http://spam").status_code == 400
    quick = {**answers, "started": started(0), "action": "send"}
    response = client.post(reverse("surveys:answer", args=[ikm_survey.code]), quick)
    assert "sent too quickly" in response.content.decode()
    forged = {**answers, "started": "forged", "action": "send"}
    response = client.post(reverse("surveys:answer", args=[ikm_survey.code]), forged)
    assert "The form has expired" in response.content.decode()
    assert Response.objects.count() == 0


@override_settings(PUSTAKA_SURVEY_GUEST_PER_10_MINUTES=2)
def test_guests_are_rate_limited(ikm_survey):
    client = english(Client())
    answers = ikm_answers(ikm_survey, all_elements(3))
    assert guest_post(client, ikm_survey, answers).status_code == 302
    assert guest_post(client, ikm_survey, answers).status_code == 302
    response = guest_post(client, ikm_survey, answers)
    assert response.status_code == 429
    assert Response.objects.count() == 2


def test_a_draft_is_kept_on_the_device_and_resumed(ikm_survey):
    client = english(Client())
    url = reverse("surveys:answer", args=[ikm_survey.code])
    partial = ikm_answers(ikm_survey, {"U1": "2", "pekerjaan": "6"})
    response = client.post(url, {**partial, "action": "draft", "started": started()})
    assert response.status_code == 302
    assert Response.objects.count() == 0
    cookie = f"survey-draft-{ikm_survey.code}"
    assert client.cookies[cookie].value
    html = client.get(url).content.decode()
    u1 = next(iter(ikm_answers(ikm_survey, {"U1": 1})))
    assert f'name="{u1}" value="2" checked' in html
    assert "Your saved answers are filled in." in html
    guest_post(client, ikm_survey, ikm_answers(ikm_survey, all_elements(4)))
    assert client.cookies[cookie].value == ""  # removed once sent
    # Another device has no draft, and a tampered cookie is ignored.
    other = english(Client())
    other.cookies[cookie] = "tampered"
    assert "Your saved answers" not in other.get(url).content.decode()


def test_one_response_per_member_on_the_web(ikm_survey, coordinator, make_user):
    services.update_survey(ikm_survey, by=coordinator, requires_sign_in=True, one_per_member=True)
    url = reverse("surveys:answer", args=[ikm_survey.code])
    guest = english(Client())
    assert "Please sign in to answer this survey." in guest.get(url).content.decode()
    member = make_user("rina", roles={"member"})
    client = english(Client())
    client.force_login(member)
    answers = ikm_answers(ikm_survey, all_elements(4))
    assert client.post(url, {**answers, "action": "send"}).status_code == 302
    again = client.post(url, {**answers, "action": "send"})
    assert "You have already answered this survey." in again.content.decode()
    assert Response.objects.get().user is None


def test_closed_survey_says_so(ikm_survey, coordinator):
    services.close_survey(ikm_survey, by=coordinator)
    client = english(Client())
    html = client.get(reverse("surveys:answer", args=[ikm_survey.code])).content.decode()
    assert "This survey has closed." in html
    response = guest_post(client, ikm_survey, ikm_answers(ikm_survey, all_elements(4)))
    assert response.status_code == 200 and Response.objects.count() == 0


def test_results_csv_ikm_and_poster(ikm_survey, head):
    survey = selectors.get_survey(ikm_survey.pk)
    services.submit_response(
        survey, ikm_answers(survey, {**all_elements(3), "saran": "Tambah buku"})
    )
    services.submit_response(
        survey, ikm_answers(survey, {**all_elements(4), "U8": 2, "jenis_kelamin": "1"})
    )
    client = english(signed_in(head))
    results = client.get(reverse("surveys:staff-results", args=[survey.pk])).content.decode()
    assert "2 responses" in results and "Tambah buku" in results
    csv = client.get(reverse("surveys:staff-csv", args=[survey.pk]))
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("response,date,umur,jenis_kelamin")
    assert len(lines) == 3 and "Male" in lines[2]
    assert AuditEntry.objects.filter(action="survey.export").exists()
    # U8: (3 + 2) / 2 = 2.5; the rest 3.5; index (8 x 3.5 + 2.5) / 9 = 3.3889; IKM 84.72 (B).
    ikm = client.get(reverse("surveys:staff-ikm", args=[survey.pk])).content.decode()
    assert "84.72" in ikm and "B (Baik)" in ikm and "lowest" in ikm
    data = client.get(reverse("surveys:staff-ikm", args=[survey.pk]) + "?format=json").json()
    assert data == {
        "elements": {**{f"U{i}": "3.5000" for i in range(1, 10)}, "U8": "2.5000"},
        "index": "3.3889",
        "ikm": "84.72",
        "category": "B",
        "respondents": 2,
    }
    poster = client.get(reverse("surveys:staff-poster", args=[survey.pk])).content.decode()
    assert "<svg" in poster and survey.code in poster


def test_ikm_report_downloads_as_xlsx(ikm_survey, coordinator):
    import io

    from openpyxl import load_workbook

    survey = selectors.get_survey(ikm_survey.pk)
    services.submit_response(survey, ikm_answers(survey, {**all_elements(4), "U3": 2}))
    client = english(signed_in(coordinator))
    response = client.get(reverse("surveys:staff-ikm", args=[survey.pk]) + "?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = [[c for c in row] for row in book["IKM"].iter_rows(values_only=True)]
    table = {row[0]: row for row in rows if row and row[0] in {f"U{i}" for i in range(1, 10)}}
    assert table["U3"][3] == 2.0 and table["U1"][3] == 4.0
    # (8 x 4 + 2) / 9 = 3.7778; x 25 = 94.44: A.
    values = {row[0]: row[1:] for row in rows if row and row[0]}
    assert values["IKM (× 25)"][0] == 94.44
    assert tuple(values["Quality of service"][:2]) == ("A", "Sangat Baik")
    assert book.sheetnames == ["IKM", "Respondents", "Answers"]


def test_ikm_periods_are_compared(ikm_survey, coordinator):
    import datetime as dt

    import time_machine

    survey = selectors.get_survey(ikm_survey.pk)
    services.submit_response(survey, ikm_answers(survey, all_elements(3)), on=dt.date(2026, 3, 2))
    services.submit_response(survey, ikm_answers(survey, all_elements(4)), on=dt.date(2026, 9, 1))
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), tick=False):
        html = (
            english(signed_in(coordinator))
            .get(reverse("surveys:staff-ikm", args=[survey.pk]))
            .content.decode()
        )
    assert "IKM per semester" in html
    table = html[html.index("IKM per semester") :]
    first, second = table.index("2026, semester I<"), table.index("2026, semester II<")
    assert first < second
    assert "75.00" in table[first:second] and "100.00" in table[second:]
