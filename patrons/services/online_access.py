"""Online access for members who registered at the desk: a sign-in account of their own, so
they can renew, place holds and use the phone app.

    /join/access/ (card number + the e-mail the library has) ─┐
    desk: "send an online-access link" (staff, audited) ──────┴─► e-mail with a signed link
    link ──► choose a password ──► sign-in account (role member, user name = card number)

The link goes only to the e-mail address already on the member's record, so nobody can
redirect it by typing another. The public form answers the same whether or not the number and
address match, so it tells nobody who is a member; it counts against the same per-address
hourly limit as online registration. A link works once: when the account exists, it is spent.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core import audit
from core.permissions import require
from patrons import locks
from patrons.errors import (
    AccessLinkExpiredError,
    AccessLinkInvalidError,
    EmailInUseError,
    HasOnlineAccessError,
    NoEmailOnRecordError,
)
from patrons.models import CURRENT_STATUSES, Member
from patrons.services.registration import note_signup_attempt

ACCESS_SALT = "patrons.online_access"
ACCESS_DAYS = 3


def access_token(member: Member) -> str:
    # The number is signed too: a link made for a record that was later merged or renumbered
    # does not open another member's account.
    return signing.TimestampSigner(salt=ACCESS_SALT).sign(f"{member.pk}:{member.number}")


def access_url(member: Member, site_url: str) -> str:
    return site_url.rstrip("/") + reverse("registration:access-set", args=[access_token(member)])


def member_for_access_token(token: str) -> Member:
    """The member a valid, unexpired link was made for; raises when it is not valid."""
    try:
        value = signing.TimestampSigner(salt=ACCESS_SALT).unsign(
            token, max_age=dt.timedelta(days=ACCESS_DAYS)
        )
    except signing.SignatureExpired as error:
        raise AccessLinkExpiredError(days=ACCESS_DAYS) from error
    except signing.BadSignature as error:
        raise AccessLinkInvalidError() from error
    pk, _sep, number = value.partition(":")
    member = Member.objects.filter(pk=int(pk), number=number).first()
    if member is None or member.status not in CURRENT_STATUSES:
        raise AccessLinkInvalidError()
    if member.user_id is not None:
        raise HasOnlineAccessError()
    return member


def _send_link(member: Member, *, site_url: str) -> None:
    from core.selectors import get_library
    from core.tasks import send_email

    with translation.override(member.preferred_language):
        context = {
            "member": member,
            "library": get_library(),
            "url": access_url(member, site_url),
            "days": ACCESS_DAYS,
        }
        subject = render_to_string("patrons/email/access_subject.txt", context).strip()
        body = render_to_string("patrons/email/access.txt", context)
    recipient = member.email
    transaction.on_commit(lambda: send_email.enqueue(subject, body, [recipient]))


def send_access_link(member: Member, *, by, site_url: str) -> None:
    """Staff send a member the link (from the member's page)."""
    require(by, "patrons.change_member")
    with transaction.atomic():
        member = locks.member_for_update(member.pk)
        if member.user_id is not None:
            raise HasOnlineAccessError()
        if not member.email:
            raise NoEmailOnRecordError()
        _send_link(member, site_url=site_url)
        audit.record("member.access_link", actor=by, subject=member)


def request_access_link(number: str, email: str, *, site_url: str) -> bool:
    """The public form. True when a link was sent; the page must not say which it was."""
    note_signup_attempt()
    number, email = number.strip(), email.strip()
    if not number or not email:
        return False
    with transaction.atomic():
        member = (
            Member.objects.select_for_update()
            .filter(number__iexact=number, email__iexact=email, status__in=CURRENT_STATUSES)
            .first()
        )
        if member is None or member.user_id is not None:
            return False
        _send_link(member, site_url=site_url)
        audit.record("member.access_link", actor=None, subject=member, details={"via": "web"})
    return True


@transaction.atomic
def create_online_access(token: str, *, password: str):
    """The member chose a password through the link: their sign-in account, role member."""
    from patrons.services.members import create_member_account

    member = member_for_access_token(token)
    member = locks.member_for_update(member.pk)
    if member.user_id is not None:  # the same link used twice at once
        raise HasOnlineAccessError()
    if get_user_model().objects.filter(email__iexact=member.email).exists():
        raise EmailInUseError()
    user = create_member_account(
        member, password=password, email=member.email, language=member.preferred_language
    )
    member.user = user
    member.save(update_fields=["user"])
    audit.record("member.access_created", actor=user, subject=member)
    return user
