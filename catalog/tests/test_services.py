"""Saving records: duplicate policies, identifiers, items all-or-nothing, the index signal."""

import pytest

from catalog.errors import DuplicateBarcodeError, MissingTitleError, UnknownBranchError
from catalog.identifiers import InvalidIsbnError, format_isbn, normalise_isbn
from catalog.models import Contributor, Item, Record, RecordIdentifier
from catalog.records import ParsedContributor, ParsedItem, ParsedRecord
from catalog.services import add_items, save_parsed_record, sequential_barcodes
from catalog.signals import records_changed
from core.errors import PermissionDeniedError
from core.models import Branch

pytestmark = pytest.mark.django_db


def laskar(**extra) -> ParsedRecord:
    values = {
        "title": "Laskar pelangi /",
        "responsibility": "Andrea Hirata.",
        "contributors": [ParsedContributor("Hirata, Andrea.", "author")],
        "subjects": ["Belitung Island (Indonesia) -- Fiction."],
        "isbns": ["979-3062-79-7 (pbk.)"],
        "year": 2005,
        "language": "IND",
    }
    values.update(extra)
    return ParsedRecord(**values)


@pytest.fixture
def cataloguer(make_user, library):
    return make_user("katalog", roles={"cataloguer"})


def test_isbn10_becomes_isbn13_and_bad_check_digits_are_named():
    assert normalise_isbn("979-3062-79-7 (pbk.)") == "9789793062792"
    assert format_isbn("9786020332956") == "978-602-03-3295-6"
    with pytest.raises(InvalidIsbnError) as error:
        normalise_isbn("978-602-03-3295-5")
    assert "check digit" in str(error.value)


def test_a_record_is_saved_clean_with_its_headings_and_identifiers(cataloguer):
    outcome = save_parsed_record(laskar(), by=cataloguer)
    record = outcome.record
    assert outcome.action == "imported"
    assert record.title == "Laskar pelangi"
    assert record.isbn == "9789793062792"
    assert record.language == "ind"
    assert [c.name for c in record.contributors.all()] == ["Hirata, Andrea"]
    assert [s.heading for s in record.subjects.all()] == ["Belitung Island (Indonesia) -- Fiction"]
    assert RecordIdentifier.objects.filter(record=record, kind="isbn").count() == 1


def test_same_contributor_however_written_is_one_heading(cataloguer):
    save_parsed_record(laskar(isbns=[]), by=cataloguer)
    save_parsed_record(
        laskar(isbns=[], contributors=[ParsedContributor("HIRATA, Andréa", "author")]),
        by=cataloguer,
    )
    assert Contributor.objects.count() == 1


def test_duplicate_by_isbn_is_skipped_merged_or_added_by_policy(cataloguer, library):
    first = save_parsed_record(laskar(), by=cataloguer).record
    again = laskar(isbns=["9789793062792"], items=[ParsedItem(barcode="X1", branch_code="pusat")])
    skipped = save_parsed_record(again, policy="skip", by=cataloguer)
    assert skipped.action == "skipped" and skipped.record == first
    assert not Item.objects.exists()
    merged = save_parsed_record(again, policy="merge", by=cataloguer)
    assert merged.action == "merged" and merged.items_created == 1
    assert Item.objects.get().record == first
    again.items = []
    added = save_parsed_record(again, policy="add", by=cataloguer)
    assert added.action == "imported"
    assert Record.objects.count() == 2


def test_a_record_with_a_taken_barcode_leaves_nothing_behind(cataloguer, library):
    save_parsed_record(laskar(items=[ParsedItem(barcode="B1", branch_code="pusat")]), by=cataloguer)
    with pytest.raises(DuplicateBarcodeError):
        save_parsed_record(
            laskar(
                isbns=[],
                title="Sang pemimpi",
                items=[
                    ParsedItem(barcode="B2", branch_code="pusat"),
                    ParsedItem(barcode="B1", branch_code="pusat"),
                ],
            ),
            by=cataloguer,
        )
    assert Record.objects.count() == 1
    assert list(Item.objects.values_list("barcode", flat=True)) == ["B1"]


def test_unknown_branch_is_named(cataloguer, library):
    with pytest.raises(UnknownBranchError) as error:
        save_parsed_record(laskar(items=[ParsedItem(branch_code="mars")]), by=cataloguer)
    assert "mars" in str(error.value)
    assert not Record.objects.exists()


def test_record_without_title_is_refused(cataloguer):
    with pytest.raises(MissingTitleError):
        save_parsed_record(ParsedRecord(title="  "), by=cataloguer)


def test_items_without_barcode_get_sequential_ones(cataloguer, library):
    record = save_parsed_record(laskar(), by=cataloguer).record
    items = add_items(record, count=3, branch=Branch.objects.get(code="pusat"), by=cataloguer)
    assert [i.barcode for i in items] == ["B00000001", "B00000002", "B00000003"]
    more = add_items(
        record,
        count=2,
        branch=Branch.objects.get(code="cabang"),
        first_barcode="P0099",
        by=cataloguer,
    )
    assert [i.barcode for i in more] == ["P0099", "P0100"]
    assert sequential_barcodes("X9", 2) == ["X9", "X10"]


def test_a_librarian_may_not_catalogue(make_user, library):
    librarian = make_user("siti", roles={"librarian"})
    with pytest.raises(PermissionDeniedError):
        save_parsed_record(laskar(), by=librarian)


def test_the_index_is_told_after_commit(cataloguer, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, record_ids, **kwargs):
        received.extend(record_ids)

    records_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            record = save_parsed_record(laskar(), by=cataloguer).record
    finally:
        records_changed.disconnect(listener)
    assert received == [record.pk]
