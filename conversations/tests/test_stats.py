from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations import feedback, services
from conversations.models import Feedback, Question
from conversations.stats import feedback_stats, percentile, question_stats


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([5], 90) == 5
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 11)), 90) == pytest.approx(9.1)


def at(day: int, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 2, day, hour))


def test_question_times_per_topic(library, librarian):
    for hours, topic in ((1, "research"), (3, "research"), (5, "collection")):
        q = services.ask("Where is the map room?", name="Rina", topic=topic)
        Question.objects.filter(pk=q.pk).update(created_at=at(2, 8))
        q.refresh_from_db()
        services.reply(q, "Floor 3.", staff=librarian, at=at(2, 8 + hours))
        services.rate(q, 4)
    rows = question_stats(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    total = rows[-1]
    assert total.count == 3
    assert total.first_response_median == 3 and total.resolution_median == 3
    assert total.first_response_p90 == pytest.approx(4.6)
    assert total.rating_average == 4
    by_topic = {row.label: row for row in rows[:-1]}
    assert by_topic["Research and reference"].count == 2
    assert by_topic["Research and reference"].first_response_median == 2
    assert by_topic["Finding a book or material"].first_response_median == 5
    assert by_topic["Something else"].count == 0
    assert question_stats(dt.date(2026, 3, 1), dt.date(2026, 3, 31))[-1].count == 0


def test_the_asker_chooses_a_topic_and_staff_correct_it(library, librarian, client):
    from django.conf import settings

    from core.models import AuditEntry

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = client.get(reverse("conversations:ask")).content.decode()
    assert "What is it about?" in form and "Research and reference" in form
    client.post(
        reverse("conversations:ask"),
        {"name": "Sari", "body": "Sumber untuk skripsi tentang Mahakam?", "topic": "research"},
    )
    question = Question.objects.get()
    assert question.topic == "research"
    # An unknown topic from a hand-made request is "something else", not an error.
    assert services.ask("Halo?", name="Tamu", topic="<script>").topic == "other"

    client.force_login(librarian)
    page = client.get(reverse("conversations:staff-question", args=[question.pk])).content.decode()
    assert "Change topic" in page
    client.post(
        reverse("conversations:staff-question-action", args=[question.pk, "topic"]),
        {"topic": "collection"},
    )
    question.refresh_from_db()
    assert question.topic == "collection"
    assert AuditEntry.objects.filter(action="question.topic", object_id=str(question.pk)).exists()
    response = client.post(
        reverse("conversations:staff-question-action", args=[question.pk, "topic"]),
        {"topic": "nonsense"},
        follow=True,
    )
    assert "Choose one of the topics listed." in response.content.decode()
    question.refresh_from_db()
    assert question.topic == "collection"


def test_feedback_times_and_lateness(library, librarian):
    friday = dt.date(2026, 2, 6)
    on_time = feedback.submit("facility", "Hot room", on=friday, rating=2)
    late = feedback.submit("facility", "Broken chair", on=friday)
    open_late = feedback.submit("service", "Slow desk", on=friday)
    Feedback.objects.update(created_at=at(6, 9))
    for item in (on_time, late, open_late):
        item.refresh_from_db()
    feedback.respond(on_time, "On it", staff=librarian, at=at(6, 11))
    feedback.resolve(on_time, "Fan installed", staff=librarian, at=at(9, 9))
    feedback.respond(late, "Sorry", staff=librarian, at=at(16, 9))  # due 10 Feb
    rows = feedback_stats(dt.date(2026, 2, 1), dt.date(2026, 2, 28), today=dt.date(2026, 2, 20))
    by_label = {row.label: row for row in rows[:-1]}
    facility, total = by_label["Facility"], rows[-1]
    assert facility.count == 2 and total.count == 3
    assert facility.first_response_median == pytest.approx((2 + 240) / 2)
    assert facility.resolution == [72.0]
    assert facility.past_deadline == 1  # the late first response
    assert by_label["Service"].past_deadline == 1  # still open long after its dates
    assert total.past_deadline == 2 and total.rating_average == 2


def test_stats_page(client, library, librarian, outsider):
    client.cookies["django_language"] = "en"
    client.force_login(outsider)
    assert client.get(reverse("conversations:staff-stats")).status_code == 403
    client.force_login(librarian)
    page = client.get(reverse("conversations:staff-stats") + "?start=2026-02-01&end=2026-02-28")
    assert page.status_code == 200 and "Response times" in page.content.decode()
    bad = client.get(reverse("conversations:staff-stats") + "?start=yesterday")
    assert "Give the dates as YYYY-MM-DD." in bad.content.decode()


def test_the_staff_home_says_how_many_questions_and_feedback_wait(library, librarian, client):
    from django.conf import settings
    from django.core.cache import cache

    services.ask("Ada buku tentang tenun?", name="Rina")
    services.ask("Jam buka hari Minggu?", name="Budi")
    feedback.submit("facility", "Kursi rusak", on=dt.date.today())
    client.force_login(librarian)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("core:staff-home")).content.decode()
    assert 'Questions from patrons</a> <span class="badge">2 waiting</span>' in page
    assert 'Feedback and complaints</a> <span class="badge">1 waiting</span>' in page
    # Claimed questions no longer wait (the count is kept a minute).
    for question in Question.objects.all():
        services.claim(question, staff=librarian)
    cache.clear()
    page = client.get(reverse("core:staff-home")).content.decode()
    assert "Questions from patrons</a> <span" not in page
