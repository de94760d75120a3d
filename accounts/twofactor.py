"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238) through django-otp."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import requires_two_factor


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(user) -> bool:
    """True when this user must enter a code at sign-in (has a device, or the role requires one)."""
    return requires_two_factor(user) or has_two_factor(user)


def start_enrolment(user) -> TOTPDevice:
    """A fresh, unconfirmed device for the user to scan; earlier unconfirmed ones are dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code, for an authenticator app to scan."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=4, dark="#000", light="#fff", title=settings.OTP_TOTP_ISSUER)


def verify_code(device: TOTPDevice, code: str) -> bool:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != device.digits:
        return False
    return bool(device.verify_token(code))
