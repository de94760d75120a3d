"""Sign-in throttling: failures slow down, then lock, per account name and per network address.

Kept in the database (not the cache) so that every web process sees the same counts.

- After PUSTAKA_LOGIN_SLOWDOWN_AFTER failures, each further try must wait: 1, 2, 4 … seconds
  after the last failure, at most 60.
- After PUSTAKA_LOGIN_LOCKOUT_AFTER failures on one account (or
  PUSTAKA_LOGIN_ADDRESS_LOCKOUT_AFTER from one address), it is locked for
  PUSTAKA_LOGIN_LOCKOUT_MINUTES. A successful sign-in clears the account's count.

django-axes locks but has no slow-down step and keeps its own audit trail; this is the small
piece we need, on our own audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import LoginThrottle, ThrottleScope

MAX_WAIT_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    locked: bool = False
    retry_at: dt.datetime | None = None

    @property
    def wait_seconds(self) -> int:
        if self.retry_at is None:
            return 0
        return max(1, int((self.retry_at - timezone.now()).total_seconds() + 0.999))


def normalise_account(name: str) -> str:
    return (name or "").strip().lower()[:150]


def _keys(account: str, address: str | None) -> list[tuple[str, str]]:
    keys = [(ThrottleScope.ACCOUNT, normalise_account(account))]
    if address:
        keys.append((ThrottleScope.ADDRESS, address))
    return keys


def _lockout_after(scope: str) -> int:
    if scope == ThrottleScope.ADDRESS:
        return settings.PUSTAKA_LOGIN_ADDRESS_LOCKOUT_AFTER
    return settings.PUSTAKA_LOGIN_LOCKOUT_AFTER


def _slowdown_after(scope: str) -> int:
    if scope == ThrottleScope.ADDRESS:
        # An address is shared (a school, a café): slow it down only well after one account.
        return settings.PUSTAKA_LOGIN_LOCKOUT_AFTER
    return settings.PUSTAKA_LOGIN_SLOWDOWN_AFTER


def _wait_for(failures: int, scope: str) -> dt.timedelta:
    over = failures - _slowdown_after(scope)
    if over < 0:
        return dt.timedelta(0)
    return dt.timedelta(seconds=min(2**over, MAX_WAIT_SECONDS))


def check(account: str, address: str | None, *, at: dt.datetime | None = None) -> Verdict:
    """May this account, from this address, try to sign in now?"""
    at = at or timezone.now()
    worst = Verdict(allowed=True)
    for scope, key in _keys(account, address):
        row = LoginThrottle.objects.filter(scope=scope, key=key).first()
        if row is None or not row.failures:
            continue
        if row.locked_until:
            if row.locked_until > at:
                return Verdict(allowed=False, locked=True, retry_at=row.locked_until)
            continue  # lock served; `record_failure` starts counting afresh
        if row.last_failure_at:
            retry_at = row.last_failure_at + _wait_for(row.failures, scope)
            if retry_at > at and (worst.retry_at is None or retry_at > worst.retry_at):
                worst = Verdict(allowed=False, retry_at=retry_at)
    return worst


@dataclass(frozen=True)
class FailureOutcome:
    verdict: Verdict
    locked_scopes: tuple[str, ...]  # scopes this failure has just locked


def record_failure(
    account: str, address: str | None, *, at: dt.datetime | None = None
) -> FailureOutcome:
    """Count a failed try; says what the next try faces and whether this one locked anything."""
    at = at or timezone.now()
    locked: list[str] = []
    with transaction.atomic():
        for scope, key in _keys(account, address):
            row, _created = LoginThrottle.objects.get_or_create(scope=scope, key=key)
            if row.locked_until and row.locked_until <= at:
                # The lock was served: count afresh.
                LoginThrottle.objects.filter(pk=row.pk).update(failures=0, locked_until=None)
            LoginThrottle.objects.filter(pk=row.pk).update(
                failures=F("failures") + 1, last_failure_at=at
            )
            row.refresh_from_db()
            if row.failures >= _lockout_after(scope) and not row.is_locked(at):
                row.locked_until = at + dt.timedelta(minutes=settings.PUSTAKA_LOGIN_LOCKOUT_MINUTES)
                row.save(update_fields=["locked_until"])
                locked.append(scope)
    return FailureOutcome(check(account, address, at=at), tuple(locked))


def record_success(account: str, *, at: dt.datetime | None = None) -> None:
    LoginThrottle.objects.filter(
        scope=ThrottleScope.ACCOUNT, key=normalise_account(account)
    ).delete()


def unlock(account: str) -> int:
    """Clear an account's count and lock (system administrator, `pustaka accounts_unlock`)."""
    deleted, _detail = LoginThrottle.objects.filter(
        scope=ThrottleScope.ACCOUNT, key=normalise_account(account)
    ).delete()
    return deleted
