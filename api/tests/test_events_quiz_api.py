"""Quizzes for the phone app: get the quiz, start an attempt (the server's deadline), send
answers (kept, or submitted and scored once), the leaderboard; refusals with the rule's code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from api.tests.test_events_api import EN, api, make_event, reader  # noqa: F401 - fixtures
from events import quizzes, services
from events.models import QuizAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(make_event, make_user):  # noqa: F811
    coordinator = make_user("koordinator", roles={"programme_coordinator"})
    now = timezone.now()
    event = make_event(
        title="Kuis Literasi",
        kind="quiz",
        capacity=None,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(hours=20),
    )
    quiz = quizzes.set_up(event, by=coordinator, time_limit_minutes=5)
    quizzes.save_question(
        quiz,
        by=coordinator,
        text="Ibu kota Kalimantan Timur?",
        kind="single",
        points=2,
        choices=[("Balikpapan", False), ("Samarinda", True)],
    )
    quizzes.save_question(
        quiz,
        by=coordinator,
        text="Penulis Laskar Pelangi?",
        kind="short",
        accepted=["Andrea Hirata"],
    )
    return quiz


def test_a_member_takes_the_quiz_from_the_app(api, quiz, reader, client):  # noqa: F811
    event_id = quiz.event_id
    refused = api.post(f"/{event_id}/quiz/attempts")
    assert refused.status_code == 409 and refused.json()["code"] == "quiz_not_allowed"
    services.register(quiz.event, member=reader)
    before = api.get(f"/{event_id}/quiz").json()
    assert before["questions"] == [] and before["attempts_used"] == 0
    started = api.post(f"/{event_id}/quiz/attempts", {"display_name": "Rina Cepat"})
    assert started.status_code == 201
    attempt = started.json()
    assert 290 <= attempt["seconds_left"] <= 300 and attempt["score"] is None
    assert api.post(f"/{event_id}/quiz/attempts").status_code == 200  # the same attempt
    shown = api.get(f"/{event_id}/quiz").json()
    capital, author = shown["questions"]
    samarinda = next(c["id"] for c in capital["choices"] if c["text"] == "Samarinda")
    assert "is_right" not in str(shown) and shown["running"]["id"] == attempt["id"]
    kept = api.post(
        f"/quiz-attempts/{attempt['id']}",
        {"answers": {str(capital["id"]): [samarinda]}, "final": False},
    )
    assert kept.status_code == 200 and kept.json()["submitted_at"] is None
    done = api.post(
        f"/quiz-attempts/{attempt['id']}", {"answers": {str(author["id"]): "andrea hirata"}}
    )
    body = done.json()
    assert done.status_code == 200 and body["score"] == 3 and body["max_score"] == 3
    assert all(r["right"] for r in body["results"])
    again = api.post(f"/quiz-attempts/{attempt['id']}", {"answers": {}})
    assert again.json()["score"] == 3  # counted once
    used = api.post(f"/{event_id}/quiz/attempts")
    assert used.status_code == 409 and used.json()["code"] == "quiz_attempts_used"
    board = client.get(f"/api/events/{event_id}/quiz/leaderboard").json()
    assert board["rows"][0]["name"] == "Rina Cepat" and board["rows"][0]["place"] == 1


def test_late_forged_and_foreign_answers_are_refused(api, quiz, reader, make_member):  # noqa: F811
    registration = services.register(quiz.event, member=reader).registration
    capital = quizzes.question_set(quiz)[0]
    attempt = quizzes.start_attempt(quiz, registration).attempt
    other = services.register(quiz.event, member=make_member("Budi")).registration
    theirs = quizzes.start_attempt(quiz, other).attempt
    forged = api.post(f"/quiz-attempts/{theirs.pk}", {"answers": {}})
    assert forged.status_code == 404 and forged.json()["code"] == "quiz_attempt_not_found"
    foreign = api.post(f"/quiz-attempts/{attempt.pk}", {"answers": {"123456": [1]}})
    assert foreign.status_code == 409 and foreign.json()["code"] == "quiz_answer_invalid"
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    late = api.post(
        f"/quiz-attempts/{attempt.pk}",
        {"answers": {str(capital.pk): [capital.choices.get(is_right=True).pk]}},
    )
    assert late.status_code == 409 and late.json()["code"] == "quiz_time_up"
    assert "Time ran out" in late.json()["message"]
    attempt.refresh_from_db()
    assert attempt.score == 0 and attempt.submitted_at is not None
    theirs.refresh_from_db()
    assert theirs.submitted_at is None


def test_no_quiz_answers_404(client, make_event):  # noqa: F811
    event = make_event()
    response = client.get(f"/api/events/{event.pk}/quiz/leaderboard", **EN)
    assert response.status_code == 404 and response.json()["code"] == "quiz_not_found"
