"""The shape every importer (MARC, MARCXML, CSV, XLSX, SLiMS) produces and every cataloguing
path saves: a record with its contributors, subjects, identifiers and items, as plain data.

Importers parse into `ParsedRecord`; `catalog.services.save_parsed_record` validates and saves
it under the duplicate policy. Nothing else writes records from outside the catalogue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ParsedContributor:
    name: str
    role: str = "author"  # a catalog.models.ContributorRole value
    dates: str = ""


@dataclass
class ParsedItem:
    barcode: str = ""
    branch_code: str = ""  # core.Branch.code; empty: the import's default branch
    shelf_location: str = ""
    collection: str = ""
    call_number: str = ""
    status: str = ""
    price: int | None = None  # Rupiah
    source: str = ""
    donor: str = ""
    acquired_on: dt.date | None = None
    notes: str = ""
    rfid_tag: str = ""


@dataclass
class ParsedRecord:
    title: str
    subtitle: str = ""
    responsibility: str = ""
    title_vernacular: str = ""
    contributors: list[ParsedContributor] = field(default_factory=list)
    edition: str = ""
    publisher: str = ""
    place: str = ""
    year: int | None = None
    isbns: list[str] = field(default_factory=list)  # as found; normalised on save
    issn: str = ""
    lccn: str = ""
    language: str = ""
    ddc: str = ""
    call_number: str = ""
    subjects: list[str] = field(default_factory=list)
    series: str = ""
    physical_description: str = ""
    notes: str = ""
    summary: str = ""
    audience: str = ""
    material_type: str = "book"
    accessibility_features: list[str] = field(default_factory=list)
    control_number: str = ""
    control_number_source: str = ""
    marc: dict[str, Any] | None = None  # pymarc's JSON form of the original record
    # The same as JSON text, instead of `marc` (the MARC readers give this: cheaper to make,
    # and the import stores it as it is).
    marc_json: str | None = None
    marc_length: int | None = None  # bytes of `marc` in ISO 2709, when the reader knows them
    source: str = "manual"
    items: list[ParsedItem] = field(default_factory=list)
    # Problems found while parsing that do not stop the record (an invalid ISBN, say).
    warnings: list[str] = field(default_factory=list)
