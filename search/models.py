"""The search index: one document per catalogue record, and the index vocabulary.

`SearchDocument` holds what both backends share (the facet tags, sort keys, dates). Each
backend adds its own text storage in migration 0002: on SQLite the analysed token columns and
an FTS5 table over them (kept in step by triggers); on PostgreSQL a GIN-indexed `tsv` tsvector.
All writes go through `search.indexer`; nothing else writes these tables.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    record_id = models.BigIntegerField(primary_key=True)
    # Facet values as tags ("mt_book la_ind yr_2000_2009 br_3 av_3 av_any su_17 …"), see
    # search.facets. They are indexed too, so filtering is a full-text match.
    tags = models.TextField(default="")
    year = models.PositiveSmallIntegerField(default=0)  # 0: unknown (sorts last when newest first)
    sort_title = models.CharField(max_length=120, default="")
    created_at = models.DateTimeField()
    has_copies = models.BooleanField(default=False)
    # A hash of everything indexed: an unchanged record is not rewritten.
    digest = models.CharField(max_length=32, default="")

    class Meta:
        db_table = "search_document"
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            models.Index(fields=["has_copies", "created_at"], name="search_doc_new_arrivals"),
            models.Index(fields=["year", "record_id"], name="search_doc_year"),
            models.Index(fields=["sort_title", "record_id"], name="search_doc_title"),
        ]

    def __str__(self) -> str:
        return f"record {self.record_id}"


class SearchTerm(models.Model):
    """How many documents hold a term: analysed words (for "did you mean") and facet tags (for
    the counts of browse pages and of an empty search). Kept exact by the indexer."""

    term = models.CharField(max_length=64, primary_key=True)
    records = models.IntegerField(default=0)

    class Meta:
        db_table = "search_term"
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return f"{self.term} ({self.records})"
