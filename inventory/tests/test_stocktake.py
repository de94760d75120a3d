"""Stocktake services: what a scan means, live counts, reader files, closing and reopening."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Item, ItemStatus
from catalog.signals import records_changed
from core.models import AuditEntry
from core.permissions import PermissionDeniedError
from inventory import selectors, services
from inventory.errors import (
    EmptyCodeError,
    InvalidCodeError,
    InvalidShelfRangeError,
    NotATextFileError,
    SessionClosedError,
)
from inventory.models import ScanOutcome, StocktakeScan

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelves(make_item, branches):
    """At Pusat: A-01, B-07, C-12 and D-03 on the shelves, one on loan, one in transit; at
    Cabang: one copy."""
    main, other = branches
    return {
        "a": make_item(shelf="A-01", barcode="B00001", rfid_tag="E2800000000000000001"),
        "b": make_item(shelf="B-07", barcode="B00002"),
        "c": make_item(shelf="C-12", barcode="B00003", collection="children"),
        "d": make_item(shelf="D-03", barcode="B00004"),
        "loan": make_item(shelf="A-02", barcode="B00005", status=ItemStatus.ON_LOAN),
        "transit": make_item(shelf="A-03", barcode="B00006", status=ItemStatus.IN_TRANSIT),
        "other": make_item(branch=other, shelf="A-01", barcode="B00007"),
    }


def statuses() -> dict[str, str]:
    return dict(Item.objects.values_list("barcode", "status"))


# ---------------------------------------------------------------------------------------------
# Starting


def test_starting_needs_the_permission(branches, make_user, library):
    member = make_user("anggota", roles={"member"})
    with pytest.raises(PermissionDeniedError):
        services.start_session(branches[0], by=member)


def test_librarians_and_cataloguers_may_start_a_stocktake(branches, make_user, library):
    for name, role in (("siti", "librarian"), ("katalog", "cataloguer")):
        services.start_session(branches[0], by=make_user(name, roles={role}))
    assert AuditEntry.objects.filter(action="stocktake.start").count() == 2


def test_a_backwards_shelf_range_is_refused(branches, cataloguer):
    with pytest.raises(InvalidShelfRangeError) as raised:
        services.start_session(branches[0], by=cataloguer, shelf_from="D", shelf_to="B")
    assert "“D”" in str(raised.value)
    services.start_session(branches[0], by=cataloguer, shelf_from="C-12", shelf_to="C")


# ---------------------------------------------------------------------------------------------
# What a scan means


def test_each_kind_of_scan(session, shelves, cataloguer, make_item, branches):
    def outcome(code):
        return services.scan(session, code, by=cataloguer).outcome

    assert outcome("B00001") == ScanOutcome.FOUND
    assert outcome("B00005") == ScanOutcome.ON_LOAN
    assert outcome("B00006") == ScanOutcome.OTHER_STATUS
    assert outcome("B00007") == ScanOutcome.MISPLACED
    assert outcome("NOSUCHCODE1") == ScanOutcome.UNKNOWN
    counts = selectors.counts(session)
    assert counts.expected == 4  # a, b, c, d: not the copies on loan or in transit
    assert (counts.found, counts.missing) == (1, 3)
    assert (counts.misplaced, counts.on_loan, counts.other_status, counts.unknown) == (1, 1, 1, 1)
    assert counts.seen == 5


def test_a_shelf_range_and_a_collection_narrow_what_is_expected(
    branches, cataloguer, shelves, make_item
):
    make_item(shelf="c-99", barcode="B00099")  # lower case sorts after "D": outside
    ranged = services.start_session(branches[0], by=cataloguer, shelf_from="B", shelf_to="C")
    assert set(selectors.expected_items(ranged).values_list("barcode", flat=True)) == {
        "B00002",
        "B00003",
    }
    assert services.scan(ranged, "B00003", by=cataloguer).outcome == ScanOutcome.FOUND
    assert services.scan(ranged, "B00001", by=cataloguer).outcome == ScanOutcome.MISPLACED
    children = services.start_session(branches[0], by=cataloguer, collection="children")
    assert list(selectors.expected_items(children).values_list("barcode", flat=True)) == ["B00003"]
    assert services.scan(children, "B00002", by=cataloguer).outcome == ScanOutcome.MISPLACED


def test_the_same_item_scanned_twice_counts_once(session, shelves, cataloguer):
    first = services.scan(session, "B00001", by=cataloguer)
    again = services.scan(session, "B00001", by=cataloguer)
    by_tag = services.scan(session, "E2800000000000000001", by=cataloguer)
    typed = services.scan(session, "b00001", by=cataloguer)
    assert not first.repeated and first.item == shelves["a"]
    assert again.repeated and by_tag.repeated and typed.repeated
    assert again.outcome == ScanOutcome.FOUND and again.item == shelves["a"]
    assert StocktakeScan.objects.filter(session=session).count() == 1
    assert selectors.counts(session).found == 1


def test_an_unknown_code_scanned_twice_counts_once(session, cataloguer, library):
    services.scan(session, "X123", by=cataloguer)
    assert services.scan(session, "X123", by=cataloguer).repeated
    assert selectors.counts(session).unknown == 1


def test_a_scan_box_rejects_empty_and_garbage_input(session, cataloguer):
    with pytest.raises(EmptyCodeError):
        services.scan(session, "   ", by=cataloguer)
    with pytest.raises(InvalidCodeError):
        services.scan(session, "Laskar pelangi", by=cataloguer)
    assert not StocktakeScan.objects.exists()


def test_scanning_needs_the_permission(session, make_user):
    head = make_user("kepala", roles={"head"})
    with pytest.raises(PermissionDeniedError):
        services.scan(session, "B00001", by=head)


# ---------------------------------------------------------------------------------------------
# Reader files


def test_a_reader_file_with_garbage_duplicates_and_unknown_codes(session, shelves, cataloguer):
    data = b"\n".join(
        [
            b"B00001",
            b"B00002",
            b"B00001",  # duplicate in the file
            b"not a code!",  # garbage, line 4
            b"E2800000000000000001",  # item a again, through its RFID tag
            b"B00007",  # Cabang's copy: misplaced
            b"ZZ999",  # unknown
            b"# shelf B",  # a comment
            b"ZZ999",
            b"",
            b"B00005",
        ]
    )
    result = services.ingest_file(session, data, by=cataloguer, name="reader.txt")
    assert result.reads == 8
    assert result.distinct == 6
    assert result.new == 5  # B00001, B00002, B00007, ZZ999, B00005
    assert result.repeated == 3
    assert result.unknown_codes == ["ZZ999"]
    assert [(p.line, p.text) for p in result.problems] == [(4, "not a code!")]
    assert result.by_outcome == {
        ScanOutcome.FOUND: 2,
        ScanOutcome.MISPLACED: 1,
        ScanOutcome.UNKNOWN: 1,
        ScanOutcome.ON_LOAN: 1,
    }
    # The same file again adds nothing.
    again = services.ingest_file(session, data, by=cataloguer, name="reader.txt")
    assert again.new == 0 and again.repeated == 8
    counts = selectors.counts(session)
    assert (counts.found, counts.missing, counts.misplaced, counts.unknown) == (2, 2, 1, 1)
    assert AuditEntry.objects.filter(action="stocktake.upload").count() == 2


def test_an_unreadable_file_changes_nothing(session, shelves, cataloguer):
    with pytest.raises(NotATextFileError):
        services.ingest_file(session, b"\x00\x01\x02", by=cataloguer, name="photo.jpg")
    assert not StocktakeScan.objects.exists()


def test_resolving_a_big_file_costs_a_few_queries(session, make_item, cataloguer):
    for n in range(300):
        make_item(barcode=f"C{n:05d}")
    codes = [f"C{n:05d}" for n in range(300)] * 3 + [f"U{n}" for n in range(100)]
    data = "\n".join(codes).encode()
    with CaptureQueriesContext(connection) as queries:
        result = services.ingest_file(session, data, by=cataloguer)
    assert result.new == 400 and result.reads == 1000
    item_reads = [q for q in queries if 'FROM "catalog_item"' in q["sql"]]
    assert len(item_reads) <= 2  # barcodes, then the rest as RFID tags
    assert len(queries) < 30


# ---------------------------------------------------------------------------------------------
# Closing and reopening


def test_closing_marks_unseen_shelf_copies_missing_and_tells_the_catalogue(
    session, shelves, cataloguer, django_capture_on_commit_callbacks
):
    services.scan(session, "B00001", by=cataloguer)
    services.scan(session, "B00007", by=cataloguer)
    announced: list[int] = []

    def receiver(sender, record_ids, **kwargs):
        announced.extend(record_ids)

    records_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = services.close_session(session, by=cataloguer)
    finally:
        records_changed.disconnect(receiver)
    assert result.marked_missing == 3 and not result.already_closed
    now = statuses()
    assert [now[b] for b in ("B00002", "B00003", "B00004")] == [ItemStatus.MISSING] * 3
    assert now["B00001"] == ItemStatus.AVAILABLE  # seen
    assert now["B00005"] == ItemStatus.ON_LOAN  # on loan: not expected
    assert now["B00006"] == ItemStatus.IN_TRANSIT
    assert now["B00007"] == ItemStatus.AVAILABLE  # another branch's copy
    assert announced == [shelves["a"].record_id]
    session.refresh_from_db()
    assert session.state == "closed" and session.marked_missing_count == 3
    assert AuditEntry.objects.get(action="stocktake.close").details == {"marked_missing": 3}
    counts = selectors.counts(session)
    assert (counts.found, counts.missing) == (1, 3)


def test_closing_twice_is_harmless(session, shelves, cataloguer):
    services.close_session(session, by=cataloguer)
    second = services.close_session(session, by=cataloguer)
    assert second.already_closed and second.marked_missing == 0
    assert AuditEntry.objects.filter(action="stocktake.close").count() == 1
    assert sum(s == ItemStatus.MISSING for s in statuses().values()) == 4


def test_a_closed_session_takes_no_more_scans(session, shelves, cataloguer):
    services.close_session(session, by=cataloguer)
    with pytest.raises(SessionClosedError):
        services.scan(session, "B00001", by=cataloguer)
    with pytest.raises(SessionClosedError):
        services.ingest_file(session, b"B00001\n", by=cataloguer)


def test_reopening_makes_the_items_available_again_and_closing_again_marks_what_is_unseen(
    session, shelves, cataloguer
):
    services.close_session(session, by=cataloguer)
    reopened = services.reopen_session(session, by=cataloguer)
    assert reopened.restored == 4 and not reopened.already_open
    assert ItemStatus.MISSING not in statuses().values()
    assert services.reopen_session(session, by=cataloguer).already_open
    services.scan(session, "B00002", by=cataloguer)
    assert services.close_session(session, by=cataloguer).marked_missing == 3
    assert statuses()["B00002"] == ItemStatus.AVAILABLE


def test_a_missing_item_scanned_later_is_available_again(
    session, shelves, cataloguer, branches, django_capture_on_commit_callbacks
):
    services.close_session(session, by=cataloguer)
    assert statuses()["B00004"] == ItemStatus.MISSING
    later = services.start_session(branches[1], by=cataloguer)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.scan(later, "B00004", by=cataloguer)
    assert result.outcome == ScanOutcome.MISPLACED and result.restored
    assert statuses()["B00004"] == ItemStatus.AVAILABLE
    # Reopening the first session leaves it available (it is no longer missing).
    assert services.reopen_session(session, by=cataloguer).restored == 3


def test_a_missing_item_found_in_its_own_session_counts_as_found(session, shelves, cataloguer):
    Item.objects.filter(barcode="B00004").update(status=ItemStatus.MISSING)
    assert selectors.counts(session).expected == 4
    result = services.scan(session, "B00004", by=cataloguer)
    assert result.outcome == ScanOutcome.FOUND and result.restored
    assert StocktakeScan.objects.get(code="B00004").restored
