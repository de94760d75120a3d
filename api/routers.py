"""The foundation's endpoints: tokens, the signed-in user, the library and its branch calendars.
Later capabilities add one router each (api/<domain>.py) and register it in api/urls.py."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from accounts import services as account_services
from accounts.errors import SignInLockedError, SignInTooSoonError
from accounts.roles import roles_of
from api.auth import token_auth
from api.schemas import BranchOut, DayOut, ErrorOut, LibraryOut, MeOut, TokenIn, TokenOut
from core import selectors as core_selectors
from core.calendar import Day, calendar_for
from core.errors import DomainError
from core.http import client_ip
from core.models import Branch

MAX_CALENDAR_DAYS = 92

auth_router = Router(tags=["auth"])
library_router = Router(tags=["library"])


def _day_out(day: Day) -> DayOut:
    return DayOut(
        date=day.date,
        is_open=day.is_open,
        periods=[{"opens_at": p.opens_at, "closes_at": p.closes_at} for p in day.periods]
        if day.is_open
        else [],
        closure_reason=day.closure_reason,
    )


@auth_router.post(
    "/token",
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Exchange a user name and password (and a two-factor code) for a token",
)
def create_token(request: HttpRequest, payload: TokenIn):
    address = client_ip(request)
    try:
        step = account_services.check_password_step(
            payload.username, payload.password, address=address
        )
        if step.needs_enrolment:
            return Status(
                401,
                ErrorOut(
                    code="two_factor_setup_required",
                    message=_("Set up two-factor sign-in on the web site before using the API."),
                ),
            )
        if step.needs_second_factor:
            account_services.check_second_factor(step.user, payload.code or "", address=address)
    except (SignInLockedError, SignInTooSoonError) as error:
        return Status(429, ErrorOut(code=error.code, message=str(error)))
    except DomainError as error:
        return Status(401, ErrorOut(code=error.code, message=str(error)))
    account_services.signed_in(step.user, second_factor=step.needs_second_factor)
    token, raw = account_services.issue_api_token(step.user, name=payload.name)
    return Status(200, TokenOut(token=raw, expires_at=token.expires_at))


@auth_router.delete(
    "/token",
    auth=token_auth,
    response={204: None, 401: ErrorOut},
    summary="Revoke the token used for this call",
)
def revoke_token(request: HttpRequest):
    account_services.revoke_api_token(request.api_token, by=request.user)
    return Status(204, None)


@auth_router.get(
    "/me", auth=token_auth, response={200: MeOut, 401: ErrorOut}, summary="The signed-in user"
)
def me(request: HttpRequest):
    user = request.user
    return MeOut(
        username=user.get_username(),
        full_name=user.get_full_name(),
        email=user.email,
        roles=sorted(role.value for role in roles_of(user)),
        preferred_language=user.preferred_language,
    )


@library_router.get("/library", response=LibraryOut, summary="The library's profile")
def library(request: HttpRequest):
    return core_selectors.get_library()


@library_router.get(
    "/branches", response=list[BranchOut], summary="Branches with today's opening hours"
)
def branches(request: HttpRequest):
    return [
        BranchOut(
            id=row.branch.pk,
            code=row.branch.code,
            name=row.branch.name,
            address=row.branch.address,
            phone=row.branch.phone,
            email=row.branch.email,
            is_main=row.branch.is_main,
            is_open_now=row.is_open_now,
            today=_day_out(row.today),
            next_open_day=row.next_open_day,
        )
        for row in core_selectors.branches_today()
    ]


class CalendarQuery(Schema):
    start: dt.date | None = None
    days: int = 14


@library_router.get(
    "/branches/{code}/calendar",
    response={200: list[DayOut], 404: ErrorOut, 422: ErrorOut},
    summary="A branch's days: open or closed, hours, and why it is closed",
)
def branch_calendar(request: HttpRequest, code: str, query: Query[CalendarQuery]):
    branch = Branch.objects.filter(code=code).first()
    if branch is None:
        return Status(404, ErrorOut(code="not_found", message=_("No branch has that code.")))
    if not 1 <= query.days <= MAX_CALENDAR_DAYS:
        return Status(
            422,
            ErrorOut(
                code="invalid_days",
                message=_("The number of days must be between 1 and %(max)s.")
                % {"max": MAX_CALENDAR_DAYS},
            ),
        )
    start = query.start or timezone.localdate()
    calendar = calendar_for(branch)
    end = start + dt.timedelta(days=query.days - 1)
    return Status(200, [_day_out(day) for day in calendar.days(start, end)])
