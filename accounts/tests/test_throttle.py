"""Repeated failed sign-ins slow down, then lock, per account and per address."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from accounts import throttle
from accounts.models import LoginThrottle
from core.models import AuditEntry

pytestmark = pytest.mark.django_db
LOGIN = "/account/login/"
T0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def attempt(client, username="rina", password="wrong", address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def member(make_user, library):
    return make_user("rina", roles={"member"})


def test_three_failures_then_a_short_wait(client, member, settings):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(settings.PUSTAKA_LOGIN_SLOWDOWN_AFTER):
            assert attempt(client).status_code == 401
        response = attempt(client, password="secret-pass-1")
        assert response.status_code == 429  # even the right password must wait
        assert "_auth_user_id" not in client.session
        clock.shift(dt.timedelta(seconds=2))
        assert attempt(client, password="secret-pass-1").status_code == 302


def test_waits_double_with_each_further_failure(member, settings):
    at = T0
    for _ in range(settings.PUSTAKA_LOGIN_SLOWDOWN_AFTER + 3):
        outcome = throttle.record_failure("rina", None, at=at)
        at = outcome.verdict.retry_at or at
    # failures = slowdown + 3 -> wait 2**3 = 8 seconds after the last failure
    row = LoginThrottle.objects.get(scope="account", key="rina")
    assert outcome.verdict.retry_at == row.last_failure_at + dt.timedelta(seconds=8)


def test_account_locks_after_the_limit_and_says_until_when(client, member, settings):
    settings.PUSTAKA_LOGIN_SLOWDOWN_AFTER = 100
    settings.PUSTAKA_LOGIN_LOCKOUT_AFTER = 4
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(4):
            attempt(client)
        response = attempt(client, password="secret-pass-1")
        assert response.status_code == 429
        assert "10.15" in response.content.decode()  # 02:00 UTC + 15 min = 10:15 WITA
        assert AuditEntry.objects.filter(action="auth.locked").count() == 1
        clock.shift(dt.timedelta(minutes=14))
        assert attempt(client, password="secret-pass-1").status_code == 429
        clock.shift(dt.timedelta(minutes=2))
        assert attempt(client, password="secret-pass-1").status_code == 302


def test_lock_is_per_account_not_for_everyone(client, member, make_user, settings):
    settings.PUSTAKA_LOGIN_SLOWDOWN_AFTER = 100
    settings.PUSTAKA_LOGIN_LOCKOUT_AFTER = 3
    make_user("budi", roles={"member"})
    for _ in range(3):
        attempt(client, address="10.0.0.9")
    assert attempt(client, "budi", "secret-pass-1", address="10.0.0.2").status_code == 302


def test_one_address_trying_many_accounts_is_locked(client, library, settings, make_user):
    settings.PUSTAKA_LOGIN_SLOWDOWN_AFTER = 100
    settings.PUSTAKA_LOGIN_LOCKOUT_AFTER = 100
    settings.PUSTAKA_LOGIN_ADDRESS_LOCKOUT_AFTER = 5
    make_user("budi", roles={"member"})
    with time_machine.travel(T0, tick=False):
        for n in range(5):
            attempt(client, username=f"guess{n}", address="10.9.9.9")
        assert attempt(client, "budi", "secret-pass-1", address="10.9.9.9").status_code == 429
        assert attempt(client, "budi", "secret-pass-1", address="10.9.9.8").status_code == 302


def test_success_clears_the_account_count(client, member):
    attempt(client)
    attempt(client)
    assert attempt(client, password="secret-pass-1").status_code == 302
    assert not LoginThrottle.objects.filter(scope="account", key="rina").exists()


def test_unknown_accounts_are_throttled_like_known_ones(client, library, settings):
    settings.PUSTAKA_LOGIN_SLOWDOWN_AFTER = 100
    settings.PUSTAKA_LOGIN_LOCKOUT_AFTER = 2
    attempt(client, username="ghost")
    attempt(client, username="ghost")
    assert attempt(client, username="ghost").status_code == 429


def test_administrator_unlocks_an_account_by_command(client, member, settings):
    settings.PUSTAKA_LOGIN_SLOWDOWN_AFTER = 100
    settings.PUSTAKA_LOGIN_LOCKOUT_AFTER = 2
    attempt(client)
    attempt(client)
    assert attempt(client, password="secret-pass-1").status_code == 429
    call_command("accounts_unlock", "RINA")
    # From the member's own phone (the desk's address has its own, separate count).
    assert attempt(client, password="secret-pass-1", address="10.0.0.77").status_code == 302
    assert AuditEntry.objects.filter(action="auth.unlock").exists()
