"""SQLite FTS5: the analysed tokens in columns of search_document, an external-content FTS5
table over them (search_fts), ranked with bm25 and per-column weights."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from search.backends.base import Candidate, SearchBackend, selectivity
from search.documents import BM25_WEIGHTS, FIELDS, Document
from search.query import Clause, ParsedQuery

# bm25: lower is better; a candidate's score: higher is better.
_BM25 = "-bm25(search_fts, {}, 0.0)".format(", ".join(str(BM25_WEIGHTS[f]) for f in FIELDS))
RANK_WINDOW_FACTOR = 1.5
BM25_MAX_DOCUMENTS = 40_000
_UPSERT_COLUMNS = (
    "record_id",
    "tags",
    "year",
    "sort_title",
    "created_at",
    "has_copies",
    "digest",
    *FIELDS,
)


def _phrase(terms: Sequence[str]) -> str:
    # Terms are letters, digits and marks only (search.analysis), tags add "_": no quoting issues.
    return '"' + " ".join(terms) + '"'


def _clause(clause: Clause) -> str:
    phrase = _phrase(clause.terms)
    return f"{clause.field} : {phrase}" if clause.field else f"{{{' '.join(FIELDS)}}} : {phrase}"


def compile_match(query: ParsedQuery, tag_groups: list[list[str]]) -> str:
    parts = [_clause(c) for c in query.positive]
    parts += [
        "tags : (" + " OR ".join(_phrase([tag]) for tag in group) + ")" for group in tag_groups
    ]
    if not parts:
        parts = ['tags : "_all"']
    match = " AND ".join(parts)
    for clause in query.negative:
        match += f" NOT {_clause(clause)}"
    return match


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def candidates(self, query, tag_groups, *, limit):
        """bm25 first counts, for every phrase of the match, the documents that hold it, by
        reading its whole doclist (and checking positions, for a phrase): 30 ms for "united
        states" in a million records, more for a facet tag that most documents carry. So:

        - words of moderate frequency, no filters: bm25 in the same pass;
        - with filters: candidates chosen without bm25, then scored by bm25 over a match of
          the words alone within the range of ids they span (at most RANK_WINDOW rows);
        - very frequent words (over BM25_MAX_DOCUMENTS documents together): candidates
          scored by how many of the words are in their title, a match per word restricted
          to the title column within their id range, with no document counting at all."""
        stats = selectivity(query, tag_groups)
        if stats.impossible:
            return []
        match = compile_match(query, tag_groups)
        frequent = sum(stats.clause_frequencies) > BM25_MAX_DOCUMENTS
        if query.positive and not tag_groups and not frequent:
            return self._fetch(f"{_BM25}", match, "rowid", limit)
        order = "rowid" if query.positive else "rowid DESC"
        rows = self._fetch("0.0", match, order, limit)
        if not query.positive or not rows:
            return rows
        low = min(row.record_id for row in rows)
        high = max(row.record_id for row in rows)
        scores: dict[int, float] = {}
        with connection.cursor() as cursor:
            if not frequent:
                cursor.execute(
                    f"SELECT rowid, {_BM25} FROM search_fts WHERE search_fts MATCH %s "  # noqa: S608
                    "AND rowid BETWEEN %s AND %s ORDER BY rowid LIMIT %s",
                    [compile_match(query, []), low, high, int(RANK_WINDOW_FACTOR * limit)],
                )
                scores = dict(cursor.fetchall())
            else:
                for clause in query.positive:
                    cursor.execute(
                        "SELECT rowid FROM search_fts WHERE search_fts MATCH %s "
                        "AND rowid BETWEEN %s AND %s",
                        [f"title : {_phrase(clause.terms)}", low, high],
                    )
                    for (pk,) in cursor.fetchall():
                        scores[pk] = scores.get(pk, 0.0) + 1.0
        return [row._replace(score=scores.get(row.record_id, 0.0)) for row in rows]

    def _fetch(self, score: str, match: str, order: str, limit: int) -> list[Candidate]:
        sql = (
            "SELECT d.record_id, f.score, d.tags, d.year, d.sort_title FROM "  # noqa: S608
            f"(SELECT rowid AS id, {score} AS score FROM search_fts "
            f"WHERE search_fts MATCH %s ORDER BY {order} LIMIT %s) AS f "
            "JOIN search_document AS d ON d.record_id = f.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, limit])
            return list(map(Candidate._make, cursor.fetchall()))

    def matching_ids(self, query, tag_groups):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rowid",
                [compile_match(query, tag_groups)],
            )
            return [row[0] for row in cursor.fetchall()]

    def _vocabularies(self, record_ids):
        from search.documents import MAX_TERM_LENGTH

        found: dict[int, set[str]] = {}
        columns = ", ".join((*FIELDS, "tags"))
        with connection.cursor() as cursor:
            for start in range(0, len(record_ids), 500):
                chunk = record_ids[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT record_id, {columns} FROM search_document "  # noqa: S608
                    f"WHERE record_id IN ({marks})",
                    chunk,
                )
                for pk, *texts in cursor.fetchall():
                    *field_texts, tags = texts
                    words = {
                        t for text in field_texts for t in text.split() if len(t) <= MAX_TERM_LENGTH
                    }
                    found[pk] = words | set(tags.split())
        return found

    def _upsert(self, documents: Sequence[Document]) -> None:
        adapt = connection.ops.adapt_datetimefield_value
        rows = [
            (
                d.record_id,
                " ".join(d.tags),
                d.year or 0,
                d.sort_title,
                adapt(d.created_at),
                d.has_copies,
                d.digest,
                *(d.text(name) for name in FIELDS),
            )
            for d in documents
        ]
        columns = ", ".join(_UPSERT_COLUMNS)
        marks = ", ".join(["%s"] * len(_UPSERT_COLUMNS))
        updates = ", ".join(f"{c} = excluded.{c}" for c in _UPSERT_COLUMNS[1:])
        # One statement for the whole batch, through a temporary table: FTS5 flushes its
        # pending terms to a new segment at every statement that writes a row id not above
        # the last one it took (every update is a delete and an insert of the same id), so a
        # row at a time costs milliseconds each (5 s for 500), a batch at once 50 ms.
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS search_stage AS "  # noqa: S608
                f"SELECT {columns} FROM search_document WHERE 0"
            )
            cursor.execute("DELETE FROM temp.search_stage")
            cursor.executemany(
                f"INSERT INTO temp.search_stage ({columns}) VALUES ({marks})",  # noqa: S608
                rows,
            )
            cursor.execute(
                f"INSERT INTO search_document ({columns}) "  # noqa: S608
                f"SELECT {columns} FROM temp.search_stage WHERE true ORDER BY record_id "
                f"ON CONFLICT (record_id) DO UPDATE SET {updates}"
            )
            cursor.execute("DELETE FROM temp.search_stage")

    def optimise(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE search_document")
