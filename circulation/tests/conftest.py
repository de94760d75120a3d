"""Circulation fixtures: a small library with a record, copies in two branches, members."""

from __future__ import annotations

import datetime as dt

import pytest

# Monday 23 November 2026, 10:00 WITA (the `library` fixture's time zone is Asia/Makassar).
MONDAY = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def branches(library):
    from core.models import Branch

    return Branch.objects.get(code="pusat"), Branch.objects.get(code="cabang")


@pytest.fixture
def record(library):
    from catalog.records import ParsedRecord
    from catalog.services import save_parsed_record

    return save_parsed_record(ParsedRecord(title="Laskar pelangi", year=2005)).record


@pytest.fixture
def make_item(record, branches):
    from catalog.models import Item

    counter = iter(range(1, 1000))

    def factory(*, branch=None, price=50000, rec=None, **extra):
        return Item.objects.create(
            record=rec or record,
            barcode=f"I{next(counter):05d}",
            branch=branch or branches[0],
            price=price,
            **extra,
        )

    return factory


@pytest.fixture
def item(make_item):
    return make_item()


@pytest.fixture
def make_member(library, branches, member_categories):
    from patrons.models import Member

    counter = iter(range(1, 1000))

    def factory(name=None, *, category="general", **extra):
        n = next(counter)
        values = {
            "number": f"M{n:05d}",
            "full_name": name or f"Anggota {n}",
            "category_id": category,
            "email": f"m{n}@example.org",
            "joined_on": dt.date(2026, 1, 1),
            "expires_on": dt.date(2027, 12, 31),
            "home_branch": branches[0],
        }
        return Member.objects.create(**{**values, **extra})

    return factory


@pytest.fixture
def member(make_member):
    return make_member("Rina")


@pytest.fixture
def librarian(make_user, library):
    return make_user("siti", roles={"librarian"})


@pytest.fixture
def head(make_user, library):
    return make_user("kepala", roles={"head"})
