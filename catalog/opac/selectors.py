"""Reads for the OPAC and the catalogue API: result lists and the record page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from catalog.models import AVAILABLE_STATUSES, HIDDEN_STATUSES, Item, Record, RecordContributor
from catalog.opac.holds import hold_queue_length
from catalog.selectors import BranchAvailability, availability_by_branch, get_record


@dataclass(frozen=True)
class BranchCopies:
    code: str
    name: str
    total: int
    available: int


@dataclass
class ResultRow:
    record: Record
    contributors: list[str] = field(default_factory=list)
    branches: list[BranchCopies] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(b.total for b in self.branches)

    @property
    def available(self) -> int:
        return sum(b.available for b in self.branches)


RESULT_FIELDS = (
    "pk",
    "title",
    "subtitle",
    "title_vernacular",
    "responsibility",
    "year",
    "material_type",
    "language",
    "cover_thumbnail",
    "isbn",
    "edition",
    "publisher",
)


def result_rows(record_ids: list[int]) -> list[ResultRow]:
    """The records of a result page, in the given order, with their contributors and their
    copies per branch: three queries however many hits."""
    if not record_ids:
        return []
    records = Record.objects.filter(pk__in=record_ids).only(*RESULT_FIELDS)
    rows = {record.pk: ResultRow(record) for record in records}
    for record_id, name in (
        RecordContributor.objects.filter(record_id__in=list(rows))
        .order_by("record_id", "position", "pk")
        .values_list("record_id", "contributor__name")
    ):
        rows[record_id].contributors.append(name)
    for row in (
        Item.objects.filter(record_id__in=list(rows))
        .exclude(status__in=HIDDEN_STATUSES)
        .values("record_id", "branch__code", "branch__name", "branch__position")
        .annotate(total=Count("pk"), available=Count("pk", filter=Q(status__in=AVAILABLE_STATUSES)))
        .order_by("record_id", "branch__position", "branch__name")
    ):
        rows[row["record_id"]].branches.append(
            BranchCopies(row["branch__code"], row["branch__name"], row["total"], row["available"])
        )
    return [rows[pk] for pk in record_ids if pk in rows]


@dataclass
class RecordPage:
    record: Record
    contributors: list  # RecordContributor with contributor
    subjects: list  # RecordSubject with subject
    availability: list[BranchAvailability]
    hold_queue_length: int | None  # None: holds are not available in this installation

    @property
    def total(self) -> int:
        return sum(b.total for b in self.availability)

    @property
    def available(self) -> int:
        return sum(b.available for b in self.availability)


def record_page(pk: int) -> RecordPage | None:
    record = get_record(pk)
    if record is None:
        return None
    return RecordPage(
        record=record,
        contributors=list(record.record_contributors.all()),
        subjects=list(record.record_subjects.all()),
        availability=availability_by_branch(record),
        hold_queue_length=hold_queue_length(record),
    )
