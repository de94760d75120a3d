"""The spaces API for the phone app: rooms and their availability (anyone), booking a slot, my
bookings and cancelling one (a member's bearer token). Reads through spaces.selectors, changes
through spaces.services: the same rules as the web pages; a refused booking answers 409 with the
rule's stable `code` ("already_booked", "outside_opening_hours", "too_long" …) and a `message`
in the user's language."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from api.auth import token_auth
from api.schemas import ErrorOut, refused
from core.errors import DomainError
from spaces import selectors, services
from spaces.models import Booking, Equipment, Purpose

spaces_router = Router(tags=["spaces"])

MAX_ID = 2**63 - 1
PRIVATE = "private, no-store"


class SpaceOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    branch_code: str
    branch_name: str
    capacity: int
    features: list[str]
    location: str


class SpaceSlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    status: str = Field(description="free, taken, blocked (by the library), mine or past.")


class SpaceDayOut(Schema):
    date: dt.date
    is_open: bool
    hours: str = Field(description="Opening hours of the day, e.g. “08.00–16.00”.")
    closure_reason: str
    slots: list[SpaceSlotOut]


class SpaceAvailabilityIn(Schema):
    date: dt.date | None = Field(None, description="The first day; today when absent.")
    days: int = Field(1, ge=1, le=7, description="How many days (1 to 7).")


class SpaceBookingIn(Schema):
    start: dt.datetime = Field(description="With a time zone offset.")
    end: dt.datetime
    purpose: Purpose = Purpose.STUDY
    people: int = Field(1, ge=1, le=1000)
    title: str = Field("", max_length=200)
    equipment: list[int] = Field(default_factory=list, max_length=10)


class SpaceBookingOut(Schema):
    code: str = Field(description="The booking's own code (used in its URLs).")
    space_id: int | None
    resource_name: str
    branch_name: str
    state: str
    state_label: str
    start: dt.datetime
    end: dt.datetime
    purpose: str
    people: int
    title: str
    equipment: list[str]


def _space_out(space) -> SpaceOut:
    return SpaceOut(
        id=space.pk,
        name=space.name,
        kind=space.kind,
        kind_label=space.get_kind_display(),
        branch_code=space.branch.code,
        branch_name=space.branch.name,
        capacity=space.capacity,
        features=space.feature_labels,
        location=space.location,
    )


def _booking_out(booking: Booking) -> SpaceBookingOut:
    return SpaceBookingOut(
        code=booking.code,
        space_id=booking.space_id,
        resource_name=booking.resource.name,
        branch_name=booking.resource.branch.name,
        state=booking.state,
        state_label=booking.get_state_display(),
        start=booking.starts_at,
        end=booking.ends_at,
        purpose=booking.purpose,
        people=booking.people,
        title=booking.title,
        equipment=[a.equipment.name for a in booking.attached.all()],
    )


def _not_found() -> Status:
    return Status(404, ErrorOut(code="not_found", message=_("There is no such room.")))


def _not_a_member() -> Status:
    return Status(
        403,
        ErrorOut(code="not_a_member", message=_("This account has no library membership.")),
    )


@spaces_router.get("", response=list[SpaceOut], summary="Rooms and spaces of every branch")
def space_list(request: HttpRequest):
    return [
        _space_out(space)
        for branch in selectors.branches_with_spaces()
        for space in branch.space_list
    ]


@spaces_router.get(
    "/{space_id}/availability",
    response={200: list[SpaceDayOut], 404: ErrorOut, 422: ErrorOut},
    summary="A room's slots for one to seven days: free, taken, blocked or past",
)
def availability(request: HttpRequest, space_id: int, query: Query[SpaceAvailabilityIn]):
    space = selectors.get_space(space_id) if 0 < space_id <= MAX_ID else None
    if space is None:
        return _not_found()
    first = query.date or timezone.localdate()
    if abs((first - timezone.localdate()).days) > 366:
        first = timezone.localdate()
    member = selectors.member_for_user(request.user)
    return Status(
        200,
        [
            SpaceDayOut(
                date=day.day,
                is_open=day.is_open,
                hours=day.hours,
                closure_reason=day.closure_reason,
                slots=[SpaceSlotOut(start=s.start, end=s.end, status=s.status) for s in day.slots],
            )
            for day in selectors.week_grid(space, first, days=query.days, member=member)
        ],
    )


@spaces_router.post(
    "/{space_id}/bookings",
    auth=token_auth,
    response={
        201: SpaceBookingOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Book a slot of a room (with equipment of its branch, if asked)",
)
def book(request: HttpRequest, space_id: int, data: SpaceBookingIn, response: HttpResponse):
    response["Cache-Control"] = PRIVATE
    member = selectors.member_for_user(request.user)
    if member is None:
        return _not_a_member()
    space = selectors.get_space(space_id) if 0 < space_id <= MAX_ID else None
    if space is None:
        return _not_found()
    ids = [pk for pk in data.equipment if 0 < pk <= MAX_ID]
    equipment = list(Equipment.objects.filter(pk__in=ids, is_active=True))
    if len(equipment) != len(set(data.equipment)):
        return Status(
            404, ErrorOut(code="no_such_equipment", message=_("There is no such equipment."))
        )
    if data.start.tzinfo is None or data.end.tzinfo is None:
        return Status(
            409,
            ErrorOut(code="time_zone_needed", message=_("Give times with their time zone.")),
        )
    try:
        booking = services.book(
            space,
            member,
            start=data.start,
            end=data.end,
            purpose=data.purpose,
            people=data.people,
            title=data.title,
            equipment=equipment,
            by=request.user,
            source="api",
        )
    except DomainError as error:
        return refused(error)
    booking = selectors.get_member_booking(member, booking.code)
    return Status(201, _booking_out(booking))


@spaces_router.get(
    "/my-bookings",
    auth=token_auth,
    response={200: list[SpaceBookingOut], 401: ErrorOut, 403: ErrorOut},
    summary="My upcoming bookings, soonest first",
)
def my_bookings(request: HttpRequest, response: HttpResponse):
    response["Cache-Control"] = PRIVATE
    member = selectors.member_for_user(request.user)
    if member is None:
        return _not_a_member()
    return Status(200, [_booking_out(b) for b in selectors.member_bookings(member)["upcoming"]])


@spaces_router.post(
    "/my-bookings/{code}/cancel",
    auth=token_auth,
    response={200: SpaceBookingOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Cancel one of my bookings (up to the deadline in the room's rules)",
)
def cancel(request: HttpRequest, code: str, response: HttpResponse):
    response["Cache-Control"] = PRIVATE
    member = selectors.member_for_user(request.user)
    if member is None:
        return _not_a_member()
    booking = selectors.get_member_booking(member, code[:40])
    if booking is None:
        return Status(404, ErrorOut(code="not_found", message=_("You have no such booking.")))
    try:
        services.cancel(booking, by=request.user)
    except DomainError as error:
        return refused(error)
    return Status(200, _booking_out(selectors.get_member_booking(member, code)))
