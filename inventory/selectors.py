"""Reads of a stocktake: which items it expects, live counts, the result lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Collate, Substr

from catalog.models import Item, ItemStatus
from inventory.models import ScanOutcome, SessionState, StocktakeScan, StocktakeSession

# The copies that belong on the shelves: only these are expected, and only these can be marked
# missing. A missing copy stays expected, so that finding it puts it back.
EXPECTED_STATUSES = frozenset({ItemStatus.AVAILABLE, ItemStatus.MISSING})

# Shelf locations compare code point by code point, the same in Python and in the database.
_BYTE_ORDER = {"postgresql": "C", "sqlite": "BINARY"}


def in_shelf_range(location: str, start: str, end: str) -> bool:
    """`start` <= location, and location <= `end` or starts with it ('C' covers 'C-12')."""
    if start and location < start:
        return False
    return not end or location <= end or location.startswith(end)


def _shelf_filter(items: QuerySet[Item], start: str, end: str) -> QuerySet[Item]:
    collation = _BYTE_ORDER.get(connection.vendor)
    location = Collate("shelf_location", collation) if collation else "shelf_location"
    if start:
        items = items.alias(_loc=location).filter(_loc__gte=start)
    if end:
        prefix = Substr("shelf_location", 1, len(end))
        if collation:
            prefix = Collate(prefix, collation)
        items = items.alias(_loc_end=location, _prefix=prefix).filter(
            Q(_loc_end__lte=end) | Q(_prefix=end)
        )
    return items


def in_scope(session: StocktakeSession, *, branch_id: int, collection: str, location: str) -> bool:
    """Does an item with these values belong to the part of the library this session counts?"""
    return (
        branch_id == session.branch_id
        and (not session.collection or collection == session.collection)
        and in_shelf_range(location, session.shelf_from, session.shelf_to)
    )


def scope_items(session: StocktakeSession) -> QuerySet[Item]:
    """Every item of the session's branch, collection and shelf range, whatever its status."""
    items = Item.objects.filter(branch_id=session.branch_id)
    if session.collection:
        items = items.filter(collection=session.collection)
    return _shelf_filter(items, session.shelf_from, session.shelf_to)


def expected_items(session: StocktakeSession) -> QuerySet[Item]:
    return scope_items(session).filter(status__in=EXPECTED_STATUSES)


def _seen_item_ids(session: StocktakeSession) -> QuerySet:
    return StocktakeScan.objects.filter(session=session, item__isnull=False).values("item_id")


def missing_items(session: StocktakeSession) -> QuerySet[Item]:
    """Expected items not seen (yet): after closing, the ones it marked missing and those
    missing before."""
    return (
        expected_items(session)
        .exclude(pk__in=_seen_item_ids(session))
        .select_related("record")
        .order_by("shelf_location", "record__call_number", "barcode")
    )


@dataclass(frozen=True)
class StocktakeCounts:
    expected: int
    found: int
    missing: int
    misplaced: int
    on_loan: int
    other_status: int
    unknown: int

    @property
    def seen(self) -> int:
        return self.found + self.misplaced + self.on_loan + self.other_status + self.unknown

    @property
    def percent_found(self) -> int:
        return round(100 * self.found / self.expected) if self.expected else 0


def counts(session: StocktakeSession) -> StocktakeCounts:
    """Live counts in three queries (scans by outcome, expected items, those not seen)."""
    by_outcome = dict(
        StocktakeScan.objects.filter(session=session)
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    return StocktakeCounts(
        expected=expected_items(session).count(),
        found=by_outcome.get(ScanOutcome.FOUND, 0),
        missing=expected_items(session).exclude(pk__in=_seen_item_ids(session)).count(),
        misplaced=by_outcome.get(ScanOutcome.MISPLACED, 0),
        on_loan=by_outcome.get(ScanOutcome.ON_LOAN, 0),
        other_status=by_outcome.get(ScanOutcome.OTHER_STATUS, 0),
        unknown=by_outcome.get(ScanOutcome.UNKNOWN, 0),
    )


def scans(session: StocktakeSession, outcomes: Iterable[str] | None = None) -> QuerySet:
    rows = StocktakeScan.objects.filter(session=session).select_related(
        "item__record", "item__branch"
    )
    if outcomes is not None:
        rows = rows.filter(outcome__in=list(outcomes))
    return rows.order_by("outcome", "code")


def sessions() -> QuerySet[StocktakeSession]:
    return StocktakeSession.objects.select_related("branch", "started_by", "closed_by").order_by(
        "-state", "-started_at", "-pk"
    )


def get_session(pk: int) -> StocktakeSession | None:
    return (
        StocktakeSession.objects.select_related("branch", "started_by", "closed_by")
        .filter(pk=pk)
        .first()
    )


def open_sessions() -> QuerySet[StocktakeSession]:
    return sessions().filter(state=SessionState.OPEN)
