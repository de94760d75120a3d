"""The only row locks in circulation. Lock in this order everywhere: item (the copy scanned,
then any other copy the change frees), then record, then member, then hold (a hold's row is
locked by the services that change it, after these). Each helper re-reads the row under the
lock and forces evaluation. The statements are
compiled once per connection (`core.compiled`): every scan takes one or two of these locks."""

from __future__ import annotations

from catalog.models import Item, Record
from core.compiled import CompiledQuery
from patrons.models import Member

# The record comes along for its material type and title, not its stored MARC record or long
# texts (parsing the MARC JSON on every scan cost more than the rest of the row).
_ITEM = CompiledQuery(
    lambda pk: (
        Item.objects.select_for_update(of=("self",))
        .select_related("record", "branch")
        .defer("record__marc", "record__summary", "record__notes")  # RECORD_LONG_FIELDS
        .filter(pk=pk)
        .order_by()  # one row: no sort by the models' default orderings
    ),
    pk=int,
)
_RECORD = CompiledQuery(
    lambda pk: (
        Record.objects.select_for_update().only("pk", "material_type").filter(pk=pk).order_by()
    ),
    pk=int,
)
_MEMBER = CompiledQuery(
    lambda pk: (
        Member.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk=pk)
        .order_by()
    ),
    pk=int,
)


def item_for_update(pk: int) -> Item:
    return _ITEM.get(pk=int(pk))


def record_for_update(pk: int) -> Record:
    return _RECORD.get(pk=int(pk))


def member_for_update(pk: int) -> Member:
    return _MEMBER.get(pk=int(pk))
