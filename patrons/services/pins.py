"""Members' kiosk PINs (SIP2 self-check): set by staff or the member, stored hashed."""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy

from core import audit
from core.permissions import require
from patrons import locks
from patrons.errors import MembershipError
from patrons.models import Member

PIN_MIN, PIN_MAX = 4, 8
# A PIN of 4 to 8 digits has at most 10^8 values, so a slow hash adds little against someone
# holding the database; what protects a PIN is the lock after a few wrong tries. Kiosks send the
# PIN with every message, so it is hashed with far fewer PBKDF2 rounds than a password (a few
# milliseconds, not half a second per check).
PIN_ITERATIONS = 20_000
MAX_FAILURES = 5  # wrong PINs in a row …
LOCK_SECONDS = 15 * 60  # … lock PIN checks for this long

audit.register_actions({"member.pin": gettext_lazy("Set a member's kiosk PIN")})


class InvalidPinError(MembershipError):
    code = "invalid_pin"
    message = gettext_lazy("A PIN is 4 to 8 digits.")


def valid_pin(pin: str) -> bool:
    return pin.isascii() and pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX


@transaction.atomic
def set_pin(member: Member, pin: str, *, by) -> Member:
    """Set (or, with an empty `pin`, clear) the member's kiosk PIN. `by` is a staff user with
    patrons.change_member, or the member's own sign-in account; None only from the
    `member_pin` management command (run by the system administrator)."""
    own = by is not None and member.user_id is not None and member.user_id == by.pk
    if by is not None and not own:
        require(by, "patrons.change_member")
    pin = (pin or "").strip()
    if pin and not valid_pin(pin):
        raise InvalidPinError()
    member = locks.member_for_update(member.pk)
    member.pin_hash = hash_pin(pin) if pin else ""
    member.save(update_fields=["pin_hash", "updated_at"])
    cache.delete(_failures_key(member))
    audit.record("member.pin", actor=by, subject=member, details={"cleared": not pin})
    return member


def hash_pin(pin: str) -> str:
    hasher = PBKDF2PasswordHasher()
    return hasher.encode(pin, hasher.salt(), iterations=PIN_ITERATIONS)


def _matches(pin: str, encoded: str) -> bool:
    if encoded.startswith(f"{PBKDF2PasswordHasher.algorithm}$"):
        return PBKDF2PasswordHasher().verify(pin, encoded)
    return check_password(pin, encoded)


def _failures_key(member: Member) -> str:
    return f"pin-failures:{member.pk}"


def pin_locked(member: Member) -> bool:
    """Too many wrong PINs lately: no PIN is accepted until the lock passes (guessing a
    four-digit PIN at a kiosk must not be practical)."""
    return cache.get(_failures_key(member), 0) >= MAX_FAILURES


def check_pin(member: Member, pin: str) -> bool:
    """Does `pin` match? A member without a PIN, or an empty PIN, never matches. A wrong PIN
    counts towards the lock (an empty one does not: kiosks ask without a PIN to look a card up);
    a right one clears the count."""
    if not pin or not member.pin_hash:
        return False
    if pin_locked(member):
        return False
    if _matches(pin, member.pin_hash):
        cache.delete(_failures_key(member))
        return True
    key = _failures_key(member)
    cache.add(key, 0, LOCK_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOCK_SECONDS)
    return False
