"""Placing a hold from the public catalogue's record page.

`hold_panel(request, record)` is what the record page shows (catalog/opac/holds.py asks for it):
for a visitor, a link to sign in that comes back to the record; for a member, the "Place a hold"
form with the branches where they may collect it, their place in the queue if they already hold
the title, or why they may not. `place_hold` takes the form and calls
`circulation.services.place_hold`, which checks every rule again under its locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Record
from catalog.selectors import get_record
from circulation import selectors, services
from circulation.account_views import with_member
from circulation.errors import (
    AlreadyOnLoanToMemberError,
    CirculationError,
    HoldsNotAllowedError,
    MemberBlockedError,
)
from circulation.selectors import HoldOption
from core.errors import DomainError
from patrons.models import Member

PANEL_ANCHOR = "hold"


def reason_for_member(error: DomainError) -> str:
    """A refusal as said to the member themselves ("you", not their name)."""
    if isinstance(error, MemberBlockedError):
        return _("You cannot place holds right now: %(reasons)s.") % {
            "reasons": error.params.get("reasons", "")
        }
    if isinstance(error, AlreadyOnLoanToMemberError):
        return _("You already have a copy of this title on loan.")
    if isinstance(error, HoldsNotAllowedError):
        return _("Holds on this kind of material are not allowed for your membership category.")
    return str(error)


@dataclass(frozen=True)
class HoldPanel:
    signed_in: bool
    member: Member | None
    option: HoldOption | None
    sign_in_url: str
    action_url: str
    refusal: str


def hold_panel(request: HttpRequest, record: Record) -> HoldPanel:
    record_url = reverse("opac:record", args=[record.pk])
    sign_in_url = (
        f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': f'{record_url}#{PANEL_ANCHOR}'})}"
    )
    member = selectors.member_for_user(request.user)
    option = selectors.hold_option(member, record) if member is not None else None
    refusal = ""
    if option is not None and option.refusal is not None:
        refusal = reason_for_member(option.refusal)
    return HoldPanel(
        signed_in=request.user.is_authenticated,
        member=member,
        option=option,
        sign_in_url=sign_in_url,
        action_url=reverse("myaccount:place-hold", args=[record.pk]),
        refusal=refusal,
    )


@require_POST
@with_member
def place_hold(request: HttpRequest, member: Member, record_pk: int) -> HttpResponse:
    record = get_record(record_pk)
    if record is None:
        raise Http404
    back = f"{reverse('opac:record', args=[record.pk])}#{PANEL_ANCHOR}"
    option = selectors.hold_option(member, record)
    chosen = request.POST.get("pickup_branch", "")
    branch = next((b for b in option.branches if str(b.pk) == chosen), None)
    if branch is None and option.branches:
        if chosen:
            messages.error(request, _("Choose one of the branches in the list to collect it."))
            return redirect(back)
        branch = option.default_branch
    if branch is None:
        messages.error(
            request,
            _("Your hold could not be placed: %(reason)s")
            % {"reason": reason_for_member(option.refusal or HoldsNotAllowedError())},
        )
        return redirect(back)
    at = timezone.now()
    try:
        hold = services.place_hold(record, member, pickup_branch=branch, staff=None, at=at)
    except CirculationError as error:
        messages.error(
            request,
            _("Your hold could not be placed: %(reason)s") % {"reason": reason_for_member(error)},
        )
        return redirect(back)
    position = selectors.hold_position(hold)
    values = {"title": record.title, "position": position, "branch": hold.pickup_branch.name}
    if hold.placed_at == at:
        messages.success(
            request,
            _(
                "Your hold on “%(title)s” is placed. You are number %(position)s in line; "
                "we will tell you when it is ready for you at %(branch)s."
            )
            % values,
        )
    else:
        messages.info(
            request,
            _("You already have a hold on “%(title)s”: you are number %(position)s in line.")
            % values,
        )
    return redirect(back)
