"""Events fixtures: the `library` (two branches), a coordinator, a librarian at the door,
members, and `make_event` (published, a week ahead, at 09.00 local)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def branches(library):
    from core.models import Branch

    return Branch.objects.get(code="pusat"), Branch.objects.get(code="cabang")


@pytest.fixture
def coordinator(make_user, library):
    return make_user("koordinator", roles={"programme_coordinator"})


@pytest.fixture
def librarian(make_user, library):
    return make_user("siti", roles={"librarian"})


@pytest.fixture
def make_member(library, branches, member_categories):
    from patrons.models import Member

    counter = iter(range(1, 10_000))

    def factory(name=None, **extra):
        n = next(counter)
        values = {
            "number": f"M{n:05d}",
            "full_name": name or f"Anggota {n}",
            "category_id": "general",
            "email": f"m{n}@example.org",
            "joined_on": dt.date(2026, 1, 1),
            "expires_on": dt.date(2030, 12, 31),
            "home_branch": branches[0],
        }
        return Member.objects.create(**{**values, **extra})

    return factory


@pytest.fixture
def member(make_member):
    return make_member("Rina Wulandari")


@pytest.fixture
def make_event(branches):
    from events.models import Event

    def factory(**extra):
        day = timezone.localdate() + dt.timedelta(days=7)
        values = {
            "title": "Baca Bersama",
            "kind": "book_discussion",
            "branch": branches[0],
            "place": "Ruang Diskusi",
            "starts_at": local(day, 9),
            "ends_at": local(day, 11),
            "status": "published",
            "capacity": 20,
        }
        values.update(extra)
        return Event.objects.create(**values)

    return factory


@pytest.fixture
def event(make_event):
    return make_event()
