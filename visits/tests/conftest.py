"""Visitor log fixtures: the test library's two branches, members, a record with items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings


@pytest.fixture
def branches(library):
    from core.models import Branch

    return Branch.objects.get(code="pusat"), Branch.objects.get(code="cabang")


@pytest.fixture
def make_member(library, branches, member_categories):
    from patrons.models import Member

    counter = iter(range(1, 1000))

    def factory(name="Rina Wulandari", *, category="general", **extra):
        n = next(counter)
        values = {
            "number": f"A{n:08d}",
            "full_name": name,
            "category_id": category,
            "email": f"m{n}@example.org",
            "joined_on": dt.date(2026, 1, 1),
            "expires_on": dt.date(2027, 12, 31),
        }
        return Member.objects.create(**{**values, **extra})

    return factory


@pytest.fixture
def item(library, branches):
    from catalog.models import Item
    from catalog.records import ParsedRecord
    from catalog.services import save_parsed_record

    record = save_parsed_record(ParsedRecord(title="Bumi manusia", year=1980)).record
    return Item.objects.create(
        record=record, barcode="B00001", rfid_tag="E2800001", branch=branches[0]
    )


@pytest.fixture
def english(client):
    """Tests read the English source strings, whatever the catalogues translate."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
