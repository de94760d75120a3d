"""Quizzes on the web: the coordinator's question set (staff), taking the quiz from the
registration's private page (members and registered guests, on a phone), the leaderboard."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import member_required, staff_required
from core.errors import DomainError
from events import quizzes, selectors
from events.forms import QuizForm, QuizQuestionForm, QuizStartForm
from events.models import Event, QuizAttempt, QuizLayout, QuizQuestion
from events.views import _registration_or_404
from patrons.selectors import member_for_user

LEADERBOARD_ROWS = 100


# ---------------------------------------------------------------------------------------------
# Taking the quiz


@member_required
def member_quiz(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in member's way in: their registration's quiz page (or registering first)."""
    event = get_object_or_404(Event, pk=pk)
    member = member_for_user(request.user)
    registration = None
    if member is not None:
        registration = (
            selectors.registrations_of_member(member)
            .filter(event=event, state__in=quizzes.TAKERS)
            .first()
        )
    if registration is None:
        messages.info(request, _("Register for the event first; then you can take the quiz."))
        return redirect("events:detail", pk=pk)
    token = selectors.registration_token(registration)
    return redirect("events:registration-quiz", token=token)


def _answers_from(request: HttpRequest) -> dict[str, list[str]]:
    return {k[2:]: request.POST.getlist(k) for k in request.POST if k.startswith("q-")}


def registration_quiz(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    event = registration.event
    quiz = quizzes.quiz_of(event)
    if quiz is None:
        raise Http404
    now = timezone.now()
    attempts = list(quizzes.attempts_of(quiz, registration).order_by("number", "pk"))
    running = next(
        (a for a in attempts if a.submitted_at is None and a.registration_id == registration.pk),
        None,
    )
    if running is not None and quizzes.close_expired(running, at=now).submitted_at:
        messages.error(request, _("Time ran out: your attempt was scored as it was saved."))
        return redirect(request.path)
    questions = quizzes.question_set(quiz)
    done = [a for a in attempts if a.submitted_at is not None]
    latest = done[-1] if done else None
    visible = quizzes.results_visible(quiz, at=now)
    context = {
        "registration": registration,
        "event": event,
        "quiz": quiz,
        "token": token,
        "running": running,
        "done": done,
        "latest": latest,
        "visible": visible,
        "review": quizzes.review(latest) if latest and visible else [],
        "can_start": running is None
        and len(attempts) < quiz.attempts_allowed
        and quiz.opens <= now < quiz.closes
        and registration.state in quizzes.TAKERS
        and not (quiz.members_only and registration.member_id is None)
        and bool(questions),
        "not_yet": now < quiz.opens,
        "closed": now >= quiz.closes,
        "start_form": QuizStartForm(),
        "now": now,
        "leaderboard": quizzes.leaderboard(quiz)[:10] if visible else [],
    }
    if running is not None:
        if quiz.layout == QuizLayout.ONE_PER_PAGE and questions:
            try:
                index = min(max(int(request.GET.get("q", 1)), 1), len(questions))
            except ValueError:
                index = 1
            context["page_questions"] = [questions[index - 1]]
            context["index"], context["total"] = index, len(questions)
        else:
            context["page_questions"] = questions
        for question in context["page_questions"]:
            default = "" if question.kind == "short" else []
            question.given = running.answers.get(str(question.pk), default)
    return render(request, "events/quiz_take.html", context)


@require_POST
def registration_quiz_start(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    quiz = quizzes.quiz_of(registration.event)
    if quiz is None:
        raise Http404
    form = QuizStartForm(request.POST)
    name = form.cleaned_data["display_name"] if form.is_valid() else ""
    try:
        quizzes.start_attempt(quiz, registration, display_name=name)
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("events:registration-quiz", token=token)


@require_POST
def registration_quiz_answer(request: HttpRequest, token: str, code: str) -> HttpResponse:
    """Answers of one page: kept (next / previous question) or submitted and scored."""
    registration = _registration_or_404(token)
    attempt = QuizAttempt.objects.filter(code=code[:24]).first()
    if attempt is None:
        raise Http404
    action = request.POST.get("action", "finish")
    url = reverse("events:registration-quiz", args=[token])
    try:
        if action in ("next", "previous"):
            quizzes.save_answers(attempt, registration=registration, answers=_answers_from(request))
            try:
                index = int(request.POST.get("q", 1)) + (1 if action == "next" else -1)
            except ValueError:
                index = 1
            return redirect(f"{url}?q={max(index, 1)}")
        result = quizzes.submit_attempt(
            attempt, registration=registration, answers=_answers_from(request)
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(url)
    if result.already:
        messages.info(request, _("These answers were already submitted; they count once."))
    else:
        messages.success(request, _("Your answers are submitted."))
    return redirect(url)


def leaderboard(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.public_event(pk)
    quiz = quizzes.quiz_of(event) if event is not None else None
    if quiz is None:
        raise Http404
    visible = quizzes.results_visible(quiz)
    rows = quizzes.leaderboard(quiz)[:LEADERBOARD_ROWS] if visible else []
    return render(
        request,
        "events/quiz_leaderboard.html",
        {"event": event, "quiz": quiz, "rows": rows, "visible": visible},
    )


# ---------------------------------------------------------------------------------------------
# The coordinator


def _quiz_initial(quiz) -> dict:
    if quiz is None:
        return {"attempts_allowed": 1, "layout": "one_page", "answers_shown": "after_submit"}
    local = timezone.localtime
    return {
        "opens_at": local(quiz.opens_at) if quiz.opens_at else None,
        "closes_at": local(quiz.closes_at) if quiz.closes_at else None,
        "time_limit_minutes": quiz.time_limit_minutes,
        "attempts_allowed": quiz.attempts_allowed,
        "layout": quiz.layout,
        "answers_shown": quiz.answers_shown,
        "members_only": quiz.members_only,
    }


@staff_required("events.change_event")
def staff_quiz(request: HttpRequest, pk: int) -> HttpResponse:
    """The quiz's rules, its questions (each editable) and a form to add one; the
    leaderboard so far."""
    event = get_object_or_404(Event, pk=pk)
    quiz = quizzes.quiz_of(event)
    form = QuizForm(request.POST or None, initial=_quiz_initial(quiz), prefix="quiz")
    if request.method == "POST" and form.is_valid():
        try:
            quizzes.set_up(event, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The quiz is saved."))
            return redirect("events:staff-quiz", pk=pk)
    context = {
        "event": event,
        "quiz": quiz,
        "form": form,
        "questions": quizzes.question_set(quiz) if quiz else [],
        "question_form": QuizQuestionForm(prefix="new"),
        "leaderboard": quizzes.leaderboard(quiz)[:LEADERBOARD_ROWS] if quiz else [],
    }
    return render(request, "events/staff_quiz.html", context, status=400 if form.errors else 200)


@staff_required("events.change_event")
def staff_quiz_question(request: HttpRequest, pk: int, question_pk: int | None = None):
    """Add a question (POST from the quiz page) or change one (its own page)."""
    event = get_object_or_404(Event, pk=pk)
    quiz = quizzes.quiz_of(event)
    if quiz is None:
        raise Http404
    question = None
    initial = {"points": 1, "kind": "single"}
    if question_pk is not None:
        question = get_object_or_404(QuizQuestion, pk=question_pk, quiz=quiz)
        initial = {
            "text": question.text,
            "kind": question.kind,
            "points": question.points,
            "choices": "\n".join(
                ("*" if c.is_right else "") + c.text for c in question.choices.all()
            ),
            "accepted": question.accepted_answers,
        }
    prefix = "new" if question is None else "question"
    form = QuizQuestionForm(request.POST or None, initial=initial, prefix=prefix)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            quizzes.save_question(
                quiz,
                by=request.user,
                question=question,
                text=data["text"],
                kind=data["kind"],
                points=data["points"],
                choices=data["choices"],
                accepted=data["accepted"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The question is saved."))
            return redirect(reverse("events:staff-quiz", args=[pk]) + "#questions-title")
    return render(
        request,
        "events/staff_quiz_question.html",
        {"event": event, "quiz": quiz, "question": question, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@staff_required("events.change_event")
def staff_quiz_question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_object_or_404(QuizQuestion, pk=question_pk, quiz__event_id=pk)
    quizzes.delete_question(question, by=request.user)
    messages.success(request, _("The question is deleted."))
    return redirect("events:staff-quiz", pk=pk)
