"""Ask a librarian from the phone app: ask a question (a member with their token, or a guest
with a name and e-mail), list my questions, follow a thread, write back and rate the answer.

A thread is named by `ref`: the question's number, for the member who asked it (with their
token), or the private link's `thread_token` returned when asking (which is all a guest has).
Another person's question number, or a forged token, answers 404 as if it did not exist, and
staff-only notes are never shown. Changes go through conversations.services, with the web
forms' hourly limits and spam check. Input that does not fit the schema answers 422
`invalid_input`; a request the rules refuse (empty or too long text, offensive words, a closed
thread …) answers 409 with the rule's stable `code` and a `message` in the user's language
(Accept-Language), as everywhere in this API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from api.auth import token_auth
from api.schemas import ErrorOut, refused
from conversations import selectors, services, throttle
from conversations.models import Message, Question
from conversations.states import RATEABLE_STATES, QuestionState
from core.errors import DomainError

questions_router = Router(tags=["ask a librarian"])

PRIVATE = "private, no-store"
MAX_BODY = 20_000  # the service says "under 5,000 characters" with a clear message


# ---------------------------------------------------------------------------------------------
# Schemas


class AskIn(Schema):
    body: str = Field(max_length=MAX_BODY, description="The question (up to 5,000 characters).")
    name: str = Field(
        "", max_length=120, description="A guest's name; a member's defaults to their own."
    )
    email: str = Field(
        "",
        max_length=254,
        description="Where replies are e-mailed; required for a guest, a member's own by default.",
    )
    page_url: str = Field(
        "", max_length=500, description="The page of the site it was asked from (a path)."
    )
    topic: Literal["collection", "loans", "research", "services", "programmes", "other"] = Field(
        "other", description="What it is about (response times are reported per topic)."
    )


class WriteBackIn(Schema):
    body: str = Field(max_length=MAX_BODY, description="Up to 5,000 characters.")


class RateIn(Schema):
    rating: int = Field(ge=1, le=5, description="How helpful the answer was, 1 to 5.")
    comment: str = Field("", max_length=500)


class MessageOut(Schema):
    id: int
    kind: str = Field(description="question, patron (the asker writing back) or reply.")
    from_library: bool
    author: str = Field(description="The asker's name, or “the library”.")
    body: str = Field(description="Plain text: show it escaped, never as HTML.")
    at: dt.datetime


class QuestionOut(Schema):
    id: int
    status: str = Field(description="new, open, waiting (for you), answered or closed.")
    status_label: str
    summary: str = Field(description="The start of the question.")
    asked_at: dt.datetime
    updated_at: dt.datetime
    can_write_back: bool = Field(description="False once the question is closed.")
    can_rate: bool = Field(description="True once it has been answered.")
    rating: int | None
    thread_token: str = Field(description="The private link's token: keep it to follow it.")
    web_url: str = Field(description="The thread's private page on the web site.")


class ThreadOut(QuestionOut):
    messages: list[MessageOut] = Field(description="Oldest first; staff notes are not shown.")


# ---------------------------------------------------------------------------------------------
# Helpers


def caller(request: HttpRequest, response: HttpResponse) -> tuple[object | None, Status | None]:
    """The token's user, None for a call without a token, or the 401 for a bad token. Every
    answer here is private to the person who asked."""
    response["Cache-Control"] = PRIVATE
    if not request.headers.get("Authorization"):
        return None, None
    user = token_auth(request)
    if not user:
        return None, Status(
            401,
            ErrorOut(code="unauthorized", message=_("A valid API token is needed for this.")),
        )
    return user, None


def too_many() -> Status:
    return Status(
        429,
        ErrorOut(
            code="too_many",
            message=_("Too many messages from here in the last hour. Please try later."),
        ),
    )


def _not_found() -> Status:
    return Status(
        404,
        ErrorOut(
            code="question_not_found",
            message=_("There is no question of yours with that number or link."),
        ),
    )


def _find(ref: str, user) -> Question | None:
    if ref.isdigit():
        if user is None or len(ref) > 18:
            return None
        return Question.objects.filter(pk=int(ref), asker=user).first()
    return selectors.question_by_token(ref)


def _question_out(request: HttpRequest, question: Question, summary: str) -> dict:
    token = selectors.question_token(question)
    return {
        "id": question.pk,
        "status": question.state,
        "status_label": question.get_state_display(),
        "summary": summary[:200],
        "asked_at": question.created_at,
        "updated_at": question.updated_at,
        "can_write_back": question.state != QuestionState.CLOSED,
        "can_rate": question.state in RATEABLE_STATES,
        "rating": question.rating,
        "thread_token": token,
        "web_url": request.build_absolute_uri(reverse("conversations:thread", args=[token])),
    }


def _thread_out(request: HttpRequest, question: Question) -> ThreadOut:
    messages = list(selectors.thread(question, staff=False))
    opening = next((m.body for m in messages if m.kind == Message.Kind.QUESTION), "")
    library = _("the library")
    return ThreadOut(
        **_question_out(request, question, opening),
        messages=[
            MessageOut(
                id=m.pk,
                kind=m.kind,
                from_library=m.kind == Message.Kind.REPLY,
                author=library if m.kind == Message.Kind.REPLY else question.name,
                body=m.body,
                at=m.created_at,
            )
            for m in messages
        ],
    )


def _site_path(url: str) -> str:
    return url if url.startswith("/") and not url.startswith("//") else ""


# ---------------------------------------------------------------------------------------------
# Endpoints

REF = Path(..., min_length=1, max_length=200, description="A question number or thread token.")
THREAD_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@questions_router.post(
    "",
    response={
        201: ThreadOut,
        400: ErrorOut,
        401: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Ask a librarian (a member with a token, or a guest with a name and e-mail)",
    description=(
        "The token is optional: without one, `name` and `email` are required "
        "(409 `contact_required`). Keep `thread_token`: a guest follows the thread with it. "
        "409 `empty_text`, `text_too_long`, `unwelcome_text` (offensive words or advertising), "
        "`invalid_email`; 429 `too_many` after the hourly limit."
    ),
)
def ask(request: HttpRequest, response: HttpResponse, payload: AskIn):
    user, refusal = caller(request, response)
    if refusal is not None:
        return refusal
    name, email = payload.name.strip(), payload.email.strip()
    if user is not None:
        name = name or user.get_full_name() or user.get_username()
        email = email or user.email
    if not name or not email:
        return Status(
            409,
            ErrorOut(
                code="contact_required",
                message=_("Give your name and e-mail so that the library can answer you."),
            ),
        )
    try:
        validate_email(email)
    except DjangoValidationError:
        return Status(
            409, ErrorOut(code="invalid_email", message=_("Enter a valid e-mail address."))
        )
    if not throttle.allow_request(request, "ask"):
        return Status(
            429,
            ErrorOut(
                code="too_many",
                message=_("Too many questions from here in the last hour. Please try later."),
            ),
        )
    try:
        question = services.ask(
            payload.body,
            name=name,
            email=email,
            page_url=_site_path(payload.page_url.strip()),
            user=user,
            language=get_language() or "id",
            topic=payload.topic,
        )
    except DomainError as error:
        return refused(error)
    return Status(201, _thread_out(request, question))


@questions_router.get(
    "/mine",
    auth=token_auth,
    response={200: list[QuestionOut], 401: ErrorOut},
    summary="My questions, newest first",
)
def my_questions(request: HttpRequest, response: HttpResponse):
    response["Cache-Control"] = PRIVATE
    rows = selectors.questions_of(request.user)[:200]
    return Status(
        200,
        [
            QuestionOut(**_question_out(request, q, q.opening[0].body if q.opening else ""))
            for q in rows
        ],
    )


@questions_router.get(
    "/{ref}",
    response={200: ThreadOut, **THREAD_ERRORS},
    summary="Follow a thread: its status and messages",
    description="`ref`: the number of one of my questions (with my token) or a thread token.",
)
def thread(request: HttpRequest, response: HttpResponse, ref: str = REF):
    user, refusal = caller(request, response)
    if refusal is not None:
        return refusal
    question = _find(ref, user)
    if question is None:
        return _not_found()
    return Status(200, _thread_out(request, question))


@questions_router.post(
    "/{ref}/messages",
    response={201: ThreadOut, 400: ErrorOut, 409: ErrorOut, 429: ErrorOut, **THREAD_ERRORS},
    summary="Write back in a thread (the question opens again for the librarians)",
    description="409 `question_closed`, `empty_text`, `text_too_long`, `unwelcome_text`.",
)
def write_back(request: HttpRequest, response: HttpResponse, payload: WriteBackIn, ref: str = REF):
    user, refusal = caller(request, response)
    if refusal is not None:
        return refusal
    question = _find(ref, user)
    if question is None:
        return _not_found()
    if not throttle.allow_request(request, "reply"):
        return too_many()
    try:
        services.patron_reply(question, payload.body)
    except DomainError as error:
        return refused(error)
    question.refresh_from_db()
    return Status(201, _thread_out(request, question))


@questions_router.post(
    "/{ref}/rating",
    response={200: ThreadOut, 400: ErrorOut, 409: ErrorOut, **THREAD_ERRORS},
    summary="Rate the answer (1–5); rating again replaces it",
    description="409 `not_rateable` before the question has been answered; 422 for a rating "
    "outside 1–5.",
)
def rate(request: HttpRequest, response: HttpResponse, payload: RateIn, ref: str = REF):
    user, refusal = caller(request, response)
    if refusal is not None:
        return refusal
    question = _find(ref, user)
    if question is None:
        return _not_found()
    try:
        question = services.rate(question, payload.rating, comment=payload.comment)
    except DomainError as error:
        return refused(error)
    return Status(200, _thread_out(request, question))
