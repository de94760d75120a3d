"""Online self-registration: pending until the e-mailed link is opened or the desk confirms.

    /join/ form ──► self_register ──► member PENDING + sign-in account (role member)
                                     └─► e-mail with a signed link (valid CONFIRMATION_DAYS)
    link ──► confirm_registration ──► ACTIVE (membership starts that day)
    desk ──► confirm_member (services.members) ──► ACTIVE

A pending member may sign in and see their digital card, but may not borrow
(circulation.selectors.member_blocks says so). Bots: the form has a honeypot and a minimum fill
time (patrons/forms.py); every submission counts against a per-address hourly limit here, kept
in the database (SignupCounter) so that all web processes agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core import audit
from core.context import current_request_meta
from patrons import locks
from patrons.errors import (
    ConfirmationLinkExpiredError,
    ConfirmationLinkInvalidError,
    EmailInUseError,
    NotPendingError,
    SignupTooOftenError,
)
from patrons.models import Member, MemberStatus, RegistrationChannel, SignupCounter
from patrons.services.members import (
    _category,
    _check_identity,
    _save_checked,
    activate,
    create_member_account,
    new_member_numbers,
)

CONFIRMATION_SALT = "patrons.registration.confirm"
CONFIRMATION_DAYS = 3
SIGNUPS_PER_HOUR = 10


def signups_per_hour() -> int:
    return getattr(settings, "PUSTAKA_SIGNUPS_PER_ADDRESS_PER_HOUR", SIGNUPS_PER_HOUR)


# ---------------------------------------------------------------------------------------------
# Rate limit


def note_signup_attempt(*, at: dt.datetime | None = None) -> None:
    """Count one submission of the public form from the current address; raise
    SignupTooOftenError past the hourly limit."""
    at = at or timezone.now()
    address = current_request_meta().ip_address or "unknown"
    window = at.replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        SignupCounter.objects.get_or_create(address=address, window_start=window)
        SignupCounter.objects.filter(address=address, window_start=window).update(
            count=F("count") + 1
        )
        count = SignupCounter.objects.get(address=address, window_start=window).count
    SignupCounter.objects.filter(window_start__lt=window - dt.timedelta(days=1)).delete()
    if count > signups_per_hour():
        raise SignupTooOftenError()


# ---------------------------------------------------------------------------------------------
# Links


def confirmation_token(member: Member) -> str:
    return signing.TimestampSigner(salt=CONFIRMATION_SALT).sign(str(member.pk))


def _member_pk_from(token: str, *, max_age: dt.timedelta | None) -> int:
    signer = signing.TimestampSigner(salt=CONFIRMATION_SALT)
    try:
        value = signer.unsign(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ConfirmationLinkExpiredError(days=CONFIRMATION_DAYS) from error
    except signing.BadSignature as error:
        raise ConfirmationLinkInvalidError() from error
    try:
        return int(value)
    except ValueError as error:  # pragma: no cover - only we sign these
        raise ConfirmationLinkInvalidError() from error


def confirmation_url(member: Member, site_url: str) -> str:
    path = reverse("registration:confirm", args=[confirmation_token(member)])
    return site_url.rstrip("/") + path


def _send_confirmation(member: Member, *, site_url: str) -> None:
    from core.selectors import get_library
    from core.tasks import send_email

    library = get_library()
    with translation.override(member.preferred_language):
        context = {
            "member": member,
            "library": library,
            "url": confirmation_url(member, site_url),
            "days": CONFIRMATION_DAYS,
        }
        subject = render_to_string("patrons/email/confirm_subject.txt", context).strip()
        body = render_to_string("patrons/email/confirm.txt", context)
    recipient = member.email
    transaction.on_commit(lambda: send_email.enqueue(subject, body, [recipient]))


# ---------------------------------------------------------------------------------------------
# Register, confirm


@transaction.atomic
def self_register(
    data: dict[str, Any], *, password: str, site_url: str, at: dt.datetime | None = None
) -> Member:
    """A member registers themselves on the web. Creates the member (PENDING) and a sign-in
    account, and e-mails the confirmation link after commit."""
    at = at or timezone.now()
    data = dict(data)
    consent = data.pop("guardian_consent", False)
    photo = data.pop("photo", None)
    category = _category(data.pop("category", None))
    email = data["email"].strip()
    User = get_user_model()
    if User.objects.filter(email__iexact=email).exists():
        raise EmailInUseError()
    number = new_member_numbers()[0]
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    member = Member(
        number=number,
        category=category,
        status=MemberStatus.PENDING,
        registered_via=RegistrationChannel.ONLINE,
        joined_on=timezone.localdate(at),
        preferred_language=language,
        **data,
    )
    if consent and category.requires_guardian:
        member.guardian_consent_at = at
    if photo:
        member.photo = photo
    _check_identity(member)
    member.full_clean(validate_constraints=False, exclude=["user"])
    member.user = create_member_account(member, password=password, email=email, language=language)
    _save_checked(member)
    audit.record("member.create", actor=None, subject=member, details={"channel": "online"})
    _send_confirmation(member, site_url=site_url)
    return member


@transaction.atomic
def confirm_registration(token: str, *, at: dt.datetime | None = None) -> Member:
    """The member opened the e-mailed link. Confirming twice is harmless."""
    at = at or timezone.now()
    pk = _member_pk_from(token, max_age=dt.timedelta(days=CONFIRMATION_DAYS))
    try:
        member = locks.member_for_update(pk)
    except Member.DoesNotExist as error:
        raise ConfirmationLinkInvalidError() from error
    if member.status == MemberStatus.ACTIVE:
        return member
    if member.status != MemberStatus.PENDING:
        raise NotPendingError(status=member.get_status_display())
    activate(member, at=at)
    audit.record("member.confirm", actor=member.user, subject=member, details={"via": "link"})
    return member


def member_for_token(token: str) -> Member:
    """The member a (possibly expired, but genuine) link was made for."""
    pk = _member_pk_from(token, max_age=None)
    member = Member.objects.filter(pk=pk).first()
    if member is None:
        raise ConfirmationLinkInvalidError()
    return member


def resend_confirmation(token: str, *, site_url: str) -> Member:
    """A new link for the member an expired link was made for, sent to the address they gave
    (never to one typed now, so the link cannot be redirected). Counts against the limit."""
    note_signup_attempt()
    with transaction.atomic():
        member = member_for_token(token)
        if member.status != MemberStatus.PENDING:
            raise NotPendingError(status=member.get_status_display())
        _send_confirmation(member, site_url=site_url)
        audit.record("member.confirmation_resent", actor=None, subject=member)
    return member
