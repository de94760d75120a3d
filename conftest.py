"""Fixtures shared by every app's tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True, scope="session")
def _remove_test_media():
    """Uploads made by the tests go to a temporary folder (config.settings.test), removed at
    the end of the run."""
    import shutil
    import tempfile
    from pathlib import Path

    from django.conf import settings

    yield
    media = Path(settings.MEDIA_ROOT)
    if media.name.startswith("pustaka-test-media-") and media.parent == Path(tempfile.gettempdir()):
        shutil.rmtree(media, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    """The library profile is cached; each test starts from its own database state."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code that runs outside a request (services, commands, tasks) speaks English in tests
    unless a test asks for another language, and no language leaks from one test into the next
    (a request activates its own language in core.middleware, as in production)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def library(db):
    """A small library: two branches with weekday hours, Asia/Makassar time."""
    from core.models import Branch, Library, OpeningPeriod

    # A thread of the previous browser test (its live server) may have recreated the default
    # profile after that test's flush; this test's library replaces it.
    Library.objects.all().delete()
    lib = Library.objects.create(
        name="Perpustakaan Uji",
        address="Jl. Uji No. 1",
        city="Samarinda",
        phone="0541 123",
        email="uji@example.org",
        time_zone="Asia/Makassar",
    )
    main = Branch.objects.create(code="pusat", name="Pusat", is_main=True, position=0)
    other = Branch.objects.create(code="cabang", name="Cabang", position=1)
    for branch in (main, other):
        OpeningPeriod.objects.bulk_create(
            OpeningPeriod(branch=branch, weekday=d, opens_at=dt.time(8), closes_at=dt.time(16))
            for d in range(5)
        )
    OpeningPeriod.objects.create(branch=main, weekday=5, opens_at=dt.time(9), closes_at=dt.time(13))
    return lib


@pytest.fixture
def member_categories(db):
    """The default member categories. Migrations create them, but a transactional test's flush
    removes them for the tests that follow, so tests that need them ask for this."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("patrons.migrations.0002_categories_and_membership")
    migration.create_default_categories(apps, None)


@pytest.fixture
def make_user(db):
    """make_user("name", roles={"librarian"}, totp=True) -> user; password is 'secret-pass-1'."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.roles import Role
    from accounts.services import create_user

    def factory(username: str = "user", *, roles=(), totp: bool = False, **extra):
        user = create_user(
            username,
            password="secret-pass-1",
            roles={Role(r) for r in roles},
            email=extra.pop("email", f"{username}@example.org"),
            by=None,
            **extra,
        )
        if totp:
            TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        return user

    return factory


def totp_code(user, *, at: dt.datetime | None = None) -> str:
    """The code a user's authenticator app shows now (or at `at`)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = at.timestamp() if at else time.time()
    return f"{generator.token():0{device.digits}d}"
