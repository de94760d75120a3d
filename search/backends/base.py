"""What every search backend does. The engine (search.engine) only talks to this interface;
`search.backends.get_backend()` picks the implementation for the database in use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection, transaction

from search.documents import Document
from search.query import ParsedQuery

TERM_BATCH = 500


class Candidate(NamedTuple):
    record_id: int
    score: float  # higher is better
    tags: str
    year: int
    sort_title: str


@dataclass(frozen=True)
class Count:
    total: int
    exact: bool


@dataclass(frozen=True)
class Selectivity:
    """What the vocabulary table says about a search before it runs: documents in the index,
    and an upper bound of the matches (the rarest of the things that must all match)."""

    documents: int
    at_most: int
    low_id: int | None
    high_id: int | None
    # per positive clause of the query: at most how many documents hold it
    clause_frequencies: tuple[int, ...] = ()

    @property
    def impossible(self) -> bool:
        return self.at_most == 0


def selectivity(query: ParsedQuery, tag_groups: list[list[str]]) -> Selectivity:
    """Two small queries: the document frequency of every word and tag involved, and the
    lowest and highest record id in the index."""
    from search.facets import ALL
    from search.models import SearchTerm

    terms = {ALL} | {t for c in query.positive for t in c.terms}
    terms |= {tag for group in tag_groups for tag in group}
    frequency = dict(
        SearchTerm.objects.filter(term__in=sorted(terms)).values_list("term", "records")
    )
    documents = frequency.get(ALL, 0)
    clauses = tuple(min(frequency.get(t, 0) for t in c.terms) for c in query.positive)
    bounds = [documents, *clauses]
    bounds += [min(documents, sum(frequency.get(t, 0) for t in group)) for group in tag_groups]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT min(record_id) FROM search_document), "
            "(SELECT max(record_id) FROM search_document)"
        )
        low, high = cursor.fetchone()
    return Selectivity(documents, min(bounds), low, high, clauses)


def extrapolate(candidates: list[Candidate], stats: Selectivity, *, newest_first: bool) -> Count:
    """How many matches there are, from how far into the record ids the candidates (the
    first matches in id order, or the last ones) reach."""
    ids = [row.record_id for row in candidates]
    if not ids or stats.low_id is None:
        return Count(len(ids), exact=True)
    span = stats.high_id - stats.low_id + 1
    covered = stats.high_id - min(ids) + 1 if newest_first else max(ids) - stats.low_id + 1
    estimate = round(len(ids) * span / max(covered, 1))
    return Count(min(max(estimate, len(ids)), stats.at_most), exact=False)


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    deleted: int = 0


class SearchBackend:
    vendor = ""

    # -- reading ---------------------------------------------------------------------------

    def candidates(
        self, query: ParsedQuery, tag_groups: list[list[str]], *, limit: int
    ) -> list[Candidate]:
        """Up to `limit` matches with their score and facet tags. With words: the first
        matches in index order; with filters only: the most recently added."""
        raise NotImplementedError

    def count(
        self, query: ParsedQuery, tag_groups: list[list[str]], *, candidates: list[Candidate]
    ) -> Count:
        """The number of matches when there were more than the candidates: an estimate
        (counting a match of a hundred thousand records would read every one of them),
        extrapolated from how far into the record ids the candidates reach."""
        return extrapolate(
            candidates, selectivity(query, tag_groups), newest_first=not query.positive
        )

    def matching_ids(self, query: ParsedQuery, tag_groups: list[list[str]]) -> list[int]:
        """Every match, by record id."""
        raise NotImplementedError

    # -- writing ---------------------------------------------------------------------------

    def write(self, documents: Sequence[Document], *, delete_ids: Iterable[int] = ()) -> WriteStats:
        """Upsert documents and remove others, keeping the vocabulary counts exact. One
        transaction; index writers take turns (search.locks)."""
        from search.locks import index_write_lock

        stats = WriteStats()
        delete_ids = sorted(set(delete_ids) - {d.record_id for d in documents})
        with transaction.atomic():
            index_write_lock()
            ids = [d.record_id for d in documents] + delete_ids
            digests = self._digests(ids)
            changed = [d for d in documents if digests.get(d.record_id) != d.digest]
            gone = [pk for pk in delete_ids if pk in digests]
            stats.unchanged = len(documents) - len(changed)
            replaced = [d.record_id for d in changed if d.record_id in digests]
            old = self._vocabularies(replaced + gone) if replaced or gone else {}
            deltas: Counter[str] = Counter()
            for document in changed:
                deltas.update(document.vocabulary())
                deltas.subtract(old.get(document.record_id, ()))
            for pk in gone:
                deltas.subtract(old.get(pk, ()))
            if changed:
                self._upsert(changed)
            if gone:
                self._delete(gone)
            self._apply_term_deltas({t: n for t, n in deltas.items() if n})
            stats.written, stats.deleted = len(changed), len(gone)
        return stats

    def _digests(self, record_ids: list[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(record_ids), TERM_BATCH):
                chunk = record_ids[start : start + TERM_BATCH]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT record_id, digest FROM search_document WHERE record_id IN ({marks})",  # noqa: S608
                    chunk,
                )
                found.update(cursor.fetchall())
        return found

    def _vocabularies(self, record_ids: list[int]) -> dict[int, set[str]]:
        raise NotImplementedError

    def _upsert(self, documents: Sequence[Document]) -> None:
        raise NotImplementedError

    def _delete(self, record_ids: list[int]) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(record_ids), TERM_BATCH):
                chunk = record_ids[start : start + TERM_BATCH]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM search_document WHERE record_id IN ({marks})",  # noqa: S608
                    chunk,
                )

    def _apply_term_deltas(self, deltas: dict[str, int]) -> None:
        if not deltas:
            return
        items = sorted(deltas.items())
        with connection.cursor() as cursor:
            for start in range(0, len(items), TERM_BATCH):
                chunk = items[start : start + TERM_BATCH]
                values = ", ".join(["(%s, %s)"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO search_term (term, records) VALUES {values} "  # noqa: S608
                    "ON CONFLICT (term) DO UPDATE "
                    "SET records = search_term.records + excluded.records",
                    [value for pair in chunk for value in pair],
                )
            emptied = [term for term, delta in items if delta < 0]
            for start in range(0, len(emptied), TERM_BATCH):
                chunk = emptied[start : start + TERM_BATCH]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM search_term WHERE records <= 0 AND term IN ({marks})",  # noqa: S608
                    chunk,
                )

    def optimise(self) -> None:
        """After a full rebuild: compact the index, refresh planner statistics."""
