"""Browsing the catalogue through the index: subjects, DDC classes, new arrivals. Counts come
from the vocabulary table (search_term), which the indexer keeps exact, so these pages cost a
few index lookups however large the catalogue is."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import CharField, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from catalog.models import Subject
from search.facets import DDC_HUNDREDS
from search.models import SearchDocument, SearchTerm

TOP_SUBJECTS_CACHE_SECONDS = 600


def top_subjects(limit: int = 30) -> list[tuple[int, str, int]]:
    """(subject id, heading, records) of the most used subjects. Cached for ten minutes: it
    reads every subject's count."""
    key = f"search:top-subjects:{limit}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = list(
        SearchTerm.objects.filter(term__gte="su_", term__lt="su`", records__gt=0)
        .order_by("-records", "term")
        .values_list("term", "records")[:limit]
    )
    headings = dict(
        Subject.objects.filter(pk__in=[int(t[3:]) for t, _n in rows]).values_list("pk", "heading")
    )
    result = [(int(t[3:]), headings[int(t[3:])], n) for t, n in rows if int(t[3:]) in headings]
    cache.set(key, result, TOP_SUBJECTS_CACHE_SECONDS)
    return result


@dataclass(frozen=True)
class SubjectRow:
    pk: int
    heading: str
    records: int


def subjects_from(start: str = "", *, limit: int = 50) -> tuple[list[SubjectRow], str | None]:
    """Subjects in alphabetical order (of their matching key) from `start`, with their record
    counts, skipping those no record uses; and where the next page starts."""
    count = SearchTerm.objects.filter(
        term=Concat(Value("su_"), Cast(OuterRef("pk"), CharField()))
    ).values("records")[:1]
    rows = list(
        Subject.objects.filter(key__gte=start.casefold())
        .annotate(record_count=Subquery(count, output_field=IntegerField()))
        .filter(record_count__gt=0)
        .order_by("key")
        .values_list("pk", "heading", "record_count", "key")[: limit + 1]
    )
    following = rows[limit][3] if len(rows) > limit else None
    return [SubjectRow(pk, heading, n) for pk, heading, n, _key in rows[:limit]], following


@dataclass(frozen=True)
class ClassRow:
    code: str  # "5" or "51"
    label: str  # "500" or "510"
    name: str
    records: int

    @property
    def span(self) -> str:
        """'510–519' for a division."""
        return f"{self.label}–{int(self.label) + 9:03d}"


def ddc_classes(parent: str = "") -> list[ClassRow]:
    """The ten DDC main classes (parent ''), or the ten divisions of one ('5' -> 500…590)."""
    codes = [f"{parent}{digit}" for digit in "0123456789"]
    counts = dict(
        SearchTerm.objects.filter(term__in=[f"dd_{c}" for c in codes]).values_list(
            "term", "records"
        )
    )
    return [
        ClassRow(
            code=code,
            label=code.ljust(3, "0"),
            name=str(DDC_HUNDREDS[code]) if len(code) == 1 else "",
            records=counts.get(f"dd_{code}", 0),
        )
        for code in codes
    ]


def new_arrival_ids(*, offset: int = 0, limit: int = 20) -> list[int]:
    """The most recently added records that have copies to borrow, newest first."""
    return list(
        SearchDocument.objects.filter(has_copies=True)
        .order_by("-created_at", "-record_id")
        .values_list("record_id", flat=True)[offset : offset + limit]
    )


def new_arrivals_count(cap: int = 1000) -> int:
    return min(
        SearchDocument.objects.filter(has_copies=True).order_by().values("pk")[:cap].count(), cap
    )
