"""Stocktake: start a session, record what was seen (the scan box or a reader's file), close it
(expected items not seen become MISSING), reopen it (they become available again).

Every write locks the session row first, so scans, uploads and closing of one session take
turns; item statuses change only under the items' row locks (in primary-key order) and are
announced so that the OPAC's availability follows. A file is ingested in bulk: all codes read,
deduplicated in Python, resolved against barcodes and RFID tags a few thousand at a time, and
the scan rows written with bulk_create.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Item, ItemStatus
from catalog.signals import announce
from core import audit
from core.models import Branch
from core.permissions import require
from inventory import reads, sql
from inventory.errors import InvalidShelfRangeError, SessionClosedError
from inventory.models import (
    ScanOutcome,
    ScanSource,
    SessionState,
    StocktakeMissing,
    StocktakeScan,
    StocktakeSession,
)
from inventory.selectors import EXPECTED_STATUSES, expected_items, in_scope

START_PERMISSION = "inventory.add_stocktakesession"
SCAN_PERMISSION = "inventory.change_stocktakesession"

ACTIONS = {
    "stocktake.start": _("Started a stocktake"),
    "stocktake.upload": _("Uploaded a reader file to a stocktake"),
    "stocktake.close": _("Closed a stocktake (items not seen marked missing)"),
    "stocktake.reopen": _("Reopened a stocktake"),
}
audit.register_actions(ACTIONS)


@dataclass(frozen=True)
class ItemRow:
    """The values of an item that a scan needs (read in bulk, without model instances)."""

    pk: int
    barcode: str
    rfid_tag: str
    branch_id: int
    collection: str
    shelf_location: str
    status: str
    record_id: int


ITEM_FIELDS = (
    "pk",
    "barcode",
    "rfid_tag",
    "branch_id",
    "collection",
    "shelf_location",
    "status",
    "record_id",
)


@dataclass
class ScanResult:
    code: str
    outcome: str
    item: Item | None = None
    repeated: bool = False
    restored: bool = False

    @property
    def outcome_label(self) -> str:
        return ScanOutcome(self.outcome).label


@dataclass
class IngestResult:
    reads: int = 0
    distinct: int = 0
    new: int = 0
    repeated: int = 0
    restored: int = 0
    by_outcome: Counter = field(default_factory=Counter)
    unknown_codes: list[str] = field(default_factory=list)
    problems: list[reads.Problem] = field(default_factory=list)
    problem_count: int = 0
    seconds: float = 0.0

    @property
    def reads_per_second(self) -> int:
        return int(self.reads / self.seconds) if self.seconds else 0


@dataclass
class CloseResult:
    session: StocktakeSession
    marked_missing: int = 0
    already_closed: bool = False


@dataclass
class ReopenResult:
    session: StocktakeSession
    restored: int = 0
    already_open: bool = False


@dataclass
class _Recorded:
    created: list[tuple[str, ItemRow | None, str]]
    repeated_codes: list[str]
    restored: set[int]


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _lock_session(pk: int) -> StocktakeSession:
    return StocktakeSession.objects.select_for_update().get(pk=pk)


def classify(session: StocktakeSession, item: ItemRow | None) -> str:
    if item is None:
        return ScanOutcome.UNKNOWN
    if item.status == ItemStatus.ON_LOAN:
        return ScanOutcome.ON_LOAN
    if item.status not in EXPECTED_STATUSES:
        return ScanOutcome.OTHER_STATUS
    if not in_scope(
        session,
        branch_id=item.branch_id,
        collection=item.collection,
        location=item.shelf_location,
    ):
        return ScanOutcome.MISPLACED
    return ScanOutcome.FOUND


def _items_where(column: str, values: list[str]) -> list[ItemRow]:
    return [ItemRow(*row) for row in sql.select_in(Item, ["id", *ITEM_FIELDS[1:]], column, values)]


def resolve_codes(codes: list[str]) -> dict[str, ItemRow]:
    """Which item each code names: its barcode, else its RFID tag (exactly as read, then in
    capitals). One query per few thousand codes for barcodes, one more for the rest as tags."""
    lookup = list(dict.fromkeys([*codes, *(c.upper() for c in codes if c != c.upper())]))
    by_barcode = {row.barcode: row for row in _items_where("barcode", lookup)}
    rest = [code for code in lookup if code not in by_barcode]
    by_tag = {row.rfid_tag: row for row in _items_where("rfid_tag", rest) if row.rfid_tag}
    found: dict[str, ItemRow] = {}
    for code in codes:
        upper = code.upper()
        row = by_barcode.get(code) or by_tag.get(code) or by_barcode.get(upper) or by_tag.get(upper)
        if row is not None:
            found[code] = row
    return found


SCAN_COLUMNS = [
    "session",
    "code",
    "item",
    "outcome",
    "item_status",
    "restored",
    "source",
    "scanned_at",
    "scanned_by",
]


def _set_status(item_ids: list[int], *, from_status: str, to_status: str, at) -> dict[int, int]:
    """Move items still in `from_status` to `to_status` under their row locks (in key order).
    Returns {item pk: record pk} of those changed, and announces the records."""
    changed = dict(
        sql.select_in(
            Item,
            ["id", "record"],
            "id",
            sorted(set(item_ids)),
            equal={"status": from_status},
            lock=True,
        )
    )
    sql.update_in(Item, sorted(changed), status=to_status, updated_at=at)
    announce(changed.values(), availability=True)
    return changed


def _record(
    session: StocktakeSession, codes: list[str], *, by, source: str, at: dt.datetime
) -> _Recorded:
    """Record codes seen in a session (locked by the caller). A code, or an item read through
    another code (barcode and RFID tag), is counted once; missing items seen become available."""
    distinct = list(dict.fromkeys(codes))
    known = {
        code
        for (code,) in sql.select_in(
            StocktakeScan, ["code"], "code", distinct, equal={"session": session.pk}
        )
    }
    fresh = [code for code in distinct if code not in known]
    items = resolve_codes(fresh)
    seen_items = {
        pk
        for (pk,) in sql.select_in(
            StocktakeScan,
            ["item"],
            "item",
            sorted({row.pk for row in items.values()}),
            equal={"session": session.pk},
        )
    }
    created: list[tuple[str, ItemRow | None, str]] = []
    repeated = [code for code in distinct if code in known]
    for code in fresh:
        item = items.get(code)
        if item is not None:
            if item.pk in seen_items:
                repeated.append(code)
                continue
            seen_items.add(item.pk)
        created.append((code, item, classify(session, item)))
    found_again = [
        item.pk
        for _code, item, outcome in created
        if item is not None
        and item.status == ItemStatus.MISSING
        and outcome in (ScanOutcome.FOUND, ScanOutcome.MISPLACED)
    ]
    restored = set(
        _set_status(
            found_again, from_status=ItemStatus.MISSING, to_status=ItemStatus.AVAILABLE, at=at
        )
    )
    by_id = getattr(by, "pk", None)
    seen_at = connection.ops.adapt_datetimefield_value(at)
    sql.insert_ignoring_conflicts(
        StocktakeScan,
        SCAN_COLUMNS,
        [
            (
                session.pk,
                code,
                item.pk if item else None,
                outcome,
                item.status if item else "",
                bool(item and item.pk in restored),
                source,
                seen_at,
                by_id,
            )
            for code, item, outcome in created
        ],
    )
    return _Recorded(created=created, repeated_codes=repeated, restored=restored)


# ---------------------------------------------------------------------------------------------
# Staff actions


@transaction.atomic
def start_session(
    branch: Branch,
    *,
    by,
    name: str = "",
    collection: str = "",
    shelf_from: str = "",
    shelf_to: str = "",
    at: dt.datetime | None = None,
) -> StocktakeSession:
    require(by, START_PERMISSION)
    shelf_from, shelf_to = shelf_from.strip(), shelf_to.strip()
    if shelf_from and shelf_to and shelf_from > shelf_to and not shelf_from.startswith(shelf_to):
        raise InvalidShelfRangeError(start=shelf_from, end=shelf_to)
    session = StocktakeSession.objects.create(
        branch=branch,
        name=name.strip()[:100],
        collection=collection,
        shelf_from=shelf_from,
        shelf_to=shelf_to,
        started_at=_now(at),
        started_by=by,
    )
    audit.record(
        "stocktake.start",
        actor=by,
        subject=session,
        subject_repr=f"{branch.name}: {session}",
        details={"collection": collection, "shelves": f"{shelf_from}–{shelf_to}".strip("–")},
    )
    return session


def scan(
    session: StocktakeSession, raw_code: str, *, by, at: dt.datetime | None = None
) -> ScanResult:
    """One code from the scan box. Scanning it again is harmless (reported as repeated)."""
    require(by, SCAN_PERMISSION)
    code = reads.clean_code(raw_code)
    at = _now(at)
    with transaction.atomic():
        session = _lock_session(session.pk)
        if not session.is_open:
            raise SessionClosedError()
        recorded = _record(session, [code], by=by, source=ScanSource.SCAN, at=at)
    if recorded.created:
        _code, row, outcome = recorded.created[0]
        result = ScanResult(code=code, outcome=outcome, restored=bool(recorded.restored))
        item_id = row.pk if row else None
    else:
        earlier = (
            StocktakeScan.objects.filter(session=session, code=code).first()
            or StocktakeScan.objects.filter(
                session=session, item_id__in=[r.pk for r in resolve_codes([code]).values()]
            ).first()
        )
        result = ScanResult(
            code=code,
            outcome=earlier.outcome if earlier else ScanOutcome.UNKNOWN,
            repeated=True,
        )
        item_id = earlier.item_id if earlier else None
    if item_id:
        result.item = Item.objects.select_related("record", "branch").filter(pk=item_id).first()
    return result


def ingest_file(
    session: StocktakeSession,
    data: bytes,
    *,
    by,
    name: str = "",
    at: dt.datetime | None = None,
) -> IngestResult:
    """Every code in a reader's export file. Garbage lines are reported with their line numbers
    and skipped; duplicates count once; unknown codes are listed."""
    require(by, SCAN_PERMISSION)
    started = time.perf_counter()
    parsed = reads.parse(data, name=name)
    at = _now(at)
    with transaction.atomic():
        session = _lock_session(session.pk)
        if not session.is_open:
            raise SessionClosedError()
        recorded = _record(session, parsed.codes, by=by, source=ScanSource.FILE, at=at)
        result = IngestResult(
            reads=len(parsed.codes),
            distinct=len(set(parsed.codes)),
            new=len(recorded.created),
            restored=len(recorded.restored),
            by_outcome=Counter(outcome for _code, _item, outcome in recorded.created),
            unknown_codes=[code for code, item, _outcome in recorded.created if item is None],
            problems=parsed.problems,
            problem_count=parsed.problem_count,
        )
        result.repeated = result.reads - result.new
        audit.record(
            "stocktake.upload",
            actor=by,
            subject=session,
            details={
                "file": name[:100],
                "reads": result.reads,
                "new": result.new,
                "bad_lines": result.problem_count,
            },
        )
    result.seconds = time.perf_counter() - started
    return result


@transaction.atomic
def close_session(session: StocktakeSession, *, by, at: dt.datetime | None = None) -> CloseResult:
    """Close: every expected, available item not seen becomes MISSING. Closing a closed
    session changes nothing."""
    require(by, SCAN_PERMISSION)
    at = _now(at)
    session = _lock_session(session.pk)
    if not session.is_open:
        return CloseResult(session=session, already_closed=True)
    unseen = list(
        expected_items(session)
        .filter(status=ItemStatus.AVAILABLE)
        .exclude(
            pk__in=StocktakeScan.objects.filter(session=session, item__isnull=False).values(
                "item_id"
            )
        )
        .values_list("pk", flat=True)
    )
    changed = _set_status(
        unseen, from_status=ItemStatus.AVAILABLE, to_status=ItemStatus.MISSING, at=at
    )
    sql.insert_ignoring_conflicts(
        StocktakeMissing, ["session", "item"], [(session.pk, pk) for pk in sorted(changed)]
    )
    session.state = SessionState.CLOSED
    session.closed_at = at
    session.closed_by = by
    session.marked_missing_count = len(changed)
    session.save(update_fields=["state", "closed_at", "closed_by", "marked_missing_count"])
    audit.record(
        "stocktake.close", actor=by, subject=session, details={"marked_missing": len(changed)}
    )
    return CloseResult(session=session, marked_missing=len(changed))


@transaction.atomic
def reopen_session(session: StocktakeSession, *, by, at: dt.datetime | None = None) -> ReopenResult:
    """Reopen a closed session: the items its closing marked missing (and still missing)
    become available again; closing again marks whatever is still not seen."""
    require(by, SCAN_PERMISSION)
    at = _now(at)
    session = _lock_session(session.pk)
    if session.is_open:
        return ReopenResult(session=session, already_open=True)
    marked = list(
        StocktakeMissing.objects.filter(session=session).values_list("item_id", flat=True)
    )
    changed = _set_status(
        marked, from_status=ItemStatus.MISSING, to_status=ItemStatus.AVAILABLE, at=at
    )
    StocktakeMissing.objects.filter(session=session).delete()
    session.state = SessionState.OPEN
    session.closed_at = None
    session.closed_by = None
    session.marked_missing_count = 0
    session.save(update_fields=["state", "closed_at", "closed_by", "marked_missing_count"])
    audit.record(
        "stocktake.reopen", actor=by, subject=session, details={"available_again": len(changed)}
    )
    return ReopenResult(session=session, restored=len(changed))
