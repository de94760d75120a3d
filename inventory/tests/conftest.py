"""Stocktake fixtures: two branches, one record, items on shelves A to D at the main branch."""

from __future__ import annotations

import pytest


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

    counter = iter(range(1, 100000))

    def factory(*, branch=None, shelf="A-01", **extra):
        n = next(counter)
        return Item.objects.create(
            record=extra.pop("rec", record),
            barcode=extra.pop("barcode", f"B{n:05d}"),
            branch=branch or branches[0],
            shelf_location=shelf,
            **extra,
        )

    return factory


@pytest.fixture
def cataloguer(make_user, library):
    return make_user("katalog", roles={"cataloguer"})


@pytest.fixture
def session(branches, cataloguer):
    from inventory.services import start_session

    return start_session(branches[0], by=cataloguer)
