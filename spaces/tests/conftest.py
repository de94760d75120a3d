"""Spaces fixtures: the test library (weekdays 8-16, Saturday 9-13 at the main branch, WITA),
a discussion room, a projector and members."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
# Monday 23 November 2026, 10:00 WITA.
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=WITA)


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in November 2026, library time."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=WITA)


@pytest.fixture
def now():
    import time_machine

    with time_machine.travel(MONDAY, tick=False):
        yield MONDAY


@pytest.fixture
def branches(library):
    from core.models import Branch

    return Branch.objects.get(code="pusat"), Branch.objects.get(code="cabang")


@pytest.fixture
def room(branches):
    from spaces.models import Space

    return Space.objects.create(
        branch=branches[0],
        kind="discussion_room",
        name="Ruang Diskusi 1",
        capacity=8,
        features=["projector", "wifi"],
    )


@pytest.fixture
def projector(branches):
    from spaces.models import Equipment

    return Equipment.objects.create(branch=branches[0], kind="projector", name="Proyektor A")


@pytest.fixture
def make_member(library, branches, member_categories):
    from patrons.models import Member

    counter = iter(range(1, 10000))

    def factory(name=None, *, category="general", user=None, **extra):
        n = next(counter)
        values = {
            "number": f"S{n:05d}",
            "full_name": name or f"Anggota {n}",
            "category_id": category,
            "email": f"s{n}@example.org",
            "joined_on": dt.date(2026, 1, 1),
            "expires_on": dt.date(2027, 12, 31),
            "home_branch": branches[0],
            "status": "active",
            "user": user,
        }
        return Member.objects.create(**{**values, **extra})

    return factory


@pytest.fixture
def member(make_member, make_user):
    return make_member("Rina", user=make_user("rina", roles={"member"}))


@pytest.fixture
def librarian(make_user, library):
    return make_user("siti", roles={"librarian"})
