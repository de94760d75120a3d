"""Reads of records and items used by the OPAC, the cataloguing screens, the API and exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from catalog.identifiers import isbn_or_none
from catalog.models import (
    AVAILABLE_STATUSES,
    HIDDEN_STATUSES,
    Contributor,
    IdentifierKind,
    Item,
    Record,
    RecordContributor,
    RecordIdentifier,
    RecordSubject,
    Subject,
)
from catalog.normalize import heading_key
from core.models import Branch


def records_with_headings() -> QuerySet[Record]:
    """Records with contributors and subjects prefetched in order (two extra queries)."""
    return Record.objects.prefetch_related(
        Prefetch(
            "record_contributors",
            queryset=RecordContributor.objects.select_related("contributor").order_by("position"),
        ),
        Prefetch(
            "record_subjects",
            queryset=RecordSubject.objects.select_related("subject").order_by("position"),
        ),
    )


def get_record(pk: int) -> Record | None:
    return records_with_headings().filter(pk=pk).first()


def visible_items(record: Record) -> QuerySet[Item]:
    """A record's copies that the catalogue shows (not withdrawn or lost), by branch."""
    return (
        Item.objects.filter(record=record)
        .exclude(status__in=HIDDEN_STATUSES)
        .select_related("branch")
        .order_by("branch__position", "branch__name", "shelf_location", "barcode")
    )


@dataclass(frozen=True)
class BranchAvailability:
    branch: Branch
    items: list[Item]
    available: int

    @property
    def total(self) -> int:
        return len(self.items)


def availability_by_branch(record: Record) -> list[BranchAvailability]:
    """Per branch: its copies of the record (with shelf and call number) and how many are in."""
    grouped: dict[int, list[Item]] = {}
    branches: dict[int, Branch] = {}
    for item in visible_items(record):
        grouped.setdefault(item.branch_id, []).append(item)
        branches[item.branch_id] = item.branch
    return [
        BranchAvailability(
            branch=branches[branch_id],
            items=items,
            available=sum(1 for item in items if item.status in AVAILABLE_STATUSES),
        )
        for branch_id, items in grouped.items()
    ]


def availability_counts(record_ids: list[int]) -> dict[int, tuple[int, int]]:
    """record id -> (copies shown, copies available now), in one query, for result lists."""
    rows = (
        Item.objects.filter(record_id__in=record_ids)
        .exclude(status__in=HIDDEN_STATUSES)
        .values("record_id")
        .annotate(total=Count("pk"), available=Count("pk", filter=Q(status__in=AVAILABLE_STATUSES)))
    )
    return {row["record_id"]: (row["total"], row["available"]) for row in rows}


def get_item_by_barcode(barcode: str) -> Item | None:
    """The copy with this barcode, with its record (not the record's stored MARC or long
    texts: the desk and the kiosks look a copy up on every scan)."""
    return (
        Item.objects.select_related("record", "branch")
        .defer("record__marc", "record__summary", "record__notes")
        .filter(barcode=barcode.strip())
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Cataloguing screens (staff)

STAFF_FIND_LIMIT = 50
SUGGESTION_LIMIT = 10


def find_records_for_cataloguing(query: str, *, limit: int = STAFF_FIND_LIMIT) -> list[Record]:
    """Records a cataloguer means by `query`: an item barcode, an ISBN, a control number or
    words of the title. Exact identifier matches come first; every lookup uses an index except
    the title, which is a plain `icontains` capped at `limit` (the OPAC owns real search)."""
    query = (query or "").strip()[:200]
    if not query:
        return []
    found: dict[int, None] = {}
    barcode_hits = Item.objects.filter(barcode__in={query, query.upper()}).values_list(
        "record_id", flat=True
    )
    found.update(dict.fromkeys(barcode_hits))
    isbn = isbn_or_none(query)
    if isbn:
        found.update(
            dict.fromkeys(
                RecordIdentifier.objects.filter(kind=IdentifierKind.ISBN, value=isbn).values_list(
                    "record_id", flat=True
                )
            )
        )
    found.update(
        dict.fromkeys(Record.objects.filter(control_number=query).values_list("pk", flat=True))
    )
    exact = list(found)[:limit]
    records = {record.pk: record for record in Record.objects.filter(pk__in=exact)}
    result = [records[pk] for pk in exact if pk in records]
    if len(query) >= 2 and len(result) < limit:
        by_title = (
            Record.objects.filter(title__icontains=query)
            .exclude(pk__in=exact)
            .order_by("title", "pk")[: limit - len(result)]
        )
        result.extend(by_title)
    return result


def recently_added_records(*, limit: int = 10) -> QuerySet[Record]:
    return Record.objects.order_by("-created_at", "-pk")[:limit]


def recently_changed_records(*, limit: int = 10) -> QuerySet[Record]:
    return Record.objects.order_by("-updated_at", "-pk")[:limit]


def record_for_cataloguing(pk: int) -> Record | None:
    """A record with its headings and identifiers (three extra queries)."""
    return (
        records_with_headings()
        .prefetch_related(
            Prefetch("identifiers", queryset=RecordIdentifier.objects.order_by("kind", "pk"))
        )
        .filter(pk=pk)
        .first()
    )


def items_of(record: Record) -> QuerySet[Item]:
    """Every copy of a record, withdrawn and lost ones included (staff see all), by branch."""
    return (
        Item.objects.filter(record=record)
        .select_related("branch")
        .order_by("branch__position", "branch__name", "barcode")
    )


def get_item(pk: int) -> Item | None:
    return Item.objects.select_related("record", "branch").filter(pk=pk).first()


def records_with_isbns(isbns: list[str], *, exclude: Record | None = None) -> list[Record]:
    """Records already holding one of these (normalised) ISBNs: the duplicate warning."""
    if not isbns:
        return []
    ids = RecordIdentifier.objects.filter(kind=IdentifierKind.ISBN, value__in=isbns)
    if exclude is not None:
        ids = ids.exclude(record=exclude)
    return list(
        Record.objects.filter(pk__in=ids.values("record_id")).order_by("pk")[:SUGGESTION_LIMIT]
    )


def _prefix_range(key: str) -> dict[str, str]:
    """`key >= prefix AND key < next prefix AND key LIKE 'prefix%'`: the range uses the unique
    index on `key` (SQLite's LIKE cannot, being case-insensitive), the LIKE keeps it exact."""
    upper = key[:-1] + chr(ord(key[-1]) + 1)
    return {"key__gte": key, "key__lt": upper, "key__startswith": key}


def suggest_contributors(text: str, *, limit: int = SUGGESTION_LIMIT) -> list[Contributor]:
    """Contributor headings whose matching key starts with the key of `text`."""
    key = heading_key(text)
    if not key:
        return []
    return list(Contributor.objects.filter(**_prefix_range(key)).order_by("key")[:limit])


def suggest_subjects(text: str, *, limit: int = SUGGESTION_LIMIT) -> list[Subject]:
    key = heading_key(text)
    if not key:
        return []
    return list(Subject.objects.filter(**_prefix_range(key)).order_by("key")[:limit])


def items_for_labels(items: QuerySet[Item]) -> QuerySet[Item]:
    """Items with what a label prints: the record, its branch and its first contributors."""
    return items.select_related("record", "branch").prefetch_related(
        Prefetch(
            "record__record_contributors",
            queryset=RecordContributor.objects.select_related("contributor").order_by("position"),
        )
    )


def items_with_barcodes(barcodes: list[str]) -> tuple[list[Item], list[str]]:
    """The items of these barcodes in the order given, and the barcodes nobody has."""
    wanted = list(dict.fromkeys(b.strip() for b in barcodes if b.strip()))
    found = {
        item.barcode: item for item in items_for_labels(Item.objects.filter(barcode__in=wanted))
    }
    missing = [barcode for barcode in wanted if barcode not in found]
    return [found[barcode] for barcode in wanted if barcode in found], missing


def items_added_between(start, end) -> QuerySet[Item]:
    """Items created in [start, end) (aware datetimes), oldest first: 'items added today'."""
    return items_for_labels(
        Item.objects.filter(created_at__gte=start, created_at__lt=end).order_by("created_at", "pk")
    )


def items_of_record_for_labels(record_id: int) -> QuerySet[Item]:
    """A record's copies that still stand on a shelf (not withdrawn or lost), by barcode."""
    return items_for_labels(
        Item.objects.filter(record_id=record_id)
        .exclude(status__in=HIDDEN_STATUSES)
        .order_by("barcode")
    )
