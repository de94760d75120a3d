"""Kiosk PINs: hashed, 4 to 8 digits, set by staff or the member, locked after wrong tries."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import PermissionDeniedError
from patrons.models import Member
from patrons.services.pins import InvalidPinError, check_pin, pin_locked, set_pin

pytestmark = pytest.mark.django_db


@pytest.fixture
def rina(library, member_categories):
    return Member.objects.create(number="M1", full_name="Rina", joined_on=dt.date(2026, 1, 1))


def test_staff_set_a_hashed_pin(rina, make_user):
    librarian = make_user("siti", roles={"librarian"})
    set_pin(rina, "2468", by=librarian)
    rina.refresh_from_db()
    assert rina.pin_hash.startswith("pbkdf2_sha256$20000$") and "2468" not in rina.pin_hash
    assert check_pin(rina, "2468") and not check_pin(rina, "2469")
    assert not check_pin(rina, "")


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "１２３４"])
def test_invalid_pins(rina, make_user, pin):
    with pytest.raises(InvalidPinError):
        set_pin(rina, pin, by=make_user("siti", roles={"librarian"}))


def test_the_member_sets_their_own_but_not_anothers(rina, make_user):
    user = make_user("rina", roles={"member"})
    rina.user = user
    rina.save()
    set_pin(rina, "1357", by=user)
    other = Member.objects.create(number="M2", full_name="Budi", joined_on=dt.date(2026, 1, 1))
    with pytest.raises(PermissionDeniedError):
        set_pin(other, "1357", by=user)


def test_clearing_and_locking(rina, make_user):
    librarian = make_user("siti", roles={"librarian"})
    rina = set_pin(rina, "2468", by=librarian)
    for _ in range(5):
        assert not check_pin(rina, "0000")
    assert pin_locked(rina) and not check_pin(rina, "2468")
    rina = set_pin(rina, "8642", by=librarian)  # a new PIN from the desk lifts the lock
    assert check_pin(rina, "8642")
    set_pin(rina, "", by=librarian)
    rina.refresh_from_db()
    assert rina.pin_hash == "" and not check_pin(rina, "8642")


def test_management_command(rina):
    from django.core.management import call_command

    call_command("member_pin", "M1", "--pin", "5555")
    rina.refresh_from_db()
    assert check_pin(rina, "5555")
    call_command("member_pin", "M1", "--clear")
    rina.refresh_from_db()
    assert rina.pin_hash == ""
