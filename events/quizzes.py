"""Quizzes (kuis online): the coordinator's question set, people registered for the event
taking it (timed or not, one attempt unless more are allowed), scoring on submit and the
leaderboard.

The server's deadline is what counts: an attempt's `deadline` is fixed when it starts (the time
limit, never after the quiz closes); answers arriving after it plus a few seconds of grace are
refused, and the answers saved before it are scored. Every change to an attempt locks its
registration row (`locks.registration_for_update`), so a double submit is scored once and two
starts make one attempt."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import audit
from core.permissions import require
from events import errors
from events.locks import registration_for_update
from events.models import (
    Event,
    EventKind,
    QuestionKind,
    Quiz,
    QuizAnswersShown,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
    Registration,
)
from events.states import RegistrationState

S = RegistrationState
MANAGE = "events.change_event"
# Seconds an answer may arrive after the deadline (the phone's link, the page submitting).
GRACE_SECONDS = 5
TAKERS = (S.CONFIRMED, S.OFFERED, S.ATTENDED)

audit.register_actions(
    {
        "event.quiz": _("Set up a quiz"),
        "event.quiz_question": _("Changed a quiz question"),
        "event.quiz_question_delete": _("Deleted a quiz question"),
    }
)


# ---------------------------------------------------------------------------------------------
# The coordinator


@transaction.atomic
def set_up(
    event: Event,
    *,
    by,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    time_limit_minutes: int | None = None,
    attempts_allowed: int = 1,
    layout: str = "one_page",
    answers_shown: str = QuizAnswersShown.AFTER_SUBMIT,
    members_only: bool = False,
) -> Quiz:
    """Create or change the quiz of an event of the kind quiz. Empty times: the event's."""
    require(by, MANAGE)
    if event.kind != EventKind.QUIZ:
        raise errors.NotAQuizError()
    if (opens_at or event.starts_at) >= (closes_at or event.ends_at):
        raise errors.QuizTimesError()
    quiz, _created = Quiz.objects.update_or_create(
        event=event,
        defaults={
            "opens_at": opens_at,
            "closes_at": closes_at,
            "time_limit_minutes": time_limit_minutes or None,
            "attempts_allowed": max(1, min(20, int(attempts_allowed or 1))),
            "layout": layout,
            "answers_shown": answers_shown,
            "members_only": members_only,
        },
    )
    audit.record("event.quiz", actor=by, subject=event)
    return quiz


def _check_question(kind: str, choices: list[tuple[str, bool]], accepted: list[str]) -> None:
    right = sum(1 for _text, is_right in choices if is_right)
    if kind == QuestionKind.SHORT:
        if not accepted:
            raise errors.QuizQuestionInvalidError(
                gettext("A short-answer question needs at least one accepted answer.")
            )
        return
    if len(choices) < 2:
        raise errors.QuizQuestionInvalidError(gettext("Give at least two choices."))
    if kind == QuestionKind.SINGLE and right != 1:
        raise errors.QuizQuestionInvalidError(
            gettext("Mark exactly one choice as right (start its line with *).")
        )
    if kind == QuestionKind.MULTIPLE and right < 1:
        raise errors.QuizQuestionInvalidError(
            gettext("Mark at least one choice as right (start its line with *).")
        )


@transaction.atomic
def save_question(
    quiz: Quiz,
    *,
    by,
    text: str,
    kind: str,
    points: int = 1,
    choices: list[tuple[str, bool]] = (),
    accepted: list[str] = (),
    question: QuizQuestion | None = None,
) -> QuizQuestion:
    """Add a question (or change `question`). Choices (text, right) keep their ids by text, so
    answers already given still point at them; scores already given do not change."""
    require(by, MANAGE)
    text = (text or "").strip()[:2000]
    choices = [(" ".join(t.split())[:300], bool(r)) for t, r in choices if t and t.strip()]
    accepted = [" ".join(a.split())[:200] for a in accepted if a and a.strip()]
    if not text:
        raise errors.QuizQuestionInvalidError(gettext("Write the question."))
    if kind not in QuestionKind.values:
        raise errors.QuizQuestionInvalidError()
    _check_question(kind, choices, accepted)
    if question is None:
        position = quiz.questions.count()
        question = QuizQuestion(quiz=quiz, position=position)
    elif question.quiz_id != quiz.pk:
        raise errors.QuizAnswerInvalidError()
    question.text, question.kind = text, kind
    question.points = max(1, min(100, int(points or 1)))
    question.accepted_answers = "\n".join(accepted) if kind == QuestionKind.SHORT else ""
    question.save()
    if kind == QuestionKind.SHORT:
        question.choices.all().delete()
    else:
        existing = {c.text: c for c in question.choices.all()}
        keep = []
        for position, (choice_text, is_right) in enumerate(choices):
            choice = existing.get(choice_text) or QuizChoice(question=question, text=choice_text)
            choice.is_right, choice.position = is_right, position
            choice.save()
            keep.append(choice.pk)
        question.choices.exclude(pk__in=keep).delete()
    audit.record("event.quiz_question", actor=by, subject=quiz.event)
    return question


@transaction.atomic
def delete_question(question: QuizQuestion, *, by) -> None:
    require(by, MANAGE)
    event = question.quiz.event
    question.delete()
    audit.record("event.quiz_question_delete", actor=by, subject=event)


# ---------------------------------------------------------------------------------------------
# Taking the quiz


def abbreviated(name: str) -> str:
    """'Rina Wulandari Putri' → 'Rina W. P.': the leaderboard's default, for privacy."""
    words = (name or "").split()
    if not words:
        return "?"
    return " ".join([words[0][:20]] + [f"{w[0]}." for w in words[1:3]])


def _clean_display_name(value: str, registration: Registration) -> str:
    value = " ".join((value or "").split())[:40]
    return value or abbreviated(registration.name)


def question_set(quiz: Quiz) -> list[QuizQuestion]:
    return list(quiz.questions.prefetch_related("choices"))


def attempts_of(quiz: Quiz, registration: Registration):
    """The registration's attempts; for a member also those of their earlier registrations."""
    if registration.member_id:
        return QuizAttempt.objects.filter(quiz=quiz, member_id=registration.member_id)
    return QuizAttempt.objects.filter(quiz=quiz, registration=registration)


def _expired(attempt: QuizAttempt, at: dt.datetime) -> bool:
    return attempt.deadline is not None and at > attempt.deadline + dt.timedelta(
        seconds=GRACE_SECONDS
    )


def _can_take(quiz: Quiz, registration: Registration, at: dt.datetime) -> None:
    if registration.event_id != quiz.event_id or registration.state not in TAKERS:
        raise errors.QuizNotAllowedError()
    if quiz.members_only and registration.member_id is None:
        raise errors.QuizMembersOnlyError()
    if at < quiz.opens:
        local = timezone.localtime(quiz.opens)
        raise errors.QuizNotOpenError(
            day=date_format(local, "j F Y"), time=time_format(local, "H.i")
        )
    if at >= quiz.closes:
        raise errors.QuizClosedError()


@dataclass(frozen=True)
class Started:
    attempt: QuizAttempt
    created: bool = True


def start_attempt(
    quiz: Quiz, registration: Registration, *, display_name: str = "", at=None
) -> Started:
    """Start an attempt (or return the one already running: a second start, a reload). Its
    deadline is fixed now: the time limit from now, never after the quiz closes."""
    at = at or timezone.now()
    if not quiz.questions.exists():
        raise errors.QuizEmptyError()
    with transaction.atomic():
        registration = registration_for_update(registration.pk)
        _can_take(quiz, registration, at)
        mine = attempts_of(quiz, registration)
        running = registration.quiz_attempts.filter(quiz=quiz, submitted_at__isnull=True).first()
        if running is not None:
            if not _expired(running, at):
                return Started(running, created=False)
            _finish(running, at=running.deadline)  # ran out unseen: scored as it stands
        used = mine.count()
        if used >= quiz.attempts_allowed:
            raise errors.QuizAttemptsUsedError()
        deadline = quiz.closes
        if quiz.time_limit_minutes:
            deadline = min(deadline, at + dt.timedelta(minutes=quiz.time_limit_minutes))
        last = registration.quiz_attempts.filter(quiz=quiz).order_by("-number").first()
        attempt = QuizAttempt.objects.create(
            quiz=quiz,
            registration=registration,
            member_id=registration.member_id,
            number=(last.number + 1) if last else 1,
            display_name=_clean_display_name(display_name, registration),
            started_at=at,
            deadline=deadline,
            max_score=sum(q.points for q in quiz.questions.all()),
        )
        return Started(attempt)


def _clean_answers(questions: list[QuizQuestion], answers: dict) -> dict[str, object]:
    """Answers by question id: a list of choice ids (single: at most one) or a short text.
    A question not in this quiz, or a choice of another question, is refused."""
    by_id = {str(q.pk): q for q in questions}
    clean: dict[str, object] = {}
    for key, value in (answers or {}).items():
        question = by_id.get(str(key))
        if question is None:
            raise errors.QuizAnswerInvalidError()
        if question.kind == QuestionKind.SHORT:
            if isinstance(value, list | tuple):
                value = value[0] if value else ""
            if not isinstance(value, str | int):
                raise errors.QuizAnswerInvalidError()
            text = " ".join(str(value).split())[:200]
            if text:
                clean[str(question.pk)] = text
            continue
        values = value if isinstance(value, list | tuple) else [value]
        allowed = {c.pk for c in question.choices.all()}
        chosen = []
        for item in values:
            if item in ("", None):
                continue
            try:
                pk = int(item)
            except (TypeError, ValueError):
                raise errors.QuizAnswerInvalidError() from None
            if pk not in allowed:
                raise errors.QuizAnswerInvalidError()
            if pk not in chosen:
                chosen.append(pk)
        if question.kind == QuestionKind.SINGLE and len(chosen) > 1:
            raise errors.QuizAnswerInvalidError()
        if chosen:
            clean[str(question.pk)] = sorted(chosen)
    return clean


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def is_right(question: QuizQuestion, answer) -> bool:
    if answer in (None, "", []):
        return False
    if question.kind == QuestionKind.SHORT:
        return _normal(str(answer)) in {_normal(a) for a in question.accepted}
    right = {c.pk for c in question.choices.all() if c.is_right}
    return set(answer) == right  # every right choice and nothing else


def _finish(attempt: QuizAttempt, *, at: dt.datetime) -> QuizAttempt:
    questions = question_set(attempt.quiz)
    points = {}
    for question in questions:
        answer = attempt.answers.get(str(question.pk))
        points[str(question.pk)] = question.points if is_right(question, answer) else 0
    attempt.points = points
    attempt.score = sum(points.values())
    attempt.max_score = sum(q.points for q in questions)
    attempt.submitted_at = at
    attempt.save(update_fields=["points", "score", "max_score", "submitted_at"])
    return attempt


@dataclass(frozen=True)
class Submitted:
    attempt: QuizAttempt
    already: bool = False


def _locked_attempt(attempt: QuizAttempt, registration: Registration) -> QuizAttempt:
    if attempt.registration_id != registration.pk:
        raise errors.QuizAttemptUnknownError()
    registration_for_update(registration.pk)
    return QuizAttempt.objects.select_related("quiz", "quiz__event").get(pk=attempt.pk)


def save_answers(
    attempt: QuizAttempt, *, registration: Registration, answers: dict, at=None
) -> QuizAttempt:
    """Keep some answers without submitting (one question per page). After the deadline the
    attempt is closed with what was saved before it, and the late answers are refused."""
    at = at or timezone.now()
    expired = False
    with transaction.atomic():
        attempt = _locked_attempt(attempt, registration)
        if attempt.submitted_at is not None:
            return attempt
        clean = _clean_answers(question_set(attempt.quiz), answers)
        if _expired(attempt, at):
            _finish(attempt, at=attempt.deadline)
            expired = True
        else:
            attempt.answers = {**attempt.answers, **clean}
            attempt.save(update_fields=["answers"])
    if expired:
        raise errors.QuizTimeUpError(time=_deadline_text(attempt))
    return attempt


def submit_attempt(
    attempt: QuizAttempt, *, registration: Registration, answers: dict | None = None, at=None
) -> Submitted:
    """Submit the answers (added to those saved) and score the attempt. A second submit
    changes nothing and returns the first result. Late: refused, what was saved is scored."""
    at = at or timezone.now()
    expired = False
    with transaction.atomic():
        attempt = _locked_attempt(attempt, registration)
        if attempt.submitted_at is not None:
            return Submitted(attempt, already=True)
        clean = _clean_answers(question_set(attempt.quiz), answers or {})
        if _expired(attempt, at):
            _finish(attempt, at=attempt.deadline)
            expired = True
        else:
            attempt.answers = {**attempt.answers, **clean}
            attempt.save(update_fields=["answers"])
            _finish(attempt, at=at)
    if expired:
        raise errors.QuizTimeUpError(time=_deadline_text(attempt))
    return Submitted(attempt)


def close_expired(attempt: QuizAttempt, *, at=None) -> QuizAttempt:
    """An attempt whose time ran out without a submit (the page closed) is scored as it
    stands, at its deadline. Anything else is left alone."""
    at = at or timezone.now()
    if attempt.submitted_at is not None or not _expired(attempt, at):
        return attempt
    with transaction.atomic():
        registration_for_update(attempt.registration_id)
        attempt = QuizAttempt.objects.select_related("quiz", "quiz__event").get(pk=attempt.pk)
        if attempt.submitted_at is None:
            _finish(attempt, at=attempt.deadline)
    return attempt


def _deadline_text(attempt: QuizAttempt) -> str:
    return time_format(timezone.localtime(attempt.deadline), "H.i.s")


# ---------------------------------------------------------------------------------------------
# Reading


def results_visible(quiz: Quiz, *, at=None) -> bool:
    """Scores, right answers and the leaderboard: right after submitting, or once closed."""
    at = at or timezone.now()
    return quiz.answers_shown == QuizAnswersShown.AFTER_SUBMIT or at >= quiz.closes


@dataclass(frozen=True)
class Review:
    question: QuizQuestion
    answer: object
    right: bool
    points: int
    chosen: frozenset[int]


def review(attempt: QuizAttempt) -> list[Review]:
    """Each question with the answer given, whether it was right and the points earned."""
    rows = []
    for question in question_set(attempt.quiz):
        answer = attempt.answers.get(str(question.pk))
        chosen = frozenset(answer) if isinstance(answer, list) else frozenset()
        rows.append(
            Review(
                question,
                answer,
                is_right(question, answer),
                int(attempt.points.get(str(question.pk), 0)),
                chosen,
            )
        )
    return rows


@dataclass(frozen=True)
class Leader:
    place: int
    name: str
    score: int
    max_score: int
    seconds: int
    attempt_id: int
    registration_id: int


def leaderboard(quiz: Quiz) -> list[Leader]:
    """Each person's best submitted attempt: highest score, then the shortest time taken;
    equal score and time share a place. Names as the person chose, or abbreviated."""
    best: dict[object, QuizAttempt] = {}
    attempts = quiz.attempts.filter(submitted_at__isnull=False).only(
        "pk",
        "registration_id",
        "member_id",
        "display_name",
        "score",
        "max_score",
        "started_at",
        "submitted_at",
    )
    for attempt in attempts:
        person = ("m", attempt.member_id) if attempt.member_id else ("r", attempt.registration_id)
        current = best.get(person)
        if current is None or (-attempt.score, attempt.seconds_taken) < (
            -current.score,
            current.seconds_taken,
        ):
            best[person] = attempt
    ordered = sorted(best.values(), key=lambda a: (-a.score, a.seconds_taken, a.pk))
    rows, place, previous = [], 0, None
    for index, attempt in enumerate(ordered, start=1):
        key = (attempt.score, attempt.seconds_taken)
        if key != previous:
            place, previous = index, key
        rows.append(
            Leader(
                place,
                attempt.display_name,
                attempt.score,
                attempt.max_score,
                attempt.seconds_taken or 0,
                attempt.pk,
                attempt.registration_id,
            )
        )
    return rows


def quiz_of(event: Event) -> Quiz | None:
    return Quiz.objects.select_related("event").filter(event=event).first()
