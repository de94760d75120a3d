from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def branches(library):
    from core.models import Branch

    return Branch.objects.get(code="pusat"), Branch.objects.get(code="cabang")


@pytest.fixture
def make_member(library, branches, member_categories, make_user):
    from patrons.models import Member

    counter = iter(range(1, 1000))

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
            "user": make_user(f"anggota{n}", roles={"member"}),
        }
        return Member.objects.create(**{**values, **extra})

    return factory


@pytest.fixture
def librarian(make_user, library):
    return make_user("siti", roles={"librarian"})


@pytest.fixture
def make_record(library):
    from catalog.records import ParsedRecord
    from catalog.services import save_parsed_record

    def factory(title="Laskar pelangi", isbn=""):
        return save_parsed_record(
            ParsedRecord(title=title, isbns=[isbn] if isbn else [], year=2005)
        ).record

    return factory
