"""The batch save of imports behaves exactly as saving the records one at a time: same
outcomes, same records, headings, identifiers and copies, in fewer queries."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.importing.readers import RecordProblem, read_file
from catalog.models import Contributor, Record, Subject
from catalog.records import ParsedContributor, ParsedItem, ParsedRecord
from catalog.services import SaveOutcome, save_parsed_record, save_parsed_records
from core.errors import DomainError
from core.models import Branch

pytestmark = pytest.mark.django_db
DATA = Path(settings.BASE_DIR).parent / "shared" / "data"


def book(title, *, isbn="", items=(), control="", people=("Hirata, Andrea",), subjects=()):
    return ParsedRecord(
        title=title,
        isbns=[isbn] if isbn else [],
        control_number=control,
        control_number_source="DLC" if control else "",
        contributors=[ParsedContributor(name) for name in people],
        subjects=list(subjects),
        items=[ParsedItem(**item) for item in items],
        year=2005,
    )


def scenario() -> list[ParsedRecord]:
    """Every case the batch must decide like the one-at-a-time save."""
    return [
        book("Laskar pelangi", isbn="979-3062-79-7", items=[{"barcode": "L1"}], subjects=["Fiksi"]),
        book("Sang pemimpi", isbn="9789793062815", items=[{"barcode": ""}, {"barcode": ""}]),
        # the same ISBN as the first record of this batch
        book("Laskar pelangi (cet. 2)", isbn="9789793062792", items=[{"barcode": "L2"}]),
        # the same ISBN as a record already in the catalogue
        book("Bumi manusia", isbn="979-97312-3-2", items=[{"barcode": "BM2"}]),
        book("   "),  # no title
        book("Dua kode sama", items=[{"barcode": "D1"}, {"barcode": "D1"}]),
        book("Kode sudah dipakai", items=[{"barcode": "OLD1"}]),
        book("Kode dari baris lain", items=[{"barcode": "L1"}]),
        book("Cabang asing", items=[{"branch_code": "mars"}]),
        book("Cabang kedua", items=[{"branch_code": "CABANG", "rfid_tag": "E1"}]),
        book("RFID kembar", items=[{"rfid_tag": "E1"}]),
        # matches nothing by ISBN but merges a control number into the earlier record …
        book("Laskar lagi", isbn="979-3062-79-7", control="00012345", items=[{"barcode": "L3"}]),
        # … which this one then matches
        book("Hanya nomor kendali", control="00012345", people=("HIRATA, Andréa",)),
        book("ISBN salah", isbn="978-602-03-3295-5", subjects=["Fiksi", "fiksi."]),
    ]


def snapshot():
    records = list(Record.objects.order_by("pk"))
    rank = {record.pk: index for index, record in enumerate(records)}
    rows = []
    for record in records:
        rows.append(
            (
                record.title,
                record.isbn,
                record.year,
                record.source,
                [
                    (link.contributor.name, link.role, link.position)
                    for link in record.record_contributors.order_by("position", "pk")
                ],
                [(link.subject.heading, link.position) for link in record.record_subjects.all()],
                sorted(record.identifiers.values_list("kind", "value")),
                [
                    (item.barcode, item.branch.code, item.rfid_tag, item.status, item.notes)
                    for item in record.items.order_by("barcode")
                ],
            )
        )
    headings = (
        sorted(Contributor.objects.values_list("key", "name", "dates")),
        sorted(Subject.objects.values_list("key", "heading")),
    )
    return rank, rows, headings


def normalise(outcomes, rank):
    result = []
    for outcome in outcomes:
        if isinstance(outcome, DomainError):
            # Of several taken barcodes, which one the message names is arbitrary.
            params = {} if outcome.code == "duplicate_barcode" else outcome.params
            result.append(("error", outcome.code, params))
        else:
            assert isinstance(outcome, SaveOutcome)
            result.append(
                (outcome.action, rank[outcome.record.pk], outcome.items_created, outcome.warnings)
            )
    return result


def one_at_a_time(batch, **options):
    outcomes = []
    for parsed in batch:
        try:
            with transaction.atomic():
                outcomes.append(save_parsed_record(parsed, **options))
        except DomainError as error:
            outcomes.append(error)
    return outcomes


def both_ways(make_batch, policy):
    """Run the batch both ways from the same starting catalogue; return both results."""
    results = []
    for save in (one_at_a_time, save_parsed_records):
        with transaction.atomic():
            default = Branch.objects.get(code="pusat")
            save_parsed_record(
                book("Bumi manusia", isbn="9799731232", items=[{"barcode": "OLD1"}]),
                default_branch=default,
            )
            outcomes = save(make_batch(), policy=policy, default_branch=default)
            rank, rows, headings = snapshot()
            results.append((normalise(outcomes, rank), rows, headings))
            transaction.set_rollback(True)
    return results


@pytest.mark.parametrize("policy", ["skip", "merge", "add"])
def test_the_batch_decides_every_case_as_one_at_a_time(library, policy):
    sequential, batch = both_ways(scenario, policy)
    assert batch[0] == sequential[0]  # outcomes, record by record
    assert batch[1] == sequential[1]  # records, headings, identifiers, copies
    assert batch[2] == sequential[2]  # contributors and subjects created


def test_the_batch_covers_the_cases_it_claims(library):
    (outcomes, _rows, _headings), _batch = both_ways(scenario, "merge")
    kinds = [outcome[0] if outcome[0] != "error" else outcome[1] for outcome in outcomes]
    assert kinds == [
        "imported",
        "imported",
        "merged",
        "merged",
        "missing_title",
        "duplicate_barcode",
        "duplicate_barcode",
        "duplicate_barcode",
        "unknown_branch",
        "imported",
        "duplicate_rfid",
        "merged",
        "merged",
        "imported",
    ]


@pytest.mark.skipif(not DATA.exists(), reason="shared/data is not here")
def test_a_real_koha_export_saves_the_same_both_ways(library):
    """Merge: the policy that exercises duplicates, merged identifiers and taken barcodes."""
    path = DATA / "koha-testdata" / "zebraexport_biblio_exported_records.mrc"

    def records():
        found = [e for _p, e in read_file(path, "marc21") if not isinstance(e, RecordProblem)]
        for parsed in found:  # their branches (MPL, CPL …) are not ours
            for item in parsed.items:
                item.branch_code = ""
        return found + found[:20]  # the file twice over: duplicates and taken barcodes

    sequential, batch = both_ways(records, "merge")
    assert batch == sequential


def test_the_batch_takes_a_handful_of_queries(library):
    default = Branch.objects.get(code="pusat")
    batch = [
        book(
            f"Judul {n}",
            isbn="",
            people=(f"Pengarang {n}",),
            subjects=[f"Subjek {n}"],
            items=[{"barcode": f"Q{n}"}],
        )
        for n in range(200)
    ]
    with CaptureQueriesContext(connection) as queries:
        outcomes = save_parsed_records(batch, policy="skip", default_branch=default)
    assert all(outcome.action == "imported" for outcome in outcomes)
    assert len(queries) < 30
    assert Record.objects.count() == 200
