"""Results a staff member reads: the cross-tabulation by respondent group (small groups hidden so
nobody is identified, the period honoured) and the results as an XLSX workbook."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from core.models import AuditEntry
from core.tests.test_views import signed_in
from surveys import selectors, services
from surveys.services import field_name
from surveys.states import QuestionKind
from surveys.tests.test_views import english

pytestmark = pytest.mark.django_db

IN_PERIOD = dt.date(2026, 3, 2)
BEFORE = dt.date(2025, 12, 1)


@pytest.fixture
def survey(coordinator):
    survey = services.create_survey(by=coordinator, title="Kepuasan", title_en="Satisfaction")
    section = survey.sections.get()
    add = services.add_question
    add(
        section,
        by=coordinator,
        kind=QuestionKind.SINGLE,
        code="kategori",
        text="Kategori anggota",
        text_en="Member category",
        choices=services.parse_choices("Pelajar | Student\nUmum | Public\nLansia | Senior"),
    )
    add(
        section,
        by=coordinator,
        kind=QuestionKind.RATING,
        code="nilai",
        text="Nilai",
        text_en="Rate",
    )
    add(
        section,
        by=coordinator,
        kind=QuestionKind.MULTIPLE,
        code="layanan",
        text="Layanan",
        text_en="Services",
        required=False,
        choices=services.parse_choices("Pinjam | Borrowing\nWi-Fi | Wi-Fi"),
    )
    add(
        section,
        by=coordinator,
        kind=QuestionKind.SHORT_TEXT,
        code="saran",
        text="Saran",
        text_en="Suggestion",
        required=False,
    )
    services.open_survey(survey, by=coordinator)
    return selectors.get_survey(survey.pk)


def answer(survey, on=IN_PERIOD, **values):
    by_code = {q.code: q for q in selectors.questions_of(survey)}
    data = {field_name(by_code[code]): value for code, value in values.items()}
    return services.submit_response(survey, data, on=on)


def by_code(survey, code):
    return next(q for q in selectors.questions_of(survey) if q.code == code)


def hand_made(survey):
    """Students: ratings 5, 4, 3 (two borrow, one Wi-Fi); public: 2, 2, 2, 4 (one borrows and
    uses Wi-Fi); seniors: nobody. One student before the period rates 1."""
    answer(survey, kategori="1", nilai="5", layanan=["1"])
    answer(survey, kategori="1", nilai="4", layanan=["1"])
    answer(survey, kategori="1", nilai="3", layanan=["2"])
    answer(survey, kategori="2", nilai="2")
    answer(survey, kategori="2", nilai="2")
    answer(survey, kategori="2", nilai="2")
    answer(survey, kategori="2", nilai="4", layanan=["1", "2"], saran="=HYPERLINK(1)")
    answer(survey, on=BEFORE, kategori="1", nilai="1")


def test_cross_tab_figures_per_group_within_the_period(survey, django_assert_num_queries):
    hand_made(survey)
    kategori = by_code(survey, "kategori")
    with django_assert_num_queries(1):  # the answers, once, whatever their number
        tab = selectors.cross_tab(
            survey, kategori, since=dt.date(2026, 1, 1), until=dt.date(2026, 6, 30)
        )
    assert [(g.label, g.respondents, g.hidden) for g in tab.groups] == [
        ("Student", 3, False),
        ("Public", 4, False),
        ("Senior", 0, True),
    ]
    rating, services_ = tab.questions  # the text question is not cross-tabulated
    rows = {row.label: row.cells for row in rating.rows}
    assert rows["Answers"] == ["3", "4", None]
    assert rows["Average"] == ["4.00", "2.50", None]  # the student before the period left out
    assert rows["2"] == ["0 (0.0%)", "3 (75.0%)", None]
    assert rows["5"] == ["1 (33.3%)", "0 (0.0%)", None]
    rows = {row.label: row.cells for row in services_.rows}
    assert rows["Borrowing"] == ["2 (66.7%)", "1 (100.0%)", None]
    assert rows["Wi-Fi"] == ["1 (33.3%)", "1 (100.0%)", None]
    # The whole history: the early student counts.
    tab = selectors.cross_tab(survey, by_code(survey, "kategori"))
    rows = {row.label: row.cells for row in tab.questions[0].rows}
    assert tab.groups[0].respondents == 4 and rows["Average"][0] == "3.25"


def test_a_small_group_is_shown_without_figures(survey, coordinator):
    hand_made(survey)
    answer(survey, kategori="3", nilai="1")  # one senior: identifiable
    tab = selectors.cross_tab(survey, by_code(survey, "kategori"), since=dt.date(2026, 1, 1))
    assert [(g.respondents, g.hidden) for g in tab.groups] == [(3, True), (4, False), (1, True)]
    # The senior is hidden, and the students too: otherwise total minus the public would give
    # the senior's answer away.
    rows = {row.label: row.cells for row in tab.questions[0].rows}
    assert rows["Average"] == [None, "2.50", None] and rows["1"] == [None, "0 (0.0%)", None]

    client = english(signed_in(coordinator))
    url = reverse("surveys:staff-results", args=[survey.pk])
    html = client.get(
        url, {"by": by_code(survey, "kategori").pk, "since": "2026-01-01"}
    ).content.decode()
    cross = html[html.index("Results per group") : html.index("Respondents per group") + 2000]
    assert "fewer than 3" in cross and "(hidden)" in cross
    assert ">1<" not in cross[cross.index("Respondents") :].split("</tr>")[0]


def test_results_page_compares_by_the_chosen_question_over_the_period(survey, coordinator):
    hand_made(survey)
    client = english(signed_in(coordinator))
    url = reverse("surveys:staff-results", args=[survey.pk])
    plain = client.get(url).content.decode()
    assert "Compare by" in plain and "Results per group" not in plain
    html = client.get(
        url,
        {"by": by_code(survey, "kategori").pk, "since": "2026-01-01", "until": "2026-06-30"},
    ).content.decode()
    section = html[html.index("Results per group") :]
    assert "<td>4.00</td><td>2.50</td>" in section
    assert "<td>3 (75.0%)</td>" in section
    # A question of another kind (text) is no grouping question: the page shows no groups.
    html = client.get(url, {"by": by_code(survey, "saran").pk}).content.decode()
    assert "Results per group" not in html


def test_results_download_as_xlsx(survey, coordinator):
    from openpyxl import load_workbook

    hand_made(survey)
    client = english(signed_in(coordinator))
    page = client.get(reverse("surveys:staff-results", args=[survey.pk])).content.decode()
    url = reverse("surveys:staff-xlsx", args=[survey.pk])
    assert f'href="{url}?since=' in page
    response = client.get(url, {"since": "2026-01-01", "until": "2026-06-30"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Responses"]
    summary = [row for row in book["Summary"].iter_rows(values_only=True)]
    assert summary[2][:2] == ("Responses", 7)
    rating = {row[1]: row[2:] for row in summary if row[0] == "nilai. Rate"}
    assert rating["Answers"][0] == 7
    assert rating["2"][:2] == (3, 42.9)
    assert rating["Average"][0] == 3.14  # (5 + 4 + 3 + 2 + 2 + 2 + 4) / 7
    choices = {row[1]: row[2:] for row in summary if row[0] == "layanan. Services"}
    assert choices["Borrowing"][:2] == (3, 75.0)
    responses = [row for row in book["Responses"].iter_rows(values_only=True)]
    assert responses[0] == ("response", "date", "kategori", "nilai", "layanan", "saran")
    assert len(responses) == 8  # the header, seven responses in the period
    assert responses[1][2:5] == ("Student", 5, "Borrowing")
    assert responses[7][5] == "'=HYPERLINK(1)"  # never a formula
    assert AuditEntry.objects.filter(action="survey.export").exists()
    # The CSV quotes the formula too.
    csv = client.get(reverse("surveys:staff-csv", args=[survey.pk])).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in csv


def test_results_need_the_results_permission(survey, make_user):
    librarian = signed_in(make_user("siti", roles={"librarian"}))
    kategori = by_code(survey, "kategori").pk
    for url in (
        reverse("surveys:staff-results", args=[survey.pk]) + f"?by={kategori}",
        reverse("surveys:staff-xlsx", args=[survey.pk]),
    ):
        assert librarian.get(url).status_code == 403
