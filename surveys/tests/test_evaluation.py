"""What the coordinator and the head see: satisfaction from feedback surveys on the events
dashboard, periodic surveys compared period by period, the programme evaluation page (and its
XLSX), section editing in the builder, and the IKM report as PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.tests.test_views import signed_in
from surveys import selectors, services
from surveys.models import Section
from surveys.periods import period_of, recent_periods
from surveys.states import QuestionKind, Repeat
from surveys.tests.conftest import all_elements, ikm_answers

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def event(library):
    from core.models import Branch
    from events.models import Event

    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time(9)))
    return Event.objects.create(
        title="Bedah Buku",
        kind="book_discussion",
        branch=Branch.objects.first(),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        status="published",
        capacity=10,
    )


def feedback_for(event, coordinator, ratings):
    survey = services.create_survey(by=coordinator, title="Umpan balik acara", event=event)
    question = services.add_question(
        survey.sections.get(), by=coordinator, kind=QuestionKind.RATING, text="Nilai acara"
    )
    services.open_survey(survey, by=coordinator)
    survey = selectors.get_survey(survey.pk)
    for rating in ratings:
        services.submit_response(survey, {f"q{question.pk}": str(rating)})
    return survey


def test_event_satisfaction_averages_the_feedback_rating(event, coordinator):
    feedback_for(event, coordinator, [5, 4, 4])
    rated = selectors.event_satisfaction([event.pk])
    assert rated[event.pk].average == Decimal("4.3")
    assert rated[event.pk].scale == 5
    assert rated[event.pk].responses == 3
    assert selectors.event_satisfaction([event.pk + 1000]) == {}


def test_event_satisfaction_takes_three_queries_for_many_events(
    event, coordinator, django_assert_num_queries
):
    from events.models import Event

    others = [
        Event.objects.create(
            title=f"Acara {n}",
            kind=event.kind,
            branch=event.branch,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            status="published",
        )
        for n in range(3)
    ]
    for item, ratings in zip([event, *others], [[5], [4, 4], [3], [2, 5]], strict=True):
        feedback_for(item, coordinator, ratings)
    with django_assert_num_queries(3):
        rated = selectors.event_satisfaction([e.pk for e in [event, *others]])
    assert [rated[e.pk].average for e in others] == [Decimal("4.0"), Decimal("3.0"), Decimal("3.5")]
    overall = selectors.overall_satisfaction(rated.values())
    assert overall.average == Decimal("3.8")  # 23 / 6
    assert overall.responses == 6


def test_events_dashboard_shows_satisfaction(event, coordinator):
    feedback_for(event, coordinator, [5, 3])
    client = english(signed_in(coordinator))
    page = client.get(reverse("events:staff-dashboard")).content.decode()
    assert "4.0 of 5 (2 responses)" in page
    assert "4.0/5" in page


def test_periods_of_a_quarterly_survey():
    assert period_of(dt.date(2026, 5, 9), Repeat.QUARTER).since == dt.date(2026, 4, 1)
    assert period_of(dt.date(2026, 5, 9), Repeat.QUARTER).until == dt.date(2026, 6, 30)
    periods = recent_periods(Repeat.SEMESTER, today=dt.date(2026, 3, 1), count=3)
    assert [(p.since, p.until) for p in periods] == [
        (dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
        (dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ]
    assert recent_periods(Repeat.YEAR, today=dt.date(2026, 3, 1), count=2)[0].label == "2025"


def test_compare_periods_side_by_side(coordinator):
    survey = services.create_survey(by=coordinator, title="Kepuasan", repeats=Repeat.SEMESTER)
    question = services.add_question(
        survey.sections.get(), by=coordinator, kind=QuestionKind.RATING, text="Nilai"
    )
    services.open_survey(survey, by=coordinator)
    survey = selectors.get_survey(survey.pk)
    today = timezone.localdate()
    this = period_of(today, Repeat.SEMESTER)
    last = period_of(this.since - dt.timedelta(days=1), Repeat.SEMESTER)
    for value, day in [(2, last.since), (3, last.since), (5, this.since), (5, this.since)]:
        services.submit_response(survey, {f"q{question.pk}": str(value)}, on=day)
    client = english(signed_in(coordinator))
    response = client.get(reverse("surveys:staff-compare", args=[survey.pk]) + "?count=2")
    comparison = response.context["comparison"]
    assert [p.respondents for p in comparison.periods] == [2, 2]
    averages = next(r for r in comparison.questions[0].rows if r.label == "Average")
    assert averages.values == ["2.50", "5.00"]
    assert "Compare periods: Kepuasan" in response.content.decode()


def test_section_rename_reorder_condition_and_remove(coordinator):
    survey = services.create_survey(by=coordinator, title="Survei")
    first = survey.sections.get()
    question = services.add_question(
        first,
        by=coordinator,
        kind=QuestionKind.SINGLE,
        text="Pernah meminjam?",
        choices=services.parse_choices("Ya\nTidak"),
    )
    second = services.add_section(survey, by=coordinator, title="Peminjaman")
    empty = services.add_section(survey, by=coordinator, title="Kosong")
    client = english(signed_in(coordinator))
    url = reverse("surveys:staff-section", args=[survey.pk, second.pk])
    response = client.post(
        url,
        {
            "sec-title": "Tentang peminjaman",
            "sec-title_en": "About borrowing",
            "sec-show_if": question.pk,
            "sec-show_if_value": "1",
        },
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.title, second.show_if_id, second.show_if_value) == (
        "Tentang peminjaman",
        question.pk,
        "1",
    )
    action = reverse("surveys:staff-section-action", args=[survey.pk, second.pk])
    client.post(action, {"action": "up"})
    # Moved before the question it depends on, the condition goes (it could never be met).
    second.refresh_from_db()
    assert second.position == 1
    assert second.show_if_id is None
    client.post(
        reverse("surveys:staff-section-action", args=[survey.pk, first.pk]), {"action": "remove"}
    )
    assert Section.objects.filter(pk=first.pk).exists()  # it has a question
    client.post(
        reverse("surveys:staff-section-action", args=[survey.pk, empty.pk]), {"action": "remove"}
    )
    assert not Section.objects.filter(pk=empty.pk).exists()
    assert list(survey.sections.values_list("position", flat=True)) == [1, 2]


def pdf_text(content: bytes) -> str:
    """The text drawn with the built-in fonts (reportlab's ASCII85 + Flate streams opened)."""
    import base64

    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = data[:-2]
        try:
            data = zlib.decompress(base64.a85decode(data))
        except (ValueError, zlib.error):  # not a text stream
            continue
        text += [t.decode("latin-1") for t in re.findall(rb"\((.*?)\) Tj", data)]
    return " ".join(text)


def test_ikm_report_downloads_as_pdf(ikm_survey, head, monkeypatch):
    import patrons.cards

    monkeypatch.setattr(patrons.cards, "_font_names", lambda: ("Helvetica", "Helvetica-Bold"))
    survey = selectors.get_survey(ikm_survey.pk)
    for value in (4, 3):
        services.submit_response(survey, ikm_answers(survey, all_elements(value)))
    client = english(signed_in(head))
    response = client.get(reverse("surveys:staff-ikm", args=[survey.pk]) + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "87.50" in text  # (4 + 3) / 2 x 25
    assert "B Baik" in text
    assert "Respondents" in text


def test_programme_evaluation_page_and_xlsx(event, coordinator, head):
    from events.models import Registration

    Registration.objects.create(event=event, name="A", email="a@example.org", state="attended")
    Registration.objects.create(event=event, name="B", email="b@example.org", state="confirmed")
    feedback_for(event, coordinator, [5, 4])
    client = english(signed_in(head))
    since = event.starts_at.date().isoformat()
    url = reverse("surveys:staff-evaluation") + f"?since={since}&until={since}"
    response = client.get(url)
    assert response.status_code == 200
    evaluation = response.context["evaluation"]
    assert [e.title for e in evaluation.most_attended] == ["Bedah Buku"]
    assert evaluation.best_rated[0].satisfaction == Decimal("4.5")
    assert {s.name for s in evaluation.services} >= {"Loans", "Visits", "Questions answered"}
    page = response.content.decode()
    assert "4.5 of 5 (2 responses)" in page

    download = client.get(url + "&format=xlsx")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(download.content))
    rows = list(book["Events"].iter_rows(values_only=True))
    assert rows[1][0] == "Bedah Buku"
    assert rows[1][4] == 1  # attended
    assert rows[1][7] == 4.5


def test_results_of_a_quarterly_survey_offer_its_quarters(coordinator):
    survey = services.create_survey(by=coordinator, title="Triwulanan", repeats=Repeat.QUARTER)
    client = english(signed_in(coordinator))
    response = client.get(reverse("surveys:staff-results", args=[survey.pk]))
    labels = [p["label"] for p in response.context["periods"]]
    this = period_of(timezone.localdate(), Repeat.QUARTER)
    assert labels[0] == this.label
    assert any("the whole year" in label for label in labels)
    assert "Compare periods" in response.content.decode()
