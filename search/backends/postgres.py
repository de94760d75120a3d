"""PostgreSQL full text: a tsvector built in Python from our analysed tokens (so the 'simple'
parser never re-splits them), weighted per field, with a GIN index; ranked with ts_rank.

Weights: PostgreSQL has four classes. Title A, contributors B, subjects C, series, identifiers
and notes D. Field searches on series and identifiers use extra lexemes ("se_…", "id_…") at the
same positions, so `series:` does not also match notes.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction

from search.backends.base import Candidate, SearchBackend, selectivity
from search.documents import FIELDS, MAX_TERM_LENGTH, PG_WEIGHTS, Document
from search.query import Clause, ParsedQuery

MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
FIELD_PREFIX = {"series": "se_", "ident": "id_"}
FIELD_WEIGHT = {"title": "A", "author": "B", "subject": "C"}
RANK_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"  # D, C, B, A
# Measured on the 2-core reference machine: microseconds per match of the rarest word when
# the GIN index builds its bitmap, and per row read along the primary key.
BITMAP_US = 0.6
ORDERED_US = 1.0
# The planner settings for one search: the way chosen in candidates(), never a sequential
# scan, no JIT compilation for a query of a few milliseconds.
_SEARCH_SETTINGS = (
    "SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true), "
    "set_config('work_mem', '16MB', true)"
)
_ORDERED = (
    "set_config('enable_bitmapscan', 'off', true), set_config('enable_indexscan', 'on', true)"
)
_BITMAP = "set_config('enable_bitmapscan', 'on', true), set_config('enable_indexscan', 'off', true)"
_RESET_SETTINGS = (
    "SELECT set_config('enable_seqscan', 'on', true), set_config('enable_indexscan', 'on', true), "
    "set_config('enable_bitmapscan', 'on', true)"
)


def lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(document: Document) -> str:
    positions: dict[str, list[str]] = {}
    position = 1
    for name in FIELDS:
        weight = PG_WEIGHTS[name]
        prefix = FIELD_PREFIX.get(name)
        for term in document.fields.get(name, ()):
            entry = f"{min(position, MAX_POSITION)}{weight}"
            positions.setdefault(term, []).append(entry)
            if prefix:
                positions.setdefault(prefix + term, []).append(entry)
            position += 1
        position += 1  # a gap: a phrase does not run from one field into the next
    parts = [
        f"{lexeme(term)}:{','.join(entries[:MAX_POSITIONS_PER_LEXEME])}"
        for term, entries in positions.items()
    ]
    parts += [lexeme(tag) for tag in document.tags if tag not in positions]
    return " ".join(parts)


def _clause(clause: Clause) -> str:
    prefix = FIELD_PREFIX.get(clause.field or "", "")
    weight = FIELD_WEIGHT.get(clause.field or "", "")
    items = [lexeme(prefix + term) + (f":{weight}" if weight else "") for term in clause.terms]
    return items[0] if len(items) == 1 else "(" + " <-> ".join(items) + ")"


def compile_tsquery(query: ParsedQuery, tag_groups: list[list[str]]) -> tuple[str, str]:
    """(the match, the part used for ranking: only the words)."""
    words = [_clause(c) for c in query.positive]
    parts = words + ["(" + " | ".join(lexeme(tag) for tag in group) + ")" for group in tag_groups]
    if not parts:
        parts = [lexeme("_all")]
    match = " & ".join(parts)
    for clause in query.negative:
        match += f" & !{_clause(clause)}"
    return match, " & ".join(words)


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def candidates(self, query, tag_groups, *, limit):
        """The first `limit` matches by record id (the last ones for filters alone), read
        one of two ways, whichever the vocabulary's document frequencies say is cheaper:

        - through the GIN index: PostgreSQL builds a bitmap of every match before reading a
          row, so this costs about BITMAP_US per match of the rarest word or filter;
        - along the primary key in id order, testing each row, stopping at `limit` matches:
          about ORDERED_US per row read, so `limit` / density rows. This is bounded to a
          window of ids three times the expected length; if the words turn out rarer
          together than each alone, the rest of the ids go through the GIN index.
        """
        stats = selectivity(query, tag_groups)
        if stats.impossible:
            return []
        match, ranked = compile_tsquery(query, tag_groups)
        score = f"ts_rank('{RANK_WEIGHTS}', tsv, %s::tsquery, 1)" if ranked else "0.0"
        score_args = [ranked] if ranked else []
        newest_first = not query.positive
        expected_rows = limit * stats.documents / max(stats.at_most, 1)
        ordered = expected_rows * ORDERED_US < stats.at_most * BITMAP_US
        columns = f"record_id, {score}, tags, year, sort_title"
        direction = "DESC" if newest_first else ""
        rows: list = []
        rest, rest_args = "", []
        # Settings are local to the transaction: ended with it, unless it is nested in an
        # outer one (then they are put back). One statement each: under load every round
        # trip to the server costs milliseconds.
        nested = connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"{_SEARCH_SETTINGS}, {_ORDERED if ordered else _BITMAP}")
            if ordered:
                span = stats.high_id - stats.low_id + 1
                window = max(int(3 * expected_rows * span / max(stats.documents, 1)), limit)
                if newest_first:
                    low, high = stats.high_id - window, stats.high_id
                    rest, rest_args = "AND record_id < %s", [low]
                else:
                    low, high = stats.low_id, stats.low_id + window
                    rest, rest_args = "AND record_id > %s", [high]
                cursor.execute(
                    f"SELECT {columns} FROM search_document WHERE tsv @@ %s::tsquery "  # noqa: S608
                    f"AND record_id BETWEEN %s AND %s ORDER BY record_id {direction} LIMIT %s",
                    [*score_args, match, low, high, limit],
                )
                rows = cursor.fetchall()
            if len(rows) < limit:
                if ordered:
                    cursor.execute(f"SELECT {_BITMAP}")
                order = "ORDER BY record_id DESC" if newest_first else ""
                cursor.execute(
                    f"SELECT {columns} FROM search_document WHERE tsv @@ %s::tsquery "  # noqa: S608
                    f"{rest} {order} LIMIT %s",
                    [*score_args, match, *rest_args, limit - len(rows)],
                )
                rows += cursor.fetchall()
            if nested:
                cursor.execute(_RESET_SETTINGS)
        return list(map(Candidate._make, rows))

    def matching_ids(self, query, tag_groups):
        match, _ranked = compile_tsquery(query, tag_groups)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT record_id FROM search_document WHERE tsv @@ %s::tsquery ORDER BY record_id",
                [match],
            )
            return [row[0] for row in cursor.fetchall()]

    def _vocabularies(self, record_ids):
        found: dict[int, set[str]] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT record_id, tsvector_to_array(tsv) FROM search_document "
                "WHERE record_id = ANY(%s)",
                [list(record_ids)],
            )
            for pk, lexemes in cursor.fetchall():
                found[pk] = {
                    t
                    for t in lexemes
                    if len(t) <= MAX_TERM_LENGTH and not t.startswith(("se_", "id_"))
                }
        return found

    def _upsert(self, documents: Sequence[Document]) -> None:
        rows = [
            (
                d.record_id,
                " ".join(d.tags),
                d.year or 0,
                d.sort_title,
                d.created_at,
                d.has_copies,
                d.digest,
                tsvector_literal(d),
            )
            for d in documents
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_document (record_id, tags, year, sort_title, created_at, "
                "has_copies, digest, tsv) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::tsvector) "
                "ON CONFLICT (record_id) DO UPDATE SET tags = excluded.tags, year = excluded.year, "
                "sort_title = excluded.sort_title, created_at = excluded.created_at, "
                "has_copies = excluded.has_copies, digest = excluded.digest, tsv = excluded.tsv",
                rows,
            )

    def optimise(self) -> None:
        """VACUUM empties the GIN index's pending list (which every search reads through)
        and refreshes the statistics; inside a transaction only ANALYZE is possible."""
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute("ANALYZE search_document")
            else:
                cursor.execute("VACUUM (ANALYZE) search_document")
            cursor.execute("ANALYZE search_term")
