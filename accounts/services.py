"""Sign-in, roles, two-factor devices and API tokens.

Sign-in is split in two steps because staff may need a second factor: `check_password_step`
says who the person is (or raises), `check_second_factor` confirms the code. The view logs the
user into the session only when both have passed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import formats, timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import throttle, twofactor
from accounts.errors import (
    InvalidCredentialsError,
    InvalidTwoFactorCodeError,
    SignInLockedError,
    SignInTooSoonError,
    TwoFactorRequiredError,
)
from accounts.models import ApiToken, hash_token
from accounts.roles import Role, requires_two_factor, role_group_name
from core import audit
from core.permissions import require

User = get_user_model()

API_TOKEN_DAYS = 180


@dataclass(frozen=True)
class PasswordStep:
    user: User
    needs_second_factor: bool
    needs_enrolment: bool


def _raise_if_throttled(account: str, address: str | None, at: dt.datetime) -> None:
    verdict = throttle.check(account, address, at=at)
    if verdict.allowed:
        return
    if verdict.locked:
        local = timezone.localtime(verdict.retry_at)
        raise SignInLockedError(time=formats.time_format(local))
    raise SignInTooSoonError(seconds=verdict.wait_seconds)


def _count_failure(account: str, address: str | None, at: dt.datetime, user=None) -> None:
    outcome = throttle.record_failure(account, address, at=at)
    for scope in outcome.locked_scopes:
        audit.record(
            "auth.locked",
            actor=None,
            subject=user,
            subject_repr=account if user is None else "",
            details={"scope": scope, "account": throttle.normalise_account(account)},
        )


def check_password_step(
    username: str, password: str, *, address: str | None, at: dt.datetime | None = None
) -> PasswordStep:
    """First step of signing in. Raises InvalidCredentialsError, SignInLockedError or
    SignInTooSoonError; counts failures per account name and per address."""
    at = at or timezone.now()
    _raise_if_throttled(username, address, at)
    user = authenticate(username=username, password=password)
    if user is None:
        _count_failure(username, address, at)
        audit.record(
            "auth.login_failed",
            actor=None,
            subject_repr=throttle.normalise_account(username),
            details={"step": "password"},
        )
        raise InvalidCredentialsError()
    has_device = twofactor.has_two_factor(user)
    return PasswordStep(
        user=user,
        needs_second_factor=has_device or requires_two_factor(user),
        needs_enrolment=requires_two_factor(user) and not has_device,
    )


def check_second_factor(
    user, code: str, *, address: str | None, at: dt.datetime | None = None
) -> TOTPDevice:
    """Second step: the code from the user's authenticator app. Wrong codes count as failures."""
    at = at or timezone.now()
    _raise_if_throttled(user.get_username(), address, at)
    device = twofactor.confirmed_device(user)
    if device is None or not twofactor.verify_code(device, code):
        _count_failure(user.get_username(), address, at, user=user)
        audit.record("auth.2fa_failed", actor=user, subject=user)
        raise InvalidTwoFactorCodeError()
    return device


def signed_in(user, *, second_factor: bool, at: dt.datetime | None = None) -> None:
    """Record a completed sign-in: clear the failure count and write the audit entry."""
    throttle.record_success(user.get_username(), at=at)
    audit.record("auth.login", actor=user, subject=user, details={"two_factor": second_factor})


def password_changed(user) -> None:
    audit.record("auth.password_changed", actor=user, subject=user)


def signed_out(user) -> None:
    if user is not None and user.is_authenticated:
        audit.record("auth.logout", actor=user, subject=user)


@transaction.atomic
def confirm_two_factor(user, device: TOTPDevice, code: str) -> TOTPDevice:
    """Finish enrolment: the first code from the app proves it holds the secret."""
    if device.user_id != user.pk or device.confirmed:
        raise InvalidTwoFactorCodeError()
    if not twofactor.verify_code(device, code):
        raise InvalidTwoFactorCodeError()
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record("auth.2fa_enabled", actor=user, subject=user)
    return device


@transaction.atomic
def disable_two_factor(user, *, by) -> None:
    """Remove a user's second factor: by themselves (if their role allows) or by a sysadmin."""
    if by.pk == user.pk:
        if requires_two_factor(user):
            raise TwoFactorRequiredError()
    else:
        require(by, "accounts.manage_roles")
    TOTPDevice.objects.filter(user=user).delete()
    audit.record("auth.2fa_disabled", actor=by, subject=user)


def unlock_sign_in(username: str, *, by) -> int:
    if by is not None:
        require(by, "accounts.change_loginthrottle")
    cleared = throttle.unlock(username)
    audit.record("auth.unlock", actor=by, subject_repr=throttle.normalise_account(username))
    return cleared


@transaction.atomic
def set_roles(user, roles: set[Role], *, by) -> None:
    """Give `user` exactly `roles` (system administrator)."""
    if by is not None:
        require(by, "accounts.manage_roles")
    groups = [Group.objects.get_or_create(name=role_group_name(r))[0] for r in roles]
    before = sorted(g.name for g in user.groups.all())
    user.groups.set(groups)
    user._pustaka_roles = None
    for cached in ("_group_perm_cache", "_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cached, None)  # permissions follow the roles from now on
    user.is_staff = Role.SYSADMIN in roles  # the Django admin site is for system administrators
    user.save(update_fields=["is_staff"])
    audit.record(
        "user.roles",
        actor=by,
        subject=user,
        details={"before": before, "after": sorted(g.name for g in groups)},
    )


@transaction.atomic
def create_user(
    username: str,
    *,
    password: str | None,
    roles: set[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    preferred_language: str | None = None,
    by,
) -> User:
    """Create a user account with roles. `by=None` only from trusted code (demo, commands)."""
    if by is not None:
        require(by, "accounts.add_user")
        require(by, "accounts.manage_roles")
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if preferred_language:
        user.preferred_language = preferred_language
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record("user.create", actor=by, subject=user)
    set_roles(user, roles, by=by)
    return user


def set_preferred_language(user, language: str) -> None:
    if user.is_authenticated and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def issue_api_token(
    user, *, name: str = "app", days: int = API_TOKEN_DAYS, at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new bearer token for the REST API. The raw token is returned once and never stored."""
    at = at or timezone.now()
    raw = "pus_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[4:12],
        key_hash=hash_token(raw),
        created_at=at,
        expires_at=at + dt.timedelta(days=days),
    )
    audit.record("api.token_issued", actor=user, subject=user, details={"name": token.name})
    return token, raw


API_TOKEN_TOUCH_EVERY = dt.timedelta(minutes=5)


def note_api_token_use(token: ApiToken, *, at: dt.datetime | None = None) -> None:
    """Remember when a token was last used (written at most every few minutes)."""
    at = at or timezone.now()
    if token.last_used_at is None or at - token.last_used_at > API_TOKEN_TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)


def revoke_api_token(token: ApiToken, *, by) -> None:
    audit.record("api.token_revoked", actor=by, subject=token.user, details={"name": token.name})
    token.delete()
