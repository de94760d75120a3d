"""Every change to records and items. Importers, cataloguing screens and the API all come
through here, so validation, duplicate handling, barcodes and the search index behave the
same whichever way a record arrives."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.db.models.base import DEFERRED
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.errors import (
    DuplicateBarcodeError,
    DuplicateRfidError,
    InvalidValueError,
    MissingTitleError,
    NoBranchError,
    UnknownBranchError,
)
from catalog.identifiers import isbn_or_none, normalise_issn
from catalog.models import (
    Collection,
    Contributor,
    DuplicatePolicy,
    IdentifierKind,
    Item,
    ItemSource,
    ItemStatus,
    Record,
    RecordContributor,
    RecordIdentifier,
    RecordSubject,
    Subject,
)
from catalog.normalize import clean_heading, heading_key
from catalog.records import ParsedItem, ParsedRecord
from catalog.signals import announce
from core import sequences
from core.errors import DomainError
from core.models import Branch
from core.permissions import require

logger = logging.getLogger(__name__)

BARCODE_SEQUENCE = "item_barcode"
BARCODE_PREFIX = "B"


@dataclass
class SaveOutcome:
    action: str  # "imported", "merged" or "skipped"
    record: Record | None
    items_created: int = 0
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Identifiers and duplicates


def identifiers_of(parsed: ParsedRecord) -> tuple[list[tuple[str, str]], list[str]]:
    """(kind, value) pairs to store and match on, and warnings for values that are invalid."""
    found: list[tuple[str, str]] = []
    warnings: list[str] = []
    for raw in parsed.isbns:
        number = isbn_or_none(raw)
        if number is None:
            warnings.append(f"invalid ISBN ignored: {raw.strip()[:40]}")
        elif (IdentifierKind.ISBN, number) not in found:
            found.append((IdentifierKind.ISBN, number))
    if parsed.issn:
        try:
            found.append((IdentifierKind.ISSN, normalise_issn(parsed.issn)))
        except Exception:  # noqa: BLE001 - an invalid ISSN is a warning, not a rejection
            warnings.append(f"invalid ISSN ignored: {parsed.issn.strip()[:20]}")
    if parsed.lccn.strip():
        found.append((IdentifierKind.LCCN, parsed.lccn.strip().replace(" ", "")))
    control = control_key(parsed.control_number, parsed.control_number_source)
    if control:
        found.append((IdentifierKind.CONTROL, control))
    return found, warnings


def control_key(number: str, source: str) -> str:
    number = (number or "").strip()
    return f"{(source or '').strip()}|{number}" if number else ""


def find_duplicate(identifiers: list[tuple[str, str]]) -> Record | None:
    """The record we already hold with one of these ISBNs, ISSNs, LCCNs or control numbers."""
    if not identifiers:
        return None
    condition = Q()
    for kind, value in identifiers:
        condition |= Q(kind=kind, value=value)
    match = RecordIdentifier.objects.filter(condition).order_by("record_id").first()
    return match.record if match else None


# ---------------------------------------------------------------------------------------------
# Saving records


def _get_contributor(name: str, dates: str = "") -> Contributor:
    display = clean_heading(name)
    key = heading_key(f"{display} {dates}")
    contributor, _created = Contributor.objects.get_or_create(
        key=key, defaults={"name": display[:300], "dates": dates.strip()[:60]}
    )
    return contributor


def _get_subject(heading: str) -> Subject:
    display = clean_heading(heading)
    subject, _created = Subject.objects.get_or_create(
        key=heading_key(display), defaults={"heading": display[:300]}
    )
    return subject


RECORD_FIELDS = (
    "title",
    "subtitle",
    "responsibility",
    "title_vernacular",
    "edition",
    "publisher",
    "place",
    "year",
    "language",
    "ddc",
    "call_number",
    "series",
    "physical_description",
    "notes",
    "summary",
    "audience",
    "material_type",
    "accessibility_features",
    "control_number",
    "control_number_source",
    "marc",
    "source",
)


def marc_of(parsed: ParsedRecord) -> dict[str, Any] | None:
    """The original MARC record a parsed record carries (pymarc's JSON form), if any."""
    if parsed.marc is None and parsed.marc_json:
        return json.loads(parsed.marc_json)
    return parsed.marc


def _record_values(
    parsed: ParsedRecord, identifiers: list[tuple[str, str]], *, load_marc: bool = True
) -> dict[str, Any]:
    """A new record's field values. Without `load_marc`, a MARC original that came as text
    is left out (DEFERRED): the batch insert writes the text as it is."""
    values = {name: getattr(parsed, name) for name in RECORD_FIELDS}
    if parsed.marc is None and parsed.marc_json:
        values["marc"] = marc_of(parsed) if load_marc else DEFERRED
    for text_field in ("title", "subtitle", "responsibility", "publisher", "place", "series"):
        values[text_field] = clean_heading(values[text_field] or "")
    values["title"] = values["title"][:1000]
    values["isbn"] = next((v for k, v in identifiers if k == IdentifierKind.ISBN), "")
    values["issn"] = next((v for k, v in identifiers if k == IdentifierKind.ISSN), "")
    values["language"] = (values["language"] or "").strip().lower()[:3]
    values["control_number"] = (values["control_number"] or "").strip()[:60]
    # Catalogues in the wild hold longer values than our columns (a 250 of 300 characters):
    # cut to the column (the whole original stays in the kept MARC record) rather than let
    # PostgreSQL refuse the whole batch.
    for name, limit in _char_limits().items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            values[name] = value[:limit]
    return values


@functools.cache
def _char_limits() -> dict[str, int]:
    return {
        f.name: f.max_length
        for f in Record._meta.concrete_fields
        if isinstance(f, models.CharField) and f.max_length and f.name in RECORD_FIELDS
    }


def _set_headings(record: Record, parsed: ParsedRecord) -> None:
    seen: set[tuple[int, str]] = set()
    links = []
    for position, person in enumerate(parsed.contributors):
        if not person.name.strip():
            continue
        contributor = _get_contributor(person.name, person.dates)
        if (contributor.pk, person.role) in seen:
            continue
        seen.add((contributor.pk, person.role))
        links.append(
            RecordContributor(
                record=record, contributor=contributor, role=person.role, position=position
            )
        )
    RecordContributor.objects.bulk_create(links)
    subject_ids: set[int] = set()
    subject_links = []
    for position, heading in enumerate(parsed.subjects):
        if not heading.strip():
            continue
        subject = _get_subject(heading)
        if subject.pk not in subject_ids:
            subject_ids.add(subject.pk)
            subject_links.append(RecordSubject(record=record, subject=subject, position=position))
    RecordSubject.objects.bulk_create(subject_links)


def _branch_for(item: ParsedItem, default_branch: Branch | None, cache: dict) -> Branch:
    code = item.branch_code.strip()
    if not code:
        if default_branch is None:
            raise NoBranchError()
        return default_branch
    if code not in cache:
        branch = Branch.objects.filter(code__iexact=code).first()
        if branch is None:
            raise UnknownBranchError(code=code)
        cache[code] = branch
    return cache[code]


def new_barcodes(count: int) -> list[str]:
    """Fresh item barcodes from the library's sequence (B00000001 …), never handed out twice."""
    return [f"{BARCODE_PREFIX}{n:08d}" for n in sequences.reserve(BARCODE_SEQUENCE, count)]


def _create_items(
    record: Record, items: list[ParsedItem], *, default_branch: Branch | None, at: dt.datetime
) -> int:
    if not items:
        return 0
    cache: dict[str, Branch] = {}
    needing_barcode = sum(1 for item in items if not item.barcode.strip())
    generated = iter(new_barcodes(needing_barcode)) if needing_barcode else iter(())
    rows = []
    for parsed in items:
        barcode = parsed.barcode.strip() or next(generated)
        rows.append(
            Item(
                record=record,
                barcode=barcode[:40],
                rfid_tag=parsed.rfid_tag.strip()[:64],
                branch=_branch_for(parsed, default_branch, cache),
                shelf_location=parsed.shelf_location.strip()[:100],
                collection=parsed.collection or Collection.GENERAL,
                call_number=parsed.call_number.strip()[:100],
                status=parsed.status or ItemStatus.AVAILABLE,
                price=parsed.price,
                source=parsed.source or ItemSource.PURCHASE,
                donor=parsed.donor.strip()[:200],
                acquired_on=parsed.acquired_on,
                notes=parsed.notes,
                created_at=at,
            )
        )
    _check_item_uniqueness(rows)
    Item.objects.bulk_create(rows)
    return len(rows)


def _check_item_uniqueness(rows: list[Item], *, exclude_pk: int | None = None) -> None:
    """Refuse barcodes and RFID tags used twice (in this batch or already in the catalogue)."""
    barcodes = [row.barcode for row in rows]
    for barcode in barcodes:
        if barcodes.count(barcode) > 1:
            raise DuplicateBarcodeError(barcode=barcode)
    taken = Item.objects.filter(barcode__in=barcodes)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    clash = taken.values_list("barcode", flat=True).first()
    if clash:
        raise DuplicateBarcodeError(barcode=clash)
    tags = [row.rfid_tag for row in rows if row.rfid_tag]
    for tag in tags:
        if tags.count(tag) > 1:
            raise DuplicateRfidError(tag=tag)
    taken_tags = Item.objects.filter(rfid_tag__in=tags)
    if exclude_pk:
        taken_tags = taken_tags.exclude(pk=exclude_pk)
    clash = taken_tags.values_list("rfid_tag", flat=True).first() if tags else None
    if clash:
        raise DuplicateRfidError(tag=clash)


@transaction.atomic
def save_parsed_record(
    parsed: ParsedRecord,
    *,
    policy: str = DuplicatePolicy.ADD,
    by=None,
    default_branch: Branch | None = None,
    at: dt.datetime | None = None,
) -> SaveOutcome:
    """Save one parsed record under the duplicate policy, with its items. All or nothing: a bad
    item (duplicate barcode, unknown branch) rejects the whole record, leaving nothing behind.

    `by=None` only for trusted callers (the demo); import jobs pass their owner."""
    if by is not None:
        require(by, "catalog.add_record")
    at = at or timezone.now()
    if not (parsed.title or "").strip():
        raise MissingTitleError()
    identifiers, warnings = identifiers_of(parsed)
    warnings = parsed.warnings + warnings
    duplicate = find_duplicate(identifiers) if policy != DuplicatePolicy.ADD else None
    if duplicate is not None and policy == DuplicatePolicy.SKIP:
        return SaveOutcome("skipped", duplicate, 0, warnings)
    if duplicate is not None and policy == DuplicatePolicy.MERGE:
        created = _create_items(duplicate, parsed.items, default_branch=default_branch, at=at)
        _merge_identifiers(duplicate, identifiers)
        announce([duplicate.pk])
        return SaveOutcome("merged", duplicate, created, warnings)

    record = Record(**_record_values(parsed, identifiers), created_at=at, created_by=by)
    record.save()
    _set_headings(record, parsed)
    RecordIdentifier.objects.bulk_create(
        RecordIdentifier(record=record, kind=kind, value=value[:80]) for kind, value in identifiers
    )
    created = _create_items(record, parsed.items, default_branch=default_branch, at=at)
    announce([record.pk])
    return SaveOutcome("imported", record, created, warnings)


def _merge_identifiers(record: Record, identifiers: list[tuple[str, str]]) -> None:
    existing = set(record.identifiers.values_list("kind", "value"))
    RecordIdentifier.objects.bulk_create(
        RecordIdentifier(record=record, kind=kind, value=value[:80])
        for kind, value in identifiers
        if (kind, value) not in existing
    )


# ---------------------------------------------------------------------------------------------
# Cataloguing


@transaction.atomic
def update_record(record: Record, parsed: ParsedRecord, *, by) -> Record:
    """Replace a record's description (from the cataloguing form). Items are kept."""
    require(by, "catalog.change_record")
    if not (parsed.title or "").strip():
        raise MissingTitleError()
    record = Record.objects.select_for_update().get(pk=record.pk)
    identifiers, _warnings = identifiers_of(parsed)
    values = _record_values(parsed, identifiers)
    values.pop("marc")
    values.pop("source")
    for name, value in values.items():
        setattr(record, name, value)
    if record.marc:
        record.description_edited_at = timezone.now()
    record.save()
    record.record_contributors.all().delete()
    record.record_subjects.all().delete()
    _set_headings(record, parsed)
    record.identifiers.all().delete()
    RecordIdentifier.objects.bulk_create(
        RecordIdentifier(record=record, kind=kind, value=value[:80]) for kind, value in identifiers
    )
    announce([record.pk])
    return record


def create_record(parsed: ParsedRecord, *, by, default_branch: Branch | None = None) -> Record:
    parsed.source = parsed.source or "manual"
    outcome = save_parsed_record(
        parsed, policy=DuplicatePolicy.ADD, by=by, default_branch=default_branch
    )
    return outcome.record


@transaction.atomic
def add_items(
    record: Record,
    *,
    count: int,
    branch: Branch,
    first_barcode: str = "",
    template: ParsedItem | None = None,
    by,
) -> list[Item]:
    """Add `count` copies at once. With `first_barcode` ('P0001234') the barcodes run on from
    it (P0001234, P0001235 …, keeping the width); without, they come from the sequence."""
    require(by, "catalog.add_item")
    template = template or ParsedItem()
    barcodes = sequential_barcodes(first_barcode, count) if first_barcode else new_barcodes(count)
    items = [
        ParsedItem(**{**template.__dict__, "barcode": barcode, "branch_code": branch.code})
        for barcode in barcodes
    ]
    _create_items(record, items, default_branch=branch, at=timezone.now())
    announce([record.pk])
    return list(Item.objects.filter(record=record, barcode__in=barcodes).order_by("barcode"))


def sequential_barcodes(first: str, count: int) -> list[str]:
    """'P0099' x3 -> ['P0099', 'P0100', 'P0101']: the trailing digits count up, width kept."""
    prefix = first.rstrip("0123456789")
    digits = first[len(prefix) :]
    if not digits:
        raise InvalidValueError(
            field=_("First barcode"), problem=_("it must end in digits to count from.")
        )
    start = int(digits)
    return [f"{prefix}{start + n:0{len(digits)}d}" for n in range(count)]


ITEM_FIELDS = (
    "barcode",
    "rfid_tag",
    "branch",
    "shelf_location",
    "collection",
    "call_number",
    "status",
    "price",
    "source",
    "donor",
    "acquired_on",
    "notes",
)


@transaction.atomic
def update_item(item: Item, changes: dict[str, Any], *, by) -> Item:
    require(by, "catalog.change_item")
    item = Item.objects.select_for_update().get(pk=item.pk)
    for name, value in changes.items():
        if name in ITEM_FIELDS:
            setattr(item, name, value)
    _check_item_uniqueness([item], exclude_pk=item.pk)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as error:  # a racing save took the barcode or tag in between
        raise DuplicateBarcodeError(barcode=item.barcode) from error
    announce([item.record_id])
    return item


@transaction.atomic
def delete_item(item: Item, *, by) -> None:
    require(by, "catalog.delete_item")
    record_id = item.record_id
    item.delete()
    announce([record_id])


@transaction.atomic
def delete_record(record: Record, *, by) -> None:
    require(by, "catalog.delete_record")
    record_id = record.pk
    record.delete()
    announce([record_id])


# ---------------------------------------------------------------------------------------------
# Many records at once (imports)


def marc_length_of(marc: dict[str, Any] | None) -> int | None:
    """Bytes a stored MARC record (pymarc's JSON form) takes in ISO 2709, UTF-8."""
    if not marc:
        return None
    size = 26  # leader, directory terminator, record terminator
    for entry in marc.get("fields", ()):
        for value in entry.values():
            size += 12
            if isinstance(value, dict):
                size += 3
                for sub in value.get("subfields", ()):
                    for code, text in sub.items():
                        size += 1 + len(code.encode()) + len((text or "").encode())
            else:
                size += len((value or "").encode()) + 1
    return size


class _BatchConflict(Exception):
    """Something the batch checks did not foresee (a race, a generated barcode already used):
    the batch is redone one record at a time."""


@dataclass
class _Pending:
    index: int
    parsed: ParsedRecord
    identifiers: list[tuple[str, str]]
    warnings: list[str]
    record: Record
    items: list[tuple[ParsedItem, Branch]] = field(default_factory=list)
    new_identifiers: list[tuple[str, str]] = field(default_factory=list)


def save_parsed_records(
    batch: list[ParsedRecord],
    *,
    policy: str = DuplicatePolicy.ADD,
    by=None,
    default_branch: Branch | None = None,
    at: dt.datetime | None = None,
) -> list[SaveOutcome | DomainError]:
    """Save many parsed records as `save_parsed_record` saves each, in order, but in a few
    queries: one outcome per record, in order, or the DomainError that record would have
    raised (it then leaves nothing behind, and the others are saved).

    Duplicates are found in the catalogue and earlier in the same batch alike; barcodes must
    be new to the catalogue and to the batch. Should the database still refuse the batch (a
    race with another writer), it is redone one record at a time, so the outcome is the same.
    """
    if by is not None:
        require(by, "catalog.add_record")
    at = at or timezone.now()
    if not batch:
        return []
    try:
        with transaction.atomic():
            return _save_batch(batch, policy=policy, by=by, default_branch=default_branch, at=at)
    except (IntegrityError, _BatchConflict) as error:
        logger.warning("batch of %s records saved one at a time: %s", len(batch), error)
        return [
            _save_one(parsed, policy=policy, by=by, default_branch=default_branch, at=at)
            for parsed in batch
        ]


def _save_one(parsed: ParsedRecord, **options) -> SaveOutcome | DomainError:
    try:
        with transaction.atomic():
            outcome = save_parsed_record(parsed, **options)
            if outcome.action == "imported" and outcome.record is not None and marc_of(parsed):
                length = parsed.marc_length or marc_length_of(marc_of(parsed))
                Record.objects.filter(pk=outcome.record.pk).update(marc_length=length)
                outcome.record.marc_length = length
            return outcome
    except DomainError as error:
        return error
    except IntegrityError:
        return DuplicateBarcodeError(barcode="?")


def _existing_identifiers(
    identifiers: set[tuple[str, str]],
) -> dict[tuple[str, str], int]:
    """(kind, value) -> the lowest record id holding it, for those the catalogue has."""
    found: dict[tuple[str, str], int] = {}
    values = sorted({value for _kind, value in identifiers})
    for start in range(0, len(values), 500):
        rows = RecordIdentifier.objects.filter(value__in=values[start : start + 500]).values_list(
            "kind", "value", "record_id"
        )
        for kind, value, record_id in rows:
            key = (kind, value)
            if key in identifiers and (key not in found or record_id < found[key]):
                found[key] = record_id
    return found


def _taken(field_name: str, values: set[str]) -> set[str]:
    taken: set[str] = set()
    ordered = sorted(values)
    for start in range(0, len(ordered), 500):
        taken.update(
            Item.objects.filter(**{f"{field_name}__in": ordered[start : start + 500]}).values_list(
                field_name, flat=True
            )
        )
    return taken


def _save_batch(
    batch: list[ParsedRecord],
    *,
    policy: str,
    by,
    default_branch: Branch | None,
    at: dt.datetime,
) -> list[SaveOutcome | DomainError]:
    outcomes: list[SaveOutcome | DomainError | None] = [None] * len(batch)

    # 1. Everything the checks need, in a handful of queries.
    prepared: list[tuple[list[tuple[str, str]], list[str]]] = []
    all_identifiers: set[tuple[str, str]] = set()
    barcodes: set[str] = set()
    tags: set[str] = set()
    branch_codes: set[str] = set()
    for parsed in batch:
        identifiers, warnings = identifiers_of(parsed)
        prepared.append((identifiers, parsed.warnings + warnings))
        all_identifiers.update(identifiers)
        for item in parsed.items:
            if item.barcode.strip():
                barcodes.add(item.barcode.strip()[:40])
            if item.rfid_tag.strip():
                tags.add(item.rfid_tag.strip()[:64])
            if item.branch_code.strip():
                branch_codes.add(item.branch_code.strip().lower())
    in_catalogue = (
        _existing_identifiers(all_identifiers)
        if policy != DuplicatePolicy.ADD and all_identifiers
        else {}
    )
    taken_barcodes = _taken("barcode", barcodes) if barcodes else set()
    taken_tags = _taken("rfid_tag", tags) if tags else set()
    branches = {
        branch.code.lower(): branch
        for branch in Branch.objects.all()
        if branch.code.lower() in branch_codes
    }
    duplicate_records = Record.objects.in_bulk(set(in_catalogue.values()))
    existing_ids_of: dict[int, set[tuple[str, str]]] = {}
    if policy == DuplicatePolicy.MERGE and duplicate_records:
        for record_id, kind, value in RecordIdentifier.objects.filter(
            record_id__in=list(duplicate_records)
        ).values_list("record_id", "kind", "value"):
            existing_ids_of.setdefault(record_id, set()).add((kind, value))

    # 2. Decide, record by record, as the one-at-a-time save would.
    in_batch: dict[tuple[str, str], _Pending] = {}
    new_records: list[_Pending] = []
    merged_identifiers: dict[int, list[tuple[str, str]]] = {}
    touched: set[int] = set()
    pending_merges: list[tuple[int, _Pending | int, list[tuple[ParsedItem, Branch]]]] = []
    needing_barcode = 0
    for index, parsed in enumerate(batch):
        identifiers, warnings = prepared[index]
        if not (parsed.title or "").strip():
            outcomes[index] = MissingTitleError()
            continue
        target: int | _Pending | None = None
        if policy != DuplicatePolicy.ADD:
            in_db = [in_catalogue[key] for key in identifiers if key in in_catalogue]
            if in_db:
                target = min(in_db)
            else:
                earlier = [in_batch[key] for key in identifiers if key in in_batch]
                if earlier:
                    target = min(earlier, key=lambda pending: pending.index)
        if target is not None and policy == DuplicatePolicy.SKIP:
            record = duplicate_records[target] if isinstance(target, int) else target.record
            outcomes[index] = SaveOutcome("skipped", record, 0, warnings)
            continue
        try:
            items = _check_batch_items(
                parsed.items, default_branch, branches, taken_barcodes, taken_tags
            )
        except DomainError as error:
            outcomes[index] = error
            continue
        for item, _branch in items:
            if item.barcode.strip():
                taken_barcodes.add(item.barcode.strip()[:40])
            else:
                needing_barcode += 1
            if item.rfid_tag.strip():
                taken_tags.add(item.rfid_tag.strip()[:64])
        if target is not None:  # MERGE
            pending_merges.append((index, target, items))
            if isinstance(target, int):
                known = existing_ids_of.setdefault(target, set())
                new = [key for key in identifiers if key not in known]
                known.update(new)
                merged_identifiers.setdefault(target, []).extend(new)
                for key in new:
                    in_catalogue[key] = min(in_catalogue.get(key, target), target)
            else:
                known = set(target.identifiers) | set(target.new_identifiers)
                new = [key for key in identifiers if key not in known]
                target.new_identifiers.extend(new)
                for key in new:
                    if key not in in_batch or in_batch[key].index > target.index:
                        in_batch[key] = target
            continue
        values = _record_values(parsed, identifiers, load_marc=False)
        values["marc_length"] = parsed.marc_length or marc_length_of(marc_of(parsed))
        record = _new_record(values, at=at, by=by)
        pending = _Pending(index, parsed, identifiers, warnings, record, items)
        new_records.append(pending)
        for key in identifiers:
            in_batch.setdefault(key, pending)

    # 3. Write.
    _insert_records(
        [pending.record for pending in new_records],
        at=at,
        marc_texts=[pending.parsed.marc_json for pending in new_records],
    )
    _bulk_headings(new_records)
    identifier_rows = [
        (pending.record.pk, kind, value[:80])
        for pending in new_records
        for kind, value in [*pending.identifiers, *pending.new_identifiers]
    ]
    for record_id, keys in merged_identifiers.items():
        identifier_rows += [(record_id, kind, value[:80]) for kind, value in keys]
    _insert(RecordIdentifier, ["record", "kind", "value"], identifier_rows)

    generated = iter(new_barcodes(needing_barcode)) if needing_barcode else iter(())
    item_rows: list[tuple] = []
    created_for: dict[int, int] = {}
    moment = Item._meta.get_field("created_at").get_db_prep_save(at, connection)
    adapt_date = connection.ops.adapt_datefield_value
    others = _OtherColumns(Item, ITEM_COLUMNS, moment)

    def add_items(record: Record, items: list[tuple[ParsedItem, Branch]], index: int) -> None:
        for parsed_item, branch in items:
            row = _item_row(record.pk, parsed_item, branch.pk, generated, moment, adapt_date)
            item_rows.append(row + others() if others else row)
        created_for[index] = len(items)

    # Items in batch order, as one-at-a-time saving would create them (and number them).
    merges_by_index = {index: (target, items) for index, target, items in pending_merges}
    new_by_index = {pending.index: pending for pending in new_records}
    for index in range(len(batch)):
        if index in new_by_index:
            pending = new_by_index[index]
            add_items(pending.record, pending.items, index)
        elif index in merges_by_index:
            target, items = merges_by_index[index]
            record = duplicate_records[target] if isinstance(target, int) else target.record
            add_items(record, items, index)
    fresh = [row[1] for row in item_rows if row[1] not in barcodes]
    if fresh and Item.objects.filter(barcode__in=fresh).exists():
        raise _BatchConflict()
    _insert(Item, [*ITEM_COLUMNS, *others.names], item_rows)

    for pending in new_records:
        outcomes[pending.index] = SaveOutcome(
            "imported", pending.record, created_for.get(pending.index, 0), pending.warnings
        )
        touched.add(pending.record.pk)
    for index, target, _items in pending_merges:
        record = duplicate_records[target] if isinstance(target, int) else target.record
        outcomes[index] = SaveOutcome(
            "merged", record, created_for.get(index, 0), prepared[index][1]
        )
        touched.add(record.pk)
    announce(touched)
    if any(outcome is None for outcome in outcomes):  # pragma: no cover - a bug, not data
        raise _BatchConflict()
    return outcomes  # type: ignore[return-value]


def _check_batch_items(
    items: list[ParsedItem],
    default_branch: Branch | None,
    branches: dict[str, Branch],
    taken_barcodes: set[str],
    taken_tags: set[str],
) -> list[tuple[ParsedItem, Branch]]:
    """The items with their branches, or the error `_create_items` would raise for them."""
    resolved = []
    for item in items:
        code = item.branch_code.strip()
        if not code:
            if default_branch is None:
                raise NoBranchError()
            branch = default_branch
        else:
            branch = branches.get(code.lower())
            if branch is None:
                raise UnknownBranchError(code=code)
        resolved.append((item, branch))
    barcodes = [item.barcode.strip()[:40] for item in items if item.barcode.strip()]
    for barcode in barcodes:
        if barcodes.count(barcode) > 1:
            raise DuplicateBarcodeError(barcode=barcode)
    for barcode in barcodes:
        if barcode in taken_barcodes:
            raise DuplicateBarcodeError(barcode=barcode)
    tags = [item.rfid_tag.strip()[:64] for item in items if item.rfid_tag.strip()]
    for tag in tags:
        if tags.count(tag) > 1:
            raise DuplicateRfidError(tag=tag)
    for tag in tags:
        if tag in taken_tags:
            raise DuplicateRfidError(tag=tag)
    return resolved


# The columns of an imported copy, in the order `_item_row` gives them.
ITEM_COLUMNS = ("record", *ITEM_FIELDS, "created_at", "updated_at")


def _item_row(record_id: int, parsed: ParsedItem, branch_id: int, generated, moment, adapt_date):
    """An imported copy as a row of ITEM_COLUMNS, values ready for the database (what
    `_create_items` saves through the model, without building an Item)."""
    barcode = parsed.barcode.strip() or next(generated)
    acquired_on = parsed.acquired_on
    return (
        record_id,
        barcode[:40],
        parsed.rfid_tag.strip()[:64],
        branch_id,
        parsed.shelf_location.strip()[:100],
        str(parsed.collection or Collection.GENERAL),
        parsed.call_number.strip()[:100],
        str(parsed.status or ItemStatus.AVAILABLE),
        parsed.price,
        str(parsed.source or ItemSource.PURCHASE),
        parsed.donor.strip()[:200],
        adapt_date(acquired_on) if acquired_on is not None else None,
        parsed.notes,
        moment,
        moment,
    )


class _OtherColumns:
    """The model's concrete columns a raw insert does not name, with their defaults ready
    for the database (so that a field added to the model later is written as bulk_create
    would write it). Called, gives one row's values."""

    def __init__(self, model, named: tuple[str, ...], moment) -> None:
        self.fields = [
            f for f in model._meta.concrete_fields if not f.primary_key and f.name not in named
        ]
        self.names = [f.name for f in self.fields]
        self.moment = moment
        self.fixed = None if any(callable(f.default) for f in self.fields) else self._values()

    def _values(self) -> tuple:
        return tuple(
            self.moment
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_db_prep_save(f.get_default(), connection)
            for f in self.fields
        )

    def __bool__(self) -> bool:
        return bool(self.fields)

    def __call__(self) -> tuple:
        return self.fixed if self.fixed is not None else self._values()


def _bulk_headings(new_records: list[_Pending]) -> None:
    """Contributors and subjects of new records: found or created in bulk, then linked."""
    people: dict[str, tuple[str, str]] = {}
    topics: dict[str, str] = {}
    person_keys: list[list[tuple[int, str, str]]] = []
    subject_keys: list[list[tuple[int, str]]] = []
    for pending in new_records:
        keys = []
        for position, person in enumerate(pending.parsed.contributors):
            if not person.name.strip():
                continue
            display = clean_heading(person.name)
            key = heading_key(f"{display} {person.dates}")
            people.setdefault(key, (display[:300], person.dates.strip()[:60]))
            keys.append((position, key, person.role))
        person_keys.append(keys)
        keys_s = []
        for position, heading in enumerate(pending.parsed.subjects):
            if not heading.strip():
                continue
            display = clean_heading(heading)
            key = heading_key(display)
            topics.setdefault(key, display[:300])
            keys_s.append((position, key))
        subject_keys.append(keys_s)
    contributor_ids = _ids_by_key(
        Contributor, {key: {"name": name, "dates": dates} for key, (name, dates) in people.items()}
    )
    subject_ids = _ids_by_key(Subject, {key: {"heading": text} for key, text in topics.items()})
    contributor_links: list[tuple] = []
    subject_links: list[tuple] = []
    for pending, keys, keys_s in zip(new_records, person_keys, subject_keys, strict=True):
        record_id = pending.record.pk
        seen: set[tuple[int, str]] = set()
        for position, key, role in keys:
            contributor_id = contributor_ids[key]
            if (contributor_id, role) in seen:
                continue
            seen.add((contributor_id, role))
            contributor_links.append((record_id, contributor_id, role, position))
        seen_subjects: set[int] = set()
        for position, key in keys_s:
            subject_id = subject_ids[key]
            if subject_id in seen_subjects:
                continue
            seen_subjects.add(subject_id)
            subject_links.append((record_id, subject_id, position))
    _insert(RecordContributor, ["record", "contributor", "role", "position"], contributor_links)
    _insert(RecordSubject, ["record", "subject", "position"], subject_links)


def _ids_by_key(model, wanted: dict[str, dict[str, str]]) -> dict[str, int]:
    """key -> id of the Contributor or Subject with that key, creating the missing ones
    (a heading another import created meanwhile is looked up, not duplicated)."""
    keys = list(wanted)
    if connection.vendor == "postgresql":
        return _pg_ids_by_key(model, wanted)
    ids: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        ids.update(model.objects.filter(key__in=keys[start : start + 500]).values_list("key", "pk"))
    missing = [key for key in keys if key not in ids]
    if not missing:
        return ids
    if connection.features.can_return_rows_from_bulk_insert:
        names = [name for name in ("name", "dates", "heading") if _has_field(model, name)]
        rows = [(key, *(wanted[key].get(name, "") for name in names)) for key in missing]
        ids.update(_insert_new(model, ["key", *names], rows))
        missing = [key for key in missing if key not in ids]
    else:
        model.objects.bulk_create(
            [model(key=key, **wanted[key]) for key in missing], ignore_conflicts=True
        )
    for start in range(0, len(missing), 500):
        ids.update(
            model.objects.filter(key__in=missing[start : start + 500]).values_list("key", "pk")
        )
    return ids


def _pg_ids_by_key(model, wanted: dict[str, dict[str, str]]) -> dict[str, int]:
    """PostgreSQL: the same with array parameters, one short statement each way."""
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = [name for name in ("name", "dates", "heading") if _has_field(model, name)]
    key_column = quote(meta.get_field("key").column)
    pk_column = quote(meta.pk.column)
    keys = list(wanted)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key_column}, {pk_column} FROM {table} WHERE {key_column} = ANY(%s)",  # noqa: S608
            [keys],
        )
        ids = dict(cursor.fetchall())
        missing = [key for key in keys if key not in ids]
        if missing:
            columns = ", ".join(quote(meta.get_field(name).column) for name in ["key", *names])
            arrays = ", ".join(["%s::text[]"] * (1 + len(names)))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608
                f"ON CONFLICT DO NOTHING RETURNING {key_column}, {pk_column}",
                [missing, *([wanted[key].get(name, "") for key in missing] for name in names)],
            )
            ids.update(cursor.fetchall())
            late = [key for key in missing if key not in ids]  # created meanwhile elsewhere
            if late:
                cursor.execute(
                    f"SELECT {key_column}, {pk_column} FROM {table} "  # noqa: S608
                    f"WHERE {key_column} = ANY(%s)",
                    [late],
                )
                ids.update(cursor.fetchall())
    return ids


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def _insert_new(model, names: list[str], rows: list[tuple]) -> dict[str, int]:
    """INSERT rows whose first column is a unique key, skipping keys that exist; returns
    key -> id of the rows inserted."""
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    per = max(1, min(500, (connection.features.max_query_params or 30000) // len(names)))
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            part = rows[start : start + per]
            values = ", ".join([one] * len(part))
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608 - names from _meta
                f"ON CONFLICT DO NOTHING RETURNING {quote(meta.get_field(names[0]).column)}, "
                f"{quote(meta.pk.column)}"
            )
            cursor.execute(sql, [value for row in part for value in row])
            found.update(cursor.fetchall())
    return found


# The hot path of an import writes its rows with plain INSERTs: Django's bulk_create spends
# more time preparing each value than the database spends storing it. Values are given ready
# for the database (ids, strings, numbers); JSON and dates go through their field once.


def _insert(model, names: list[str], rows: list[tuple], *, returning: bool = False) -> list[int]:
    """INSERT `rows` (tuples in the order of `names`) into `model`'s table; with `returning`,
    the new primary keys in row order.

    PostgreSQL gets COPY, with primary keys drawn from the table's sequence beforehand (a
    multi-row INSERT costs psycopg more to prepare than PostgreSQL to run); SQLite gets
    executemany, or multi-row INSERT … RETURNING when the keys are wanted."""
    if not rows:
        return []
    meta = model._meta
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        ids: list[int] = []
        if returning:
            ids = _next_ids(meta, len(rows))
            names = [meta.pk.name, *names]
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        columns = ", ".join(quote(meta.get_field(name).column) for name in names)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return ids
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    ids = []
    with connection.cursor() as cursor:
        if not returning:
            sql = f"INSERT INTO {table} ({columns}) VALUES {one}"  # noqa: S608 - names from _meta
            cursor.executemany(sql, rows)
            return ids
        per = max(1, min(500, (connection.features.max_query_params or 30000) // len(names)))
        pk = quote(meta.pk.column)
        for start in range(0, len(rows), per):
            part = rows[start : start + per]
            values = ", ".join([one] * len(part))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk}"  # noqa: S608
            cursor.execute(sql, [value for row in part for value in row])
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _next_ids(meta, count: int) -> list[int]:
    """`count` fresh primary keys from a PostgreSQL table's sequence, ascending."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


@functools.cache
def _record_layout() -> tuple[tuple[str, models.Field], ...]:
    return tuple((f.attname, f) for f in Record._meta.concrete_fields)


def _new_record(values: dict[str, Any], *, at: dt.datetime, by) -> Record:
    """A Record (not saved) from `values` by attribute name, every other field its default:
    built positionally, which costs Django a fraction of keyword arguments."""
    values["created_at"] = values["updated_at"] = at
    values["created_by_id"] = by.pk if by is not None else None
    args = [
        values[attname] if attname in values else (None if f.primary_key else f.get_default())
        for attname, f in _record_layout()
    ]
    record = Record(*args)
    if by is not None:
        Record.created_by.field.set_cached_value(record, by)
    return record


@functools.cache
def _record_columns() -> tuple[list[str], list[tuple[str, int, models.Field]]]:
    """Record's columns for `_insert_records`: names, and how each value is read
    (0 as it is, 1 the insert's moment, 2 JSON, 3 a file's name)."""
    fields = [f for f in Record._meta.concrete_fields if not f.primary_key]
    how = []
    for f in fields:
        if f.name in {"created_at", "updated_at"}:
            kind = 1
        elif isinstance(f, models.JSONField):
            kind = 2
        elif isinstance(f, models.FileField):
            kind = 3
        else:
            kind = 0
        how.append((f.attname, kind, f))
    return [f.name for f in fields], how


def _insert_records(
    records: list[Record], *, at: dt.datetime, marc_texts: list[str | None] | None = None
) -> None:
    """Insert new Record instances (not yet saved), giving each its primary key. A record
    whose `marc` is deferred is stored with its MARC original from `marc_texts` (JSON text,
    written as it is; the instance loads it from the database if asked)."""
    if not records:
        return
    texts = marc_texts or [None] * len(records)
    if not connection.features.can_return_rows_from_bulk_insert:
        for record, text in zip(records, texts, strict=True):
            if "marc" not in record.__dict__:
                record.marc = json.loads(text) if text else None
        Record.objects.bulk_create(records)
        return
    moment = Record._meta.get_field("created_at").get_db_prep_save(at, connection)
    adapt_json = connection.ops.adapt_json_value
    names, how = _record_columns()
    rows = []
    for record, text in zip(records, texts, strict=True):
        record.updated_at = at
        values = record.__dict__
        row = []
        for attname, kind, f in how:
            if kind == 0:
                row.append(values[attname])
            elif kind == 1:
                row.append(moment)
            elif kind == 2:
                value = values.get(attname, DEFERRED)
                if value is DEFERRED:
                    row.append(text)
                else:
                    row.append(None if value is None else adapt_json(value, f.encoder))
            else:  # the stored name, without the descriptor's FieldFile (a reference cycle)
                value = values[attname]
                row.append((value if isinstance(value, str) else value.name) or "")
        rows.append(row)
    ids = _insert(Record, names, rows, returning=True)
    if len(ids) != len(records):
        raise _BatchConflict()
    for record, pk in zip(records, ids, strict=True):
        record.pk = pk
        record._state.adding = False
        record._state.db = connection.alias
