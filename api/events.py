"""Programmes and events for the phone app: the public calendar (with the web's filters), one
event, and for a signed-in member: register, cancel, and their registrations with the QR code
shown at the door.

The calendar and an event need no token; the rest a bearer token of a member. Changes go
through events.services (the same rules as the web: capacity, waiting list, deadlines); a
refused one answers 409 with the rule's stable `code` and a `message` in the user's language
(Accept-Language)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import BeforeValidator

from api.account import BranchRefOut, my_member
from api.auth import token_auth
from api.schemas import ErrorOut, refused
from core.errors import DomainError
from core.models import Branch
from events import qr, selectors, services
from events.models import Audience, Event, EventKind, EventStatus, Registration
from events.states import RegistrationState

events_router = Router(tags=["events"])

MAX_ID = 2**63 - 1
AUTH_ERRORS = {401: ErrorOut, 403: ErrorOut}
S = RegistrationState


# ---------------------------------------------------------------------------------------------
# Schemas


class SpeakerOut(Schema):
    name: str
    organisation: str
    bio: str


class QuestionOut(Schema):
    id: int
    label: str
    required: bool


class EventOut(Schema):
    id: int
    title: str
    kind: str = Field(description="book_discussion, workshop, seminar, training, screening, …")
    kind_label: str
    audience: str
    audience_label: str
    age_min: int | None
    age_max: int | None
    language: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    branch: BranchRefOut
    place: str
    online: bool = Field(description="Online (the link is given to people registered).")
    capacity: int | None = Field(description="Seats; null for no limit.")
    seats_left: int | None = Field(description="Free seats now; null for no limit.")
    waiting: int = Field(description="People on the waiting list.")
    cost: int = Field(description="In Rupiah; 0 is free.")
    registration_required: bool
    registration_open: bool
    registration_closes_at: dt.datetime
    max_group_size: int
    status: str = Field(description="published or cancelled.")
    tags: list[str]
    series_id: int | None
    url: str = Field(description="The event's page on the web site.")


class EventDetailOut(EventOut):
    description: str
    accessibility: str
    speakers: list[SpeakerOut]
    partners: list[str]
    questions: list[QuestionOut]
    image_url: str | None
    image_alt: str


class CalendarOut(Schema):
    count: int = Field(description="Events in this answer (at most `limit`).")
    events: list[EventOut]


class RegisterIn(Schema):
    seats: int = Field(1, ge=1, le=1000, description="People coming (a teacher with a class).")
    group_name: str = Field("", max_length=200)
    answers: dict[str, str] = Field(
        default_factory=dict, description="Answers to the event's questions, by question id."
    )


class RegistrationOut(Schema):
    id: int
    event: EventOut
    state: str = Field(description="confirmed, waitlisted, offered, attended, cancelled, expired.")
    state_label: str
    seats: int
    group_name: str
    waitlist_position: int | None = Field(description="Place on the waiting list now.")
    offer_expires_at: dt.datetime | None = Field(description="Confirm an offered seat before.")
    qr_payload: str | None = Field(description="What the door scans; null without a seat.")
    qr_svg: str | None = Field(description="The QR code as SVG; null without a seat.")
    online_url: str | None = Field(description="The online link, for a held seat.")
    certificate_code: str | None = Field(description="The certificate's verification code.")
    page_url: str = Field(description="The registration's private page on the web site.")


class RegisteredOut(Schema):
    created: bool
    message: str
    registration: RegistrationOut


# ---------------------------------------------------------------------------------------------
# Shaping


def _abs(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _event_out(request: HttpRequest, event: Event, counts=None) -> dict:
    from django.urls import reverse
    from django.utils import timezone

    counts = counts or selectors.event_counts(event)
    now = timezone.now()
    return {
        "id": event.pk,
        "title": event.title,
        "kind": event.kind,
        "kind_label": event.get_kind_display(),
        "audience": event.audience,
        "audience_label": event.get_audience_display(),
        "age_min": event.age_min,
        "age_max": event.age_max,
        "language": event.language,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "branch": BranchRefOut(id=event.branch.pk, code=event.branch.code, name=event.branch.name),
        "place": event.venue,
        "online": event.is_online,
        "capacity": event.capacity,
        "seats_left": counts.free,
        "waiting": counts.waitlisted,
        "cost": event.cost,
        "registration_required": event.registration_required,
        "registration_open": event.status == EventStatus.PUBLISHED
        and event.registration_required
        and now < event.closes_at,
        "registration_closes_at": event.closes_at,
        "max_group_size": event.max_group_size,
        "status": event.status,
        "tags": event.tag_list,
        "series_id": event.series_id,
        "url": _abs(request, reverse("events:detail", args=[event.pk])),
    }


def _registration_out(request: HttpRequest, registration: Registration) -> RegistrationOut:
    from events.views import _position, registration_url

    holds_seat = registration.state in (S.CONFIRMED, S.ATTENDED)
    certificate = selectors.certificate_of_registration(registration)
    return RegistrationOut(
        id=registration.pk,
        event=EventOut(**_event_out(request, registration.event)),
        state=registration.state,
        state_label=registration.get_state_display(),
        seats=registration.seats,
        group_name=registration.group_name,
        waitlist_position=_position(registration),
        offer_expires_at=registration.offer_expires_at if registration.state == S.OFFERED else None,
        qr_payload=qr.payload(registration) if holds_seat else None,
        qr_svg=str(qr.registration_svg(registration)) if holds_seat else None,
        online_url=(registration.event.online_url or None) if holds_seat else None,
        certificate_code=certificate.code if certificate else None,
        page_url=_abs(request, registration_url(registration)),
    )


def _no_event() -> Status:
    return Status(
        404, ErrorOut(code="event_not_found", message=_("There is no event with that number."))
    )


# ---------------------------------------------------------------------------------------------
# Public


def _iso_day(value):
    """Only YYYY-MM-DD (pydantic alone would take `0` as a Unix time)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a day as YYYY-MM-DD")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_day)]


class CalendarFilters(Schema):
    kind: EventKind | None = Field(None, description="One kind of event.")
    audience: Audience | None = Field(None, description="One audience.")
    branch: str | None = Field(None, max_length=20, description="A branch code.")
    date_from: Day | None = Field(
        None, alias="from", description="From this day (default: events not yet over)."
    )
    date_to: Day | None = Field(None, alias="to", description="Up to and including this day.")
    limit: int = Field(100, ge=1, le=500)


@events_router.get(
    "",
    response={200: CalendarOut, 404: ErrorOut, 422: ErrorOut},
    summary="The events calendar, with filters",
    description=(
        "Published events, soonest first: those not yet over, or those overlapping the days "
        "`from`–`to`. An unknown branch code answers 404 `unknown_branch`."
    ),
)
def calendar(request: HttpRequest, filters: Query[CalendarFilters]):
    branch = None
    if filters.branch:
        branch = Branch.objects.filter(code=filters.branch).first()
        if branch is None:
            return Status(
                404,
                ErrorOut(
                    code="unknown_branch", message=_("The library has no branch with that code.")
                ),
            )
    events = selectors.calendar_events(
        kind=filters.kind or "",
        audience=filters.audience or "",
        branch=branch,
        start=filters.date_from,
        end=filters.date_to,
    )[: filters.limit]
    rows = [EventOut(**_event_out(request, event)) for event in events]
    return Status(200, CalendarOut(count=len(rows), events=rows))


@events_router.get(
    "/mine",
    auth=token_auth,
    response={200: list[RegistrationOut], **AUTH_ERRORS},
    summary="My registrations, latest event first, with the QR code for the door",
)
def my_registrations(request: HttpRequest, response: HttpResponse):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    rows = selectors.registrations_of_member(member)[:200]
    return Status(200, [_registration_out(request, r) for r in rows])


@events_router.get(
    "/{event_id}",
    response={200: EventDetailOut, 404: ErrorOut, 422: ErrorOut},
    summary="One event: description, speakers, partners, questions, seats",
)
def event(request: HttpRequest, event_id: int = Path(..., ge=1, le=MAX_ID)):
    found = selectors.public_event(event_id)
    if found is None:
        return _no_event()
    data = _event_out(request, found)
    return Status(
        200,
        EventDetailOut(
            **data,
            description=found.description,
            accessibility=found.accessibility,
            speakers=[
                SpeakerOut(name=s.name, organisation=s.organisation, bio=s.bio)
                for s in found.speakers.all()
            ],
            partners=[p.name for p in found.partners.all()],
            questions=[
                QuestionOut(id=q.pk, label=q.label, required=q.required)
                for q in found.questions.all()
            ],
            image_url=_abs(request, found.image.url) if found.image else None,
            image_alt=found.image_alt,
        ),
    )


# ---------------------------------------------------------------------------------------------
# A member's registrations


@events_router.post(
    "/{event_id}/registrations",
    auth=token_auth,
    response={
        200: RegisteredOut,
        201: RegisteredOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        **AUTH_ERRORS,
    },
    summary="Register for an event (confirmed, or on the waiting list when it is full)",
    description=(
        "201 with the new registration (state `confirmed` or `waitlisted`, told in `message`); "
        "200 when the member had already registered (nothing changes). 409 when a rule "
        "refuses: event_not_open, event_cancelled, registration_closed, group_too_large, "
        "answer_required."
    ),
)
def register(
    request: HttpRequest,
    response: HttpResponse,
    payload: RegisterIn,
    event_id: int = Path(..., ge=1, le=MAX_ID),
):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    found = selectors.public_event(event_id)
    if found is None:
        return _no_event()
    try:
        result = services.register(
            found,
            member=member,
            seats=payload.seats,
            group_name=payload.group_name,
            answers=payload.answers,
        )
    except DomainError as error:
        return refused(error)
    registration = Registration.objects.select_related("event", "event__branch").get(
        pk=result.registration.pk
    )
    if not result.created:
        message = _("You had already registered; here it is.")
    elif registration.state == S.WAITLISTED:
        message = _("The event is full: you are on the waiting list, number %(n)s.") % {
            "n": _position(registration)
        }
    else:
        message = _("You are registered. Show the QR code at the door.")
    return Status(
        201 if result.created else 200,
        RegisteredOut(
            created=result.created,
            message=message,
            registration=_registration_out(request, registration),
        ),
    )


def _position(registration: Registration) -> int | None:
    from events.views import _position as position

    return position(registration)


@events_router.delete(
    "/registrations/{registration_id}",
    auth=token_auth,
    response={200: RegistrationOut, 404: ErrorOut, 422: ErrorOut, **AUTH_ERRORS},
    summary="Cancel one of my registrations (the seat goes to the first person waiting)",
    description="Cancelling twice changes nothing. Another member's registration answers 404.",
)
def cancel(
    request: HttpRequest,
    response: HttpResponse,
    registration_id: int = Path(..., ge=1, le=MAX_ID),
):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    registration = selectors.registrations_of_member(member).filter(pk=registration_id).first()
    if registration is None:
        return Status(
            404,
            ErrorOut(
                code="registration_not_found",
                message=_("You have no registration with that number."),
            ),
        )
    services.cancel_registration(registration)
    registration = selectors.registrations_of_member(member).get(pk=registration_id)
    return Status(200, _registration_out(request, registration))


# ---------------------------------------------------------------------------------------------
# Quizzes


class QuizChoiceOut(Schema):
    id: int
    text: str


class QuizQuestionOut(Schema):
    id: int
    text: str
    kind: str = Field(description="single (one choice), multiple (every right choice), short.")
    points: int
    choices: list[QuizChoiceOut] = Field(description="Empty for a short-answer question.")


class QuizResultOut(Schema):
    question_id: int
    right: bool
    points: int
    right_choice_ids: list[int]
    accepted_answers: list[str]


class QuizAttemptOut(Schema):
    id: int
    number: int
    display_name: str = Field(description="The name shown on the leaderboard.")
    started_at: dt.datetime
    deadline: dt.datetime | None = Field(
        description="Answers must arrive before it (the server's clock decides)."
    )
    seconds_left: int | None = Field(description="Seconds to the deadline now; null once sent.")
    submitted_at: dt.datetime | None
    answers: dict[str, list[int] | str] = Field(description="Answers kept, by question id.")
    score: int | None = Field(description="Null until results are shown (see answers_shown).")
    max_score: int
    results: list[QuizResultOut] | None = Field(
        description="Each question right or wrong with the right answers, when shown."
    )


class QuizOut(Schema):
    event_id: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit_minutes: int | None
    attempts_allowed: int
    attempts_used: int
    layout: str = Field(description="one_page or one_per_page (a hint for the app).")
    answers_shown: str = Field(description="after_submit or after_close.")
    members_only: bool
    results_visible: bool
    questions: list[QuizQuestionOut] = Field(description="Empty until you start an attempt.")
    running: QuizAttemptOut | None = Field(description="The attempt in progress, if any.")
    attempts: list[QuizAttemptOut] = Field(description="Attempts already submitted.")


class QuizStartIn(Schema):
    display_name: str = Field(
        "", max_length=40, description="Name on the leaderboard; empty: first name and initials."
    )


class QuizSubmitIn(Schema):
    answers: dict[str, list[int] | str] = Field(
        default_factory=dict,
        description="By question id: a list of choice ids, or the text of a short answer.",
    )
    final: bool = Field(True, description="false: only keep these answers (one per page).")


class LeaderOut(Schema):
    place: int
    name: str
    score: int
    max_score: int
    seconds: int = Field(description="Time taken by the best attempt.")


class LeaderboardOut(Schema):
    event_id: int
    visible: bool = Field(description="false until the quiz closes when answers show then.")
    rows: list[LeaderOut]


def _attempt_out(attempt, *, visible: bool) -> QuizAttemptOut:
    from django.utils import timezone

    from events import quizzes

    shown = visible and attempt.submitted_at is not None
    results = None
    if shown:
        results = [
            QuizResultOut(
                question_id=row.question.pk,
                right=row.right,
                points=row.points,
                right_choice_ids=[c.pk for c in row.question.choices.all() if c.is_right],
                accepted_answers=row.question.accepted,
            )
            for row in quizzes.review(attempt)
        ]
    seconds_left = None
    if attempt.submitted_at is None and attempt.deadline is not None:
        seconds_left = max(0, int((attempt.deadline - timezone.now()).total_seconds()))
    return QuizAttemptOut(
        id=attempt.pk,
        number=attempt.number,
        display_name=attempt.display_name,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        seconds_left=seconds_left,
        submitted_at=attempt.submitted_at,
        answers=attempt.answers,
        score=attempt.score if shown else None,
        max_score=attempt.max_score,
        results=results,
    )


def _no_quiz() -> Status:
    return Status(404, ErrorOut(code="quiz_not_found", message=_("This event has no quiz.")))


def _my_quiz_registration(member, event_id: int):
    from events import quizzes

    return (
        selectors.registrations_of_member(member)
        .filter(event_id=event_id, state__in=quizzes.TAKERS)
        .first()
    )


def _quiz_out(quiz, registration, member) -> QuizOut:
    from events import quizzes
    from events.models import QuizAttempt

    visible = quizzes.results_visible(quiz)
    mine = list(QuizAttempt.objects.filter(quiz=quiz, member=member).order_by("number", "pk"))
    running = next(
        (
            a
            for a in mine
            if a.submitted_at is None and registration and a.registration_id == registration.pk
        ),
        None,
    )
    if running is not None:
        running = quizzes.close_expired(running)
        if running.submitted_at is not None:
            mine = [running if a.pk == running.pk else a for a in mine]
            running = None
    questions = []
    if running is not None:
        questions = [
            QuizQuestionOut(
                id=q.pk,
                text=q.text,
                kind=q.kind,
                points=q.points,
                choices=[QuizChoiceOut(id=c.pk, text=c.text) for c in q.choices.all()],
            )
            for q in quizzes.question_set(quiz)
        ]
    return QuizOut(
        event_id=quiz.event_id,
        opens_at=quiz.opens,
        closes_at=quiz.closes,
        time_limit_minutes=quiz.time_limit_minutes,
        attempts_allowed=quiz.attempts_allowed,
        attempts_used=len(mine),
        layout=quiz.layout,
        answers_shown=quiz.answers_shown,
        members_only=quiz.members_only,
        results_visible=visible,
        questions=questions,
        running=_attempt_out(running, visible=visible) if running else None,
        attempts=[_attempt_out(a, visible=visible) for a in mine if a.submitted_at is not None],
    )


@events_router.get(
    "/{event_id}/quiz",
    auth=token_auth,
    response={200: QuizOut, 404: ErrorOut, 422: ErrorOut, **AUTH_ERRORS},
    summary="An event's quiz: its rules, my attempts and, while I answer, the questions",
    description=(
        "The questions (without the right answers) come only with an attempt in progress; "
        "start one with POST …/quiz/attempts. 404 `quiz_not_found` when the event has none."
    ),
)
def quiz(request: HttpRequest, response: HttpResponse, event_id: int = Path(..., ge=1, le=MAX_ID)):
    from events import quizzes

    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    found = selectors.public_event(event_id)
    the_quiz = quizzes.quiz_of(found) if found is not None else None
    if the_quiz is None:
        return _no_quiz()
    registration = _my_quiz_registration(member, event_id)
    return Status(200, _quiz_out(the_quiz, registration, member))


@events_router.post(
    "/{event_id}/quiz/attempts",
    auth=token_auth,
    response={
        200: QuizAttemptOut,
        201: QuizAttemptOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        **AUTH_ERRORS,
    },
    summary="Start an attempt at the quiz (the clock starts now)",
    description=(
        "201 with the new attempt and its deadline; 200 with the attempt already running. "
        "409 when a rule refuses: quiz_not_allowed (not registered, or waiting), "
        "quiz_members_only, quiz_not_open, quiz_closed, quiz_empty, quiz_attempts_used."
    ),
)
def start_quiz(
    request: HttpRequest,
    response: HttpResponse,
    payload: QuizStartIn,
    event_id: int = Path(..., ge=1, le=MAX_ID),
):
    from events import errors, quizzes

    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    found = selectors.public_event(event_id)
    the_quiz = quizzes.quiz_of(found) if found is not None else None
    if the_quiz is None:
        return _no_quiz()
    registration = _my_quiz_registration(member, event_id)
    try:
        if registration is None:
            raise errors.QuizNotAllowedError()
        started = quizzes.start_attempt(the_quiz, registration, display_name=payload.display_name)
    except DomainError as error:
        return refused(error)
    visible = quizzes.results_visible(the_quiz)
    return Status(201 if started.created else 200, _attempt_out(started.attempt, visible=visible))


@events_router.post(
    "/quiz-attempts/{attempt_id}",
    auth=token_auth,
    response={
        200: QuizAttemptOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        **AUTH_ERRORS,
    },
    summary="Send answers: keep them (final false) or submit and score the attempt",
    description=(
        "Submitting twice changes nothing (the first result is returned). After the deadline "
        "(a few seconds of grace) answers are refused with 409 `quiz_time_up` and the answers "
        "kept before it are scored. 409 `quiz_answer_invalid` for a question or choice not in "
        "this quiz. Another member's attempt answers 404."
    ),
)
def answer_quiz(
    request: HttpRequest,
    response: HttpResponse,
    payload: QuizSubmitIn,
    attempt_id: int = Path(..., ge=1, le=MAX_ID),
):
    from events import quizzes
    from events.models import QuizAttempt

    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    attempt = (
        QuizAttempt.objects.select_related("quiz", "quiz__event", "registration")
        .filter(pk=attempt_id, member=member)
        .first()
    )
    if attempt is None:
        return Status(
            404,
            ErrorOut(
                code="quiz_attempt_not_found",
                message=_("You have no quiz attempt with that number."),
            ),
        )
    try:
        if payload.final:
            attempt = quizzes.submit_attempt(
                attempt, registration=attempt.registration, answers=payload.answers
            ).attempt
        else:
            attempt = quizzes.save_answers(
                attempt, registration=attempt.registration, answers=payload.answers
            )
    except DomainError as error:
        return refused(error)
    return Status(200, _attempt_out(attempt, visible=quizzes.results_visible(attempt.quiz)))


@events_router.get(
    "/{event_id}/quiz/leaderboard",
    response={200: LeaderboardOut, 404: ErrorOut, 422: ErrorOut},
    summary="The quiz's leaderboard: each person's best, by score then time",
    description="Names as people chose them, or first name and initials. At most 100 rows.",
)
def quiz_leaderboard(request: HttpRequest, event_id: int = Path(..., ge=1, le=MAX_ID)):
    from events import quizzes

    found = selectors.public_event(event_id)
    the_quiz = quizzes.quiz_of(found) if found is not None else None
    if the_quiz is None:
        return _no_quiz()
    visible = quizzes.results_visible(the_quiz)
    rows = quizzes.leaderboard(the_quiz)[:100] if visible else []
    return Status(
        200,
        LeaderboardOut(
            event_id=event_id,
            visible=visible,
            rows=[
                LeaderOut(
                    place=r.place,
                    name=r.name,
                    score=r.score,
                    max_score=r.max_score,
                    seconds=r.seconds,
                )
                for r in rows
            ],
        ),
    )
