"""Book suggestions and programme ideas for the phone app.

Suggestions (a member's token): suggest a book by ISBN or title — when the library already
holds the ISBN the answer is 409 `already_held` with the record to open — and list my
suggestions with their status. Ideas: the public board (by votes or newest; with a token, which
ones I voted for), one idea with its comments, and for a member: propose, vote or take the vote
back (PUT/DELETE, both safe to repeat), comment, and report a comment to the librarians.

Changes go through participation.services / participation.ideas with the web's hourly limits
and spam check. Input that does not fit the schema answers 422 `invalid_input`; a request the
rules refuse answers 409 with the rule's stable `code` and a `message` in the user's language
(Accept-Language)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from api.account import my_member
from api.auth import token_auth
from api.conversations import caller
from api.schemas import ErrorOut, refused
from conversations import throttle
from core.errors import DomainError
from participation import ideas, selectors, services
from participation.models import Comment, Idea, IdeaKind, ReportReason, Suggestion
from patrons.selectors import member_for_user

suggestions_router = Router(tags=["book suggestions"], auth=token_auth)
ideas_router = Router(tags=["ideas"])

MAX_ID = 2**63 - 1
MEMBER_ERRORS = {401: ErrorOut, 403: ErrorOut}


# ---------------------------------------------------------------------------------------------
# Schemas


class RecordRefOut(Schema):
    id: int
    title: str
    url: str = Field(description="The record's page in the online catalogue.")


class SuggestIn(Schema):
    isbn: str = Field("", max_length=30, description="ISBN-10 or ISBN-13, hyphens allowed.")
    title: str = Field("", max_length=500, description="Required unless the ISBN is enough.")
    author: str = Field("", max_length=300)
    note: str = Field("", max_length=1000, description="Why the library should have it.")


class SuggestionOut(Schema):
    id: int
    isbn: str
    title: str
    author: str
    note: str
    status: str = Field(description="submitted, accepted, ordered, available or declined.")
    status_label: str
    reason: str = Field(description="Why it was declined, if it was.")
    record: RecordRefOut | None = Field(description="The catalogue record, once available.")
    hold_placed: bool = Field(description="A hold was placed for me when it arrived.")
    suggested_at: dt.datetime
    updated_at: dt.datetime


class SuggestedOut(Schema):
    created: bool = Field(description="False: I had already suggested it; here it is.")
    message: str
    suggestion: SuggestionOut


class RefusedOut(ErrorOut):
    record: RecordRefOut | None = Field(
        None, description="With `already_held`: the library's record of the title."
    )


class IdeaOut(Schema):
    id: int
    kind: str = Field(description="programme, service or collection.")
    kind_label: str
    title: str
    body: str = Field(description="Plain text: show it escaped, never as HTML.")
    status: str = Field(description="open, under_review, planned, done or not_now.")
    status_label: str
    status_reason: str
    votes: int
    comments: int = Field(description="Visible comments.")
    voted: bool | None = Field(description="Whether I voted for it; null without a token.")
    event_id: int | None = Field(description="The event that came of it, if any.")
    proposed_at: dt.datetime
    url: str = Field(description="The idea's page on the web site.")


class BoardOut(Schema):
    count: int
    ideas: list[IdeaOut]


class CommentOut(Schema):
    id: int
    author: str
    body: str = Field(description="Plain text: show it escaped, never as HTML.")
    at: dt.datetime


class IdeaDetailOut(IdeaOut):
    comment_list: list[CommentOut] = Field(description="Visible comments, oldest first.")


class ProposeIn(Schema):
    kind: IdeaKind
    title: str = Field(max_length=200)
    body: str = Field(max_length=20_000, description="Up to 5,000 characters.")


class VoteOut(Schema):
    voted: bool
    votes: int
    message: str


class CommentIn(Schema):
    body: str = Field(max_length=10_000, description="Up to 2,000 characters.")


class ReportIn(Schema):
    reason: ReportReason
    note: str = Field("", max_length=300)


class ReportedOut(Schema):
    message: str


class BoardQuery(Schema):
    sort: Literal["votes", "new"] = Field("votes", description="Most votes, or newest first.")
    limit: int = Field(100, ge=1, le=200)


# ---------------------------------------------------------------------------------------------
# Shaping


def _record_ref(request: HttpRequest, record) -> RecordRefOut:
    return RecordRefOut(
        id=record.pk,
        title=record.title,
        url=request.build_absolute_uri(reverse("opac:record", args=[record.pk])),
    )


def _suggestion_out(request: HttpRequest, suggestion: Suggestion) -> SuggestionOut:
    return SuggestionOut(
        id=suggestion.pk,
        isbn=suggestion.isbn,
        title=suggestion.title,
        author=suggestion.author,
        note=suggestion.note,
        status=suggestion.state,
        status_label=suggestion.get_state_display(),
        reason=suggestion.reason,
        record=_record_ref(request, suggestion.record) if suggestion.record_id else None,
        hold_placed=suggestion.hold_id is not None,
        suggested_at=suggestion.created_at,
        updated_at=suggestion.updated_at,
    )


def _idea_out(request: HttpRequest, idea: Idea, *, voted: bool | None, comments: int) -> dict:
    return {
        "id": idea.pk,
        "kind": idea.kind,
        "kind_label": idea.get_kind_display(),
        "title": idea.title,
        "body": idea.body,
        "status": idea.status,
        "status_label": idea.get_status_display(),
        "status_reason": idea.status_reason,
        "votes": idea.votes_count,
        "comments": comments,
        "voted": voted,
        "event_id": idea.event_id,
        "proposed_at": idea.created_at,
        "url": request.build_absolute_uri(reverse("participation:idea", args=[idea.pk])),
    }


def _idea_detail(request: HttpRequest, idea: Idea, member) -> IdeaDetailOut:
    comments = list(selectors.visible_comments(idea))
    voted = bool(selectors.ideas_voted_by(member, [idea.pk])) if member else None
    return IdeaDetailOut(
        **_idea_out(request, idea, voted=voted, comments=len(comments)),
        comment_list=[
            CommentOut(id=c.pk, author=c.member.full_name, body=c.body, at=c.created_at)
            for c in comments
        ],
    )


def _no_idea() -> Status:
    return Status(
        404, ErrorOut(code="idea_not_found", message=_("There is no idea with that number."))
    )


def _too_many(message: str) -> Status:
    return Status(429, ErrorOut(code="too_many", message=message))


# ---------------------------------------------------------------------------------------------
# Book suggestions


@suggestions_router.post(
    "",
    response={
        200: SuggestedOut,
        201: SuggestedOut,
        400: ErrorOut,
        409: RefusedOut,
        422: ErrorOut,
        429: ErrorOut,
        **MEMBER_ERRORS,
    },
    summary="Suggest a book for the library to buy (by ISBN or title)",
    description=(
        "201 with the new suggestion; 200 when I had already suggested it (nothing changes). "
        "409 `already_held` with `record` when the library has the ISBN; 409 `invalid_isbn`, "
        "`title_required`, `unwelcome_text`; 429 `too_many` after the hourly limit."
    ),
)
def suggest(request: HttpRequest, response: HttpResponse, payload: SuggestIn):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    if not throttle.allow_request(request, "suggest"):
        return _too_many(_("Too many suggestions in the last hour. Please try later."))
    started = timezone.now()
    try:
        suggestion = services.suggest(
            member,
            isbn=payload.isbn,
            title=payload.title,
            author=payload.author,
            note=payload.note,
        )
    except services.AlreadyHeldError as error:
        return Status(
            409,
            RefusedOut(
                code=error.code,
                message=str(error),
                record=_record_ref(request, error.record),
            ),
        )
    except DomainError as error:
        return Status(409, RefusedOut(code=error.code, message=str(error)))
    created = suggestion.created_at >= started
    return Status(
        201 if created else 200,
        SuggestedOut(
            created=created,
            message=_("Thank you: your suggestion is with the library.")
            if created
            else _("You had already suggested this title; here it is."),
            suggestion=_suggestion_out(request, suggestion),
        ),
    )


@suggestions_router.get(
    "/mine",
    response={200: list[SuggestionOut], **MEMBER_ERRORS},
    summary="My book suggestions with their status, newest first",
)
def my_suggestions(request: HttpRequest, response: HttpResponse):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    rows = selectors.suggestions_of(member)[:200]
    return Status(200, [_suggestion_out(request, s) for s in rows])


# ---------------------------------------------------------------------------------------------
# Ideas


@ideas_router.get(
    "",
    response={200: BoardOut, 401: ErrorOut, 422: ErrorOut},
    summary="The ideas board, by votes or newest",
    description="No token needed; with a member's token, `voted` says which I voted for.",
)
def board(request: HttpRequest, response: HttpResponse, query: Query[BoardQuery]):
    user, refusal = caller(request, response)
    if refusal is not None:
        return refusal
    rows = list(selectors.idea_board(sort=query.sort)[: query.limit])
    member = member_for_user(user) if user else None
    voted = selectors.ideas_voted_by(member, [i.pk for i in rows]) if member else None
    items = [
        IdeaOut(
            **_idea_out(
                request,
                idea,
                voted=(idea.pk in voted) if voted is not None else None,
                comments=idea.visible_comments,
            )
        )
        for idea in rows
    ]
    return Status(200, BoardOut(count=len(items), ideas=items))


@ideas_router.post(
    "",
    auth=token_auth,
    response={
        201: IdeaDetailOut,
        400: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        **MEMBER_ERRORS,
    },
    summary="Propose an idea for a programme, service or collection",
    description="409 `empty_text`, `text_too_long`, `unwelcome_text`; 429 `too_many`.",
)
def propose(request: HttpRequest, response: HttpResponse, payload: ProposeIn):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    if not throttle.allow_request(request, "idea"):
        return _too_many(_("Too many messages from here in the last hour. Please try later."))
    try:
        idea = ideas.propose(member, kind=payload.kind, title=payload.title, body=payload.body)
    except DomainError as error:
        return refused(error)
    return Status(201, _idea_detail(request, idea, member))


@ideas_router.post(
    "/comments/{comment_id}/report",
    auth=token_auth,
    response={
        201: ReportedOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        **MEMBER_ERRORS,
    },
    summary="Report a comment to the librarians (once per comment)",
    description="409 `already_reported`, `unwelcome_text` (the note); 404 for a hidden or "
    "unknown comment.",
)
def report(
    request: HttpRequest,
    response: HttpResponse,
    payload: ReportIn,
    comment_id: int = Path(..., ge=1, le=MAX_ID),
):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    found = Comment.objects.filter(pk=comment_id, is_hidden=False).first()
    if found is None:
        return Status(
            404,
            ErrorOut(code="comment_not_found", message=_("There is no comment with that number.")),
        )
    if not throttle.allow_request(request, "report"):
        return _too_many(_("Too many reports from here in the last hour. Please try later."))
    try:
        ideas.report_comment(found, member, payload.reason, note=payload.note)
    except DomainError as error:
        return refused(error)
    return Status(201, ReportedOut(message=_("Thank you: the library will look at this comment.")))


@ideas_router.get(
    "/{idea_id}",
    response={200: IdeaDetailOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="One idea with its comments",
)
def idea(request: HttpRequest, response: HttpResponse, idea_id: int = Path(..., ge=1, le=MAX_ID)):
    user, refusal = caller(request, response)
    if refusal is not None:
        return refusal
    found = Idea.objects.filter(pk=idea_id).first()
    if found is None:
        return _no_idea()
    member = member_for_user(user) if user else None
    return Status(200, _idea_detail(request, found, member))


def _vote(request: HttpRequest, response: HttpResponse, idea_id: int, voted: bool):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    found = Idea.objects.filter(pk=idea_id).first()
    if found is None:
        return _no_idea()
    try:
        now = ideas.set_vote(found, member, voted)
    except DomainError as error:
        return refused(error)
    found.refresh_from_db(fields=["votes_count"])
    return Status(
        200,
        VoteOut(
            voted=now,
            votes=found.votes_count,
            message=_("Your vote is counted.") if now else _("Vote taken back."),
        ),
    )


VOTE_RESPONSES = {200: VoteOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **MEMBER_ERRORS}


@ideas_router.put(
    "/{idea_id}/vote",
    auth=token_auth,
    response=VOTE_RESPONSES,
    summary="Vote for an idea (voting again changes nothing)",
    description="409 `idea_closed` when voting on the idea has ended.",
)
def vote(request: HttpRequest, response: HttpResponse, idea_id: int = Path(..., ge=1, le=MAX_ID)):
    return _vote(request, response, idea_id, True)


@ideas_router.delete(
    "/{idea_id}/vote",
    auth=token_auth,
    response=VOTE_RESPONSES,
    summary="Take my vote back (safe to repeat)",
)
def unvote(request: HttpRequest, response: HttpResponse, idea_id: int = Path(..., ge=1, le=MAX_ID)):
    return _vote(request, response, idea_id, False)


@ideas_router.post(
    "/{idea_id}/comments",
    auth=token_auth,
    response={
        201: CommentOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        **MEMBER_ERRORS,
    },
    summary="Comment on an idea",
    description="409 `empty_text`, `text_too_long`, `unwelcome_text`; 429 `too_many`.",
)
def add_comment(
    request: HttpRequest,
    response: HttpResponse,
    payload: CommentIn,
    idea_id: int = Path(..., ge=1, le=MAX_ID),
):
    member, refusal = my_member(request, response)
    if refusal is not None:
        return refusal
    found = Idea.objects.filter(pk=idea_id).first()
    if found is None:
        return _no_idea()
    if not throttle.allow_request(request, "comment"):
        return _too_many(_("Too many messages from here in the last hour. Please try later."))
    try:
        made = ideas.comment(found, member, payload.body)
    except DomainError as error:
        return refused(error)
    return Status(
        201, CommentOut(id=made.pk, author=member.full_name, body=made.body, at=made.created_at)
    )
