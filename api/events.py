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
from api.schemas import ErrorOut
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
        "place": event.place,
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
        return Status(409, ErrorOut(code=error.code, message=str(error)))
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
