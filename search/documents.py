"""From catalogue records to search documents.

`load_sources(ids)` reads what the index needs of many records in five queries (records,
contributors, subjects, identifiers, copies per branch); `build_document(source)` analyses it.
The benchmark builds `Source`s itself and uses the same `build_document`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q

from catalog.models import (
    AVAILABLE_STATUSES,
    HIDDEN_STATUSES,
    IdentifierKind,
    Item,
    Record,
    RecordContributor,
    RecordIdentifier,
    RecordSubject,
)
from search.analysis import sort_key, terms
from search.facets import document_tags

# Fields, in order of weight. SQLite FTS5 ranks them with these bm25 weights; PostgreSQL has four
# weight classes (A–D), listed beside them.
FIELDS = ("title", "author", "subject", "series", "ident", "notes")
BM25_WEIGHTS = {
    "title": 10.0,
    "author": 5.0,
    "subject": 3.0,
    "series": 2.0,
    "ident": 2.0,
    "notes": 1.0,
}
PG_WEIGHTS = {
    "title": "A",
    "author": "B",
    "subject": "C",
    "series": "D",
    "ident": "D",
    "notes": "D",
}
MAX_TERM_LENGTH = 64


@dataclass
class Source:
    """Everything indexed about one record, as plain values."""

    record_id: int
    title: str
    created_at: dt.datetime
    subtitle: str = ""
    title_vernacular: str = ""
    responsibility: str = ""
    contributors: list[str] = field(default_factory=list)
    subjects: list[tuple[int, str]] = field(default_factory=list)  # (subject id, heading)
    series: str = ""
    identifiers: list[str] = field(default_factory=list)
    publisher: str = ""
    notes: str = ""
    summary: str = ""
    year: int | None = None
    language: str = ""
    ddc: str = ""
    audience: str = ""
    material_type: str = "book"
    accessibility_features: list[str] = field(default_factory=list)
    holdings: dict[int, tuple[int, int]] = field(default_factory=dict)  # branch -> (shown, in)


@dataclass
class Document:
    record_id: int
    fields: dict[str, list[str]]  # field -> analysed terms in order
    tags: list[str]
    year: int | None
    sort_title: str
    created_at: dt.datetime
    has_copies: bool
    digest: str = ""

    def text(self, name: str) -> str:
        return " ".join(self.fields.get(name, ()))

    def vocabulary(self) -> set[str]:
        """The distinct terms and tags this document adds to the index vocabulary."""
        words = {
            t for name in FIELDS for t in self.fields.get(name, ()) if len(t) <= MAX_TERM_LENGTH
        }
        return words | set(self.tags)


def _analysed(*texts: str) -> list[str]:
    found: list[str] = []
    for text in texts:
        if text:
            found.extend(term[:MAX_TERM_LENGTH] for term in terms(text))
    return found


def build_document(source: Source) -> Document:
    fields = {
        "title": _analysed(source.title, source.subtitle, source.title_vernacular),
        "author": _analysed(source.responsibility, *source.contributors),
        "subject": _analysed(*(heading for _pk, heading in source.subjects)),
        "series": _analysed(source.series),
        "ident": _analysed(*source.identifiers),
        "notes": _analysed(source.publisher, source.notes, source.summary),
    }
    tags = document_tags(
        material_type=source.material_type,
        language=source.language,
        year=source.year,
        audience=source.audience,
        accessibility_features=source.accessibility_features,
        ddc=source.ddc,
        subject_ids=[pk for pk, _heading in source.subjects],
        holdings=source.holdings,
    )
    document = Document(
        record_id=source.record_id,
        fields=fields,
        tags=tags,
        year=source.year,
        sort_title=sort_key(f"{source.title} {source.subtitle}"),
        created_at=source.created_at,
        has_copies=any(total for total, _available in source.holdings.values()),
    )
    digest = hashlib.md5(usedforsecurity=False)
    for name in FIELDS:
        digest.update(document.text(name).encode())
        digest.update(b"\x1f")
    digest.update(
        f"{' '.join(tags)}|{document.year}|{document.sort_title}|"
        f"{document.created_at.isoformat()}|{document.has_copies}".encode()
    )
    document.digest = digest.hexdigest()
    return document


def load_sources(record_ids: Iterable[int]) -> list[Source]:
    """The sources of the records that still exist among `record_ids`, in five queries."""
    ids = sorted({int(pk) for pk in record_ids})
    if not ids:
        return []
    sources = {
        row["pk"]: Source(
            record_id=row["pk"],
            title=row["title"],
            subtitle=row["subtitle"],
            title_vernacular=row["title_vernacular"],
            responsibility=row["responsibility"],
            series=row["series"],
            identifiers=[v for v in (row["isbn"], row["issn"]) if v],
            publisher=row["publisher"],
            notes=row["notes"],
            summary=row["summary"],
            year=row["year"],
            language=row["language"],
            ddc=row["ddc"],
            audience=row["audience"],
            material_type=row["material_type"],
            accessibility_features=list(row["accessibility_features"] or []),
            created_at=row["created_at"],
        )
        for row in Record.objects.filter(pk__in=ids).values(
            "pk",
            "title",
            "subtitle",
            "title_vernacular",
            "responsibility",
            "series",
            "isbn",
            "issn",
            "publisher",
            "notes",
            "summary",
            "year",
            "language",
            "ddc",
            "audience",
            "material_type",
            "accessibility_features",
            "created_at",
        )
    }
    if not sources:
        return []
    present = list(sources)
    for record_id, name in (
        RecordContributor.objects.filter(record_id__in=present)
        .order_by("record_id", "position", "pk")
        .values_list("record_id", "contributor__name")
    ):
        sources[record_id].contributors.append(name)
    for record_id, subject_id, heading in (
        RecordSubject.objects.filter(record_id__in=present)
        .order_by("record_id", "position", "pk")
        .values_list("record_id", "subject_id", "subject__heading")
    ):
        sources[record_id].subjects.append((subject_id, heading))
    for record_id, value in RecordIdentifier.objects.filter(
        record_id__in=present,
        kind__in=[IdentifierKind.ISBN, IdentifierKind.ISSN, IdentifierKind.LCCN],
    ).values_list("record_id", "value"):
        if value not in sources[record_id].identifiers:
            sources[record_id].identifiers.append(value)
    for row in (
        Item.objects.filter(record_id__in=present)
        .exclude(status__in=HIDDEN_STATUSES)
        .values("record_id", "branch_id")
        .annotate(total=Count("pk"), available=Count("pk", filter=Q(status__in=AVAILABLE_STATUSES)))
        .order_by()
    ):
        sources[row["record_id"]].holdings[row["branch_id"]] = (row["total"], row["available"])
    return list(sources.values())
