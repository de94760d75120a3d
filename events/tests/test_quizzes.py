"""Point 7: quizzes. The coordinator's question set, scoring (single, multiple, short answer),
the server's deadline (with a few seconds of grace), one attempt unless more are allowed, a
double submit counted once, the leaderboard's order, who may take part, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import PermissionDeniedError
from events import errors, quizzes, selectors, services
from events.models import QuizAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def quiz_event(make_event):
    now = timezone.now()
    return make_event(
        title="Kuis Literasi",
        kind="quiz",
        capacity=None,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(hours=20),
    )


def build(quiz, coordinator):
    capital = quizzes.save_question(
        quiz,
        by=coordinator,
        text="Ibu kota Kalimantan Timur?",
        kind="single",
        points=2,
        choices=[("Balikpapan", False), ("Samarinda", True), ("Tenggarong", False)],
    )
    islands = quizzes.save_question(
        quiz,
        by=coordinator,
        text="Pulau besar di Indonesia?",
        kind="multiple",
        points=3,
        choices=[("Kalimantan", True), ("Sumatra", True), ("Tasmania", False)],
    )
    author = quizzes.save_question(
        quiz,
        by=coordinator,
        text="Penulis Laskar Pelangi?",
        kind="short",
        points=5,
        accepted=["Andrea Hirata"],
    )
    return capital, islands, author


@pytest.fixture
def quiz(quiz_event, coordinator):
    quiz = quizzes.set_up(quiz_event, by=coordinator, time_limit_minutes=10)
    build(quiz, coordinator)
    return quiz


def right(question):
    return [c.pk for c in question.choices.all() if c.is_right]


def wrong(question):
    return [c.pk for c in question.choices.all() if not c.is_right][:1]


def registered(event, make_member, name="Rina Wulandari"):
    return services.register(event, member=make_member(name)).registration


def test_answers_are_scored_all_or_nothing_and_short_answers_loosely(quiz, make_member):
    capital, islands, author = quizzes.question_set(quiz)
    rina = registered(quiz.event, make_member)
    attempt = quizzes.start_attempt(quiz, rina).attempt
    assert attempt.max_score == 10 and attempt.display_name == "Rina W."
    result = quizzes.submit_attempt(
        attempt,
        registration=rina,
        answers={
            str(capital.pk): right(capital),
            str(islands.pk): right(islands)[:1],  # one of two right: no points
            str(author.pk): "  andrea   HIRATA. ",
        },
    )
    assert not result.already
    assert result.attempt.score == 2 + 5
    assert result.attempt.points == {str(capital.pk): 2, str(islands.pk): 0, str(author.pk): 5}
    rows = quizzes.review(result.attempt)
    assert [r.right for r in rows] == [True, False, True]


def test_a_timed_answer_after_the_deadline_is_refused_and_saved_answers_count(quiz, make_member):
    capital, islands, _author = quizzes.question_set(quiz)
    rina = registered(quiz.event, make_member)
    start = timezone.now()
    attempt = quizzes.start_attempt(quiz, rina, at=start).attempt
    assert attempt.deadline == start + dt.timedelta(minutes=10)
    quizzes.save_answers(
        attempt,
        registration=rina,
        answers={str(capital.pk): right(capital)},
        at=start + dt.timedelta(minutes=5),
    )
    late = start + dt.timedelta(minutes=10, seconds=quizzes.GRACE_SECONDS + 1)
    with pytest.raises(errors.QuizTimeUpError) as refused:
        quizzes.submit_attempt(
            attempt, registration=rina, answers={str(islands.pk): right(islands)}, at=late
        )
    assert "Time ran out" in str(refused.value)
    attempt.refresh_from_db()
    assert attempt.score == 2  # the saved answer, not the late one
    assert attempt.submitted_at == attempt.deadline
    # Within the grace a submit still counts.
    other = registered(quiz.event, make_member, "Budi Santoso")
    second = quizzes.start_attempt(quiz, other, at=start).attempt
    on_time = start + dt.timedelta(minutes=10, seconds=quizzes.GRACE_SECONDS - 1)
    done = quizzes.submit_attempt(
        second, registration=other, answers={str(islands.pk): right(islands)}, at=on_time
    )
    assert done.attempt.score == 3


def test_one_attempt_unless_more_are_allowed_and_a_double_submit_counts_once(
    quiz, make_member, coordinator
):
    rina = registered(quiz.event, make_member)
    capital = quizzes.question_set(quiz)[0]
    started = quizzes.start_attempt(quiz, rina)
    again = quizzes.start_attempt(quiz, rina)  # a reload: the same attempt
    assert not again.created and again.attempt.pk == started.attempt.pk
    answers = {str(capital.pk): right(capital)}
    first = quizzes.submit_attempt(started.attempt, registration=rina, answers=answers)
    twice = quizzes.submit_attempt(started.attempt, registration=rina, answers={})
    assert twice.already and twice.attempt.score == first.attempt.score == 2
    with pytest.raises(errors.QuizAttemptsUsedError):
        quizzes.start_attempt(quiz, rina)
    # Cancelling and registering again does not give a member a new attempt.
    services.cancel_registration(rina)
    again = services.register(quiz.event, member=rina.member).registration
    with pytest.raises(errors.QuizAttemptsUsedError):
        quizzes.start_attempt(quiz, again)
    quizzes.set_up(quiz.event, by=coordinator, attempts_allowed=2)
    quiz.refresh_from_db()
    second = quizzes.start_attempt(quiz, again).attempt
    assert second.number == 1 and QuizAttempt.objects.filter(member=rina.member).count() == 2


def test_the_leaderboard_ranks_by_score_then_time_with_each_persons_best(
    quiz, make_member, coordinator
):
    quizzes.set_up(quiz.event, by=coordinator, attempts_allowed=2)
    quiz.refresh_from_db()
    capital, islands, author = quizzes.question_set(quiz)
    start = timezone.now()
    full = {str(capital.pk): right(capital), str(islands.pk): right(islands)}

    def take(name, answers, seconds, display_name=""):
        registration = registered(quiz.event, make_member, name)
        attempt = quizzes.start_attempt(
            quiz, registration, display_name=display_name, at=start
        ).attempt
        quizzes.submit_attempt(
            attempt,
            registration=registration,
            answers=answers,
            at=start + dt.timedelta(seconds=seconds),
        )
        return registration

    take("Ani Lestari", full, 100)
    take("Budi Santoso", full, 40, display_name="Si Cepat")
    take("Citra Dewi", {str(capital.pk): right(capital)}, 10)
    dodi = take("Dodi Pratama", full, 40)
    # Dodi tries again and does worse: his best attempt stays.
    retry = quizzes.start_attempt(quiz, dodi, at=start).attempt
    quizzes.submit_attempt(retry, registration=dodi, answers={}, at=start)
    rows = quizzes.leaderboard(quiz)
    assert [(r.place, r.name, r.score, r.seconds) for r in rows] == [
        (1, "Si Cepat", 5, 40),
        (1, "Dodi P.", 5, 40),
        (3, "Ani L.", 5, 100),
        (4, "Citra D.", 2, 10),
    ]


def test_who_may_take_the_quiz(quiz, make_member, coordinator, librarian):
    event = quiz.event
    guest = services.register(event, name="Tamu", phone="0812").registration
    assert quizzes.start_attempt(quiz, guest).created  # guests may, unless members only
    quizzes.set_up(event, by=coordinator, time_limit_minutes=10, members_only=True)
    quiz.refresh_from_db()
    other = services.register(event, name="Tamu Dua", phone="0813").registration
    with pytest.raises(errors.QuizMembersOnlyError):
        quizzes.start_attempt(quiz, other)
    cancelled = registered(event, make_member, "Eka")
    services.cancel_registration(cancelled)
    cancelled.refresh_from_db()
    with pytest.raises(errors.QuizNotAllowedError):
        quizzes.start_attempt(quiz, cancelled)
    with pytest.raises(PermissionDeniedError):
        quizzes.set_up(event, by=librarian)
    with pytest.raises(PermissionDeniedError):
        quizzes.save_question(quiz, by=librarian, text="x", kind="short", accepted=["y"])
    quizzes.set_up(
        event,
        by=coordinator,
        opens_at=timezone.now() + dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(hours=2),
    )
    quiz.refresh_from_db()
    with pytest.raises(errors.QuizNotOpenError):
        quizzes.start_attempt(quiz, registered(event, make_member, "Fajar"))


def test_bad_input_is_refused_and_changes_nothing(quiz, make_member, make_event, coordinator):
    capital, islands, author = quizzes.question_set(quiz)
    rina = registered(quiz.event, make_member)
    budi = registered(quiz.event, make_member, "Budi")
    attempt = quizzes.start_attempt(quiz, rina).attempt
    # A choice of another question.
    with pytest.raises(errors.QuizAnswerInvalidError):
        quizzes.submit_attempt(
            attempt, registration=rina, answers={str(capital.pk): right(islands)}
        )
    # Two choices for a one-choice question, a question of another quiz, garbage.
    with pytest.raises(errors.QuizAnswerInvalidError):
        quizzes.submit_attempt(
            attempt, registration=rina, answers={str(capital.pk): right(capital) + wrong(capital)}
        )
    with pytest.raises(errors.QuizAnswerInvalidError):
        quizzes.submit_attempt(attempt, registration=rina, answers={"999999": ["1"]})
    with pytest.raises(errors.QuizAnswerInvalidError):
        quizzes.submit_attempt(attempt, registration=rina, answers={str(capital.pk): ["abc"]})
    # Someone else's attempt (a forged id).
    with pytest.raises(errors.QuizAttemptUnknownError):
        quizzes.submit_attempt(attempt, registration=budi, answers={})
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.answers == {}
    # The coordinator's bad questions.
    with pytest.raises(errors.QuizQuestionInvalidError):
        quizzes.save_question(
            quiz, by=coordinator, text="?", kind="single", choices=[("a", True), ("b", True)]
        )
    with pytest.raises(errors.QuizQuestionInvalidError):
        quizzes.save_question(quiz, by=coordinator, text="?", kind="short")
    with pytest.raises(errors.NotAQuizError):
        quizzes.set_up(make_event(kind="workshop"), by=coordinator)
    assert len(quizzes.question_set(quiz)) == 3


def test_answers_after_the_quiz_closes_are_shown_then(quiz, make_member, coordinator):
    quizzes.set_up(quiz.event, by=coordinator, answers_shown="after_close")
    quiz.refresh_from_db()
    assert not quizzes.results_visible(quiz)
    assert quizzes.results_visible(quiz, at=quiz.closes)


# ---------------------------------------------------------------------------------------------
# Pages


def test_a_member_takes_the_quiz_on_the_web_and_sees_the_right_answers(quiz, member, make_user, en):
    capital, islands, author = quizzes.question_set(quiz)
    user = make_user("rina")
    member.user = user
    member.save()
    registration = services.register(quiz.event, member=member).registration
    en.force_login(user)
    response = en.get(reverse("events:quiz", args=[quiz.event.pk]))
    token = selectors.registration_token(registration)
    page = reverse("events:registration-quiz", args=[token])
    assert response.status_code == 302 and response.url == page
    assert "Start the quiz" in en.get(page).content.decode()
    en.post(reverse("events:registration-quiz-start", args=[token]), {"display_name": "Rina"})
    body = en.get(page).content.decode()
    assert "Answer before" in body and "Ibu kota Kalimantan Timur?" in body
    attempt = QuizAttempt.objects.get()
    url = reverse("events:registration-quiz-answer", args=[token, attempt.code])
    response = en.post(
        url,
        {
            f"q-{capital.pk}": right(capital),
            f"q-{islands.pk}": right(islands),
            f"q-{author.pk}": "Andrea Hirata",
            "action": "finish",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "10 of 10 points" in body and "right answer" in body and "Leaderboard" in body
    again = en.post(url, {"action": "finish"}, follow=True).content.decode()
    assert "already submitted" in again
    board = en.get(reverse("events:quiz-leaderboard", args=[quiz.event.pk])).content.decode()
    assert "Rina" in board and "10/10" in board


def test_a_forged_attempt_code_is_refused_on_the_web(quiz, make_member, en):
    rina = registered(quiz.event, make_member)
    budi = registered(quiz.event, make_member, "Budi")
    attempt = quizzes.start_attempt(quiz, rina).attempt
    token = selectors.registration_token(budi)
    url = reverse("events:registration-quiz-answer", args=[token, attempt.code])
    body = en.post(url, {"action": "finish"}, follow=True).content.decode()
    assert "not yours" in body
    assert (
        en.post(reverse("events:registration-quiz-answer", args=[token, "nope"])).status_code == 404
    )
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_the_coordinator_builds_the_question_set(quiz_event, coordinator, librarian, en):
    en.force_login(librarian)
    assert en.get(reverse("events:staff-quiz", args=[quiz_event.pk])).status_code == 403
    en.force_login(coordinator)
    url = reverse("events:staff-quiz", args=[quiz_event.pk])
    response = en.post(
        url,
        {
            "quiz-time_limit_minutes": "5",
            "quiz-attempts_allowed": "1",
            "quiz-layout": "one_per_page",
            "quiz-answers_shown": "after_submit",
        },
    )
    assert response.status_code == 302
    new = reverse("events:staff-quiz-question-new", args=[quiz_event.pk])
    response = en.post(
        new,
        {
            "new-text": "Ibu kota Kalimantan Timur?",
            "new-kind": "single",
            "new-points": "2",
            "new-choices": "Balikpapan\n*Samarinda\nTenggarong",
        },
    )
    assert response.status_code == 302
    refused = en.post(
        new,
        {
            "new-text": "Dua benar?",
            "new-kind": "single",
            "new-points": "1",
            "new-choices": "*a\n*b",
        },
    )
    assert refused.status_code == 400 and "exactly one choice" in refused.content.decode()
    body = en.get(url).content.decode()
    assert "Samarinda" in body and "Edit question 1" in body
    quiz = quizzes.quiz_of(quiz_event)
    assert quiz.time_limit_minutes == 5 and len(quizzes.question_set(quiz)) == 1


def test_one_question_per_page_keeps_answers_until_the_last_page(
    quiz, make_member, coordinator, en
):
    quizzes.set_up(quiz.event, by=coordinator, time_limit_minutes=10, layout="one_per_page")
    capital, islands, author = quizzes.question_set(quiz)
    guest = services.register(quiz.event, name="Ahmad Fauzi", phone="0812 5501 2233").registration
    token = selectors.registration_token(guest)
    page = reverse("events:registration-quiz", args=[token])
    en.post(reverse("events:registration-quiz-start", args=[token]))
    attempt = QuizAttempt.objects.get()
    url = reverse("events:registration-quiz-answer", args=[token, attempt.code])
    first = en.get(page).content.decode()
    assert "Question 1 of 3" in first and "Pulau besar" not in first
    response = en.post(url, {"q": "1", "action": "next", f"q-{capital.pk}": right(capital)})
    assert response.url == f"{page}?q=2"
    second = en.get(response.url).content.decode()
    assert "Question 2 of 3" in second and "Pulau besar" in second
    en.post(url, {"q": "2", "action": "next", f"q-{islands.pk}": wrong(islands)})
    back = en.get(f"{page}?q=1").content.decode()
    assert f'value="{right(capital)[0]}" checked' in back  # the saved answer is shown again
    en.post(url, {"q": "3", "action": "finish", f"q-{author.pk}": "Andrea Hirata"})
    attempt.refresh_from_db()
    assert attempt.score == 2 + 5 and attempt.submitted_at is not None
