"""The only row locks in circulation. Lock in this order everywhere: item, then record, then
member. Each helper re-reads the row under the lock and forces evaluation."""

from __future__ import annotations

from catalog.models import Item, Record
from patrons.models import Member


def item_for_update(pk: int) -> Item:
    # The record comes along for its material type and title, not its stored MARC record or
    # long texts (parsing the MARC JSON on every scan cost more than the rest of the row).
    return (
        Item.objects.select_for_update(of=("self",))
        .select_related("record", "branch")
        .defer("record__marc", "record__summary", "record__notes")  # RECORD_LONG_FIELDS
        .get(pk=pk)
    )


def record_for_update(pk: int) -> Record:
    return Record.objects.select_for_update().only("pk", "material_type").get(pk=pk)


def member_for_update(pk: int) -> Member:
    return Member.objects.select_for_update(of=("self",)).select_related("category").get(pk=pk)
