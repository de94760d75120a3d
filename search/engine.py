"""Searching the catalogue: one entry point for the OPAC, the API and exports.

How a search runs (both backends):

1. The words are parsed and analysed like documents (search.query, search.analysis); the
   filters become tag groups (search.facets).
2. The backend returns up to CANDIDATES matches with their score and tags: the first matches
   in record-id order (with filters alone, the last: the most recently added).
3. If there were no more, everything is exact. If there were more (a one-word query matching
   300,000 records), ranking, sorting and facet counts cover those CANDIDATES matches, the
   result says so (`complete` is False) and the pages stop there; the total is exact when the
   vocabulary table knows it (one word in any field, or one filter value), else extrapolated
   from how far into the record ids the candidates reach, and said to be an estimate.
   Narrowing the search makes everything exact again.
4. An empty search (no words, no filters) is the whole catalogue: pages come from indexes on
   the year or title, and the facet counts from the vocabulary table, exactly.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from search.backends import Candidate, get_backend
from search.facets import ALL, Facet, Filters, build_facets, parse_filters, tally, top_subject_ids
from search.models import SearchDocument, SearchTerm
from search.query import ParsedQuery, parse

CANDIDATES = getattr(settings, "PUSTAKA_SEARCH_CANDIDATES", 2000)
PER_PAGE = 20
MAX_PER_PAGE = 50
SUGGESTION_CUTOFF = 0.75


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    TITLE = "title"
    CHOICES = ((RELEVANCE, _("Relevance")), (NEWEST, _("Newest first")), (TITLE, _("Title A–Z")))
    VALUES = (RELEVANCE, NEWEST, TITLE)


@dataclass
class SearchResult:
    query: ParsedQuery
    filters: Filters
    sort: str
    total: int
    total_is_exact: bool
    complete: bool  # every match was ranked and counted in the facets
    record_ids: list[int]  # this page, in order
    page: int
    requested_page: int
    per_page: int
    num_pages: int
    facets: list[Facet] = field(default_factory=list)
    suggestion: str | None = None

    @property
    def page_was_adjusted(self) -> bool:
        return self.page != self.requested_page

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.record_ids else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.record_ids) - 1 if self.record_ids else 0

    @property
    def reachable(self) -> int:
        """How many hits the pages lead to."""
        return min(self.total, CANDIDATES) if not self.complete else self.total


def branch_codes() -> dict[str, int]:
    from core.models import Branch

    return dict(Branch.objects.values_list("code", "pk"))


def branches() -> dict[int, tuple[str, str]]:
    from core.models import Branch

    return {pk: (code, name) for pk, code, name in Branch.objects.values_list("pk", "code", "name")}


def _subject_headings(ids: list[int]) -> dict[int, str]:
    from catalog.models import Subject

    if not ids:
        return {}
    return dict(Subject.objects.filter(pk__in=ids).values_list("pk", "heading"))


def _clamp(page: int, num_pages: int) -> int:
    return min(max(page, 1), max(num_pages, 1))


def _order(rows: list[Candidate], sort: str) -> list[Candidate]:
    if sort == Sort.NEWEST:
        return sorted(rows, key=lambda r: (-r.year, -r.score, -r.record_id))
    if sort == Sort.TITLE:
        return sorted(rows, key=lambda r: (r.sort_title == "", r.sort_title, r.record_id))
    return sorted(rows, key=lambda r: (-r.score, -r.year, r.record_id))


def search(
    text: str = "",
    filters: Filters | None = None,
    *,
    sort: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchResult:
    """One page of results with facets. Raises search.errors.QueryError for a query that
    cannot be run (too long, nothing to look for)."""
    query = parse(text)
    filters = filters or Filters()
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    if sort not in Sort.VALUES:
        sort = Sort.RELEVANCE if query.positive else Sort.NEWEST
    if sort == Sort.RELEVANCE and not query.positive:
        sort = Sort.NEWEST
    groups = filters.tag_groups()
    if not query and not groups:
        return _whole_catalogue(query, filters, sort=sort, page=page, per_page=per_page)

    backend = get_backend()
    rows = backend.candidates(query, groups, limit=CANDIDATES + 1)
    complete = len(rows) <= CANDIDATES
    if complete:
        total, exact = len(rows), True
    elif (known := _known_total(query, groups)) is not None:
        total, exact = max(known, CANDIDATES + 1), True
    else:
        counted = backend.count(query, groups, candidates=rows)
        total, exact = max(counted.total, CANDIDATES + 1), counted.exact
    rows = rows[:CANDIDATES]
    num_pages = max(1, math.ceil(len(rows) / per_page))
    current = _clamp(page, num_pages)
    ordered = _order(rows, sort)
    start = (current - 1) * per_page
    counts = tally(row.tags for row in rows)
    facets = build_facets(
        counts,
        filters,
        branches=branches(),
        subject_headings=_subject_headings(top_subject_ids(counts, filters)),
    )
    result = SearchResult(
        query=query,
        filters=filters,
        sort=sort,
        total=total,
        total_is_exact=exact,
        complete=complete,
        record_ids=[row.record_id for row in ordered[start : start + per_page]],
        page=current,
        requested_page=page,
        per_page=per_page,
        num_pages=num_pages,
        facets=facets,
    )
    if not rows and query:
        result.suggestion = suggest(query, groups)
    return result


def _whole_catalogue(query, filters, *, sort, page, per_page) -> SearchResult:
    total = SearchTerm.objects.filter(term=ALL).values_list("records", flat=True).first() or 0
    reachable = min(total, CANDIDATES)
    num_pages = max(1, math.ceil(reachable / per_page))
    current = _clamp(page, num_pages)
    ordering = {
        Sort.NEWEST: ("-year", "-record_id"),
        Sort.TITLE: ("sort_title", "record_id"),
    }.get(sort, ("-record_id",))
    start = (current - 1) * per_page
    ids = list(
        SearchDocument.objects.order_by(*ordering).values_list("record_id", flat=True)[
            start : min(start + per_page, reachable)
        ]
    )
    counts = tag_counts()
    return SearchResult(
        query=query,
        filters=filters,
        sort=sort,
        total=total,
        total_is_exact=True,
        complete=total <= CANDIDATES,
        record_ids=ids,
        page=current,
        requested_page=page,
        per_page=per_page,
        num_pages=num_pages,
        facets=build_facets(
            counts,
            filters,
            branches=branches(),
            subject_headings=_subject_headings(top_subject_ids(counts, filters)),
        ),
    )


def _known_total(query: ParsedQuery, groups: list[list[str]]) -> int | None:
    """The number of matches when the vocabulary table knows it: one word in any field, or
    one filter value alone (the commonest large results)."""
    term = None
    if not groups and len(query.clauses) == 1:
        clause = query.clauses[0]
        if not clause.negated and clause.field is None and len(clause.terms) == 1:
            term = clause.terms[0]
    elif not query.clauses and len(groups) == 1 and len(groups[0]) == 1:
        term = groups[0][0]
    if term is None:
        return None
    return SearchTerm.objects.filter(term=term).values_list("records", flat=True).first() or 0


FACET_PREFIXES = ("ac", "au", "av", "br", "la", "mt", "yr")


def tag_counts(
    prefixes: tuple[str, ...] = FACET_PREFIXES, *, subjects: int = 10
) -> dict[str, dict[str, int]]:
    """prefix -> value -> records, over the whole catalogue (the vocabulary table keeps them
    exact), in the shape of facets.tally()."""
    condition = Q()
    for prefix in prefixes:
        condition |= Q(term__gte=f"{prefix}_", term__lt=f"{prefix}`")
    counts: dict[str, dict[str, int]] = {}
    for term, records in SearchTerm.objects.filter(condition, records__gt=0).values_list(
        "term", "records"
    ):
        counts.setdefault(term[:2], {})[term[3:]] = records
    if subjects:
        from search.selectors import top_subjects

        counts["su"] = {str(pk): n for pk, _heading, n in top_subjects(subjects)}
    return counts


def suggest(query: ParsedQuery, tag_groups: list[list[str]]) -> str | None:
    """A query like this one, with the words the index does not know replaced by close ones
    it does, if that query finds something."""
    tokens = {token.term: token.word for clause in query.positive for token in clause.tokens}
    known = set(
        SearchTerm.objects.filter(term__in=list(tokens), records__gt=0).values_list(
            "term", flat=True
        )
    )
    replacements: dict[str, str] = {}
    for term, word in sorted(tokens.items()):
        if term in known or len(term) < 3 or term.isdigit():
            continue
        best: tuple[float, str] | None = None
        for variant in dict.fromkeys(_variants(term) + _variants(word)):
            for candidate in _close_terms(variant):
                ratio = difflib.SequenceMatcher(None, variant, candidate).ratio()
                if best is None or ratio > best[0]:
                    best = (ratio, candidate)
        if best:
            replacements[term] = best[1]
    if not replacements:
        return None
    text = " ".join(
        clause.written([replacements.get(token.term, token.word) for token in clause.tokens])
        for clause in query.clauses
    )
    try:
        suggested = parse(text)
    except Exception:  # noqa: BLE001 - a suggestion that does not parse is no suggestion
        return None
    if not get_backend().candidates(suggested, tag_groups, limit=1):
        return None
    return text


# A misspelt Indonesian word is not stemmed (the stemmer does not know it): compare it with
# the stems in the index also without its likely affixes ('membca' -> 'bca' -> 'baca').
_PREFIXES = (
    "memper",
    "menge",
    "meng",
    "meny",
    "mem",
    "men",
    "me",
    "ber",
    "ter",
    "di",
    "ke",
    "peng",
    "peny",
    "pem",
    "pen",
    "per",
    "pe",
    "se",
)
_SUFFIXES = ("kan", "nya", "an", "i")


def _variants(term: str) -> list[str]:
    variants = [term]
    if term.isascii() and term.isalpha():
        for prefix in _PREFIXES:
            if term.startswith(prefix) and len(term) - len(prefix) >= 3:
                variants.append(term[len(prefix) :])
                break
        for base in list(variants):
            for suffix in _SUFFIXES:
                if base.endswith(suffix) and len(base) - len(suffix) >= 3:
                    variants.append(base[: -len(suffix)])
                    break
    return variants


def _close_terms(term: str) -> list[str]:
    """Index terms that might be `term` misspelt: same first letter, similar length, the
    close ones first."""
    by_length = _frequent_terms(term[0])
    candidates = [
        word for length in range(len(term) - 2, len(term) + 3) for word in by_length.get(length, ())
    ]
    return difflib.get_close_matches(term, candidates, n=3, cutoff=SUGGESTION_CUTOFF)


# "Did you mean" compares an unknown word with the frequent index terms of its first letter.
# Reading them is a sort of every term of that letter (tens of thousands at a million
# records), so the list is kept in the cache for a while: a suggestion made from a vocabulary
# some minutes old is as good, and a misspelling is then answered without that sort.
SUGGESTION_TERMS_PER_LETTER = 40_000
SUGGESTION_TERMS_PER_LENGTH = 1_000
SUGGESTION_CACHE_SECONDS = getattr(settings, "PUSTAKA_SUGGESTION_CACHE_SECONDS", 15 * 60)


def _frequent_terms(letter: str) -> dict[int, list[str]]:
    """The most frequent index words starting with `letter`, by length, most frequent first."""
    key = f"search:suggest:{ord(letter)}"
    found = cache.get(key)
    if found is not None:
        return found
    by_length: dict[int, list[str]] = {}
    words = (
        SearchTerm.objects.filter(term__gte=letter, term__lt=chr(ord(letter) + 1), records__gt=0)
        .order_by("-records")
        .values_list("term", flat=True)[:SUGGESTION_TERMS_PER_LETTER]
    )
    for word in words:
        if "_" in word or len(word) < 2:
            continue  # facet tags, not words
        same = by_length.setdefault(len(word), [])
        if len(same) < SUGGESTION_TERMS_PER_LENGTH:
            same.append(word)
    cache.set(key, by_length, SUGGESTION_CACHE_SECONDS)
    return by_length


def matching_record_ids(query: str, filters: dict) -> list[int]:
    """Every record matching a search, by id (ascending), for exporting a search result.

    `query` is what a person would type in the search box; `filters` uses the search page's
    parameter names: {"material_type": ["book"], "language": ["ind"], "year": ["2000_2009"],
    "subject": [17], "branch": ["pusat"], "available": True, "accessible": ["braille"],
    "audience": ["children"], "ddc": "59"}. An empty query and no filters is every record
    in the index. Raises search.errors.QueryError for a query that cannot be run."""
    parsed = parse(query)
    groups = parse_filters(filters or {}, branches=branch_codes()).tag_groups()
    if not parsed and not groups:
        return list(
            SearchDocument.objects.order_by("record_id").values_list("record_id", flat=True)
        )
    return get_backend().matching_ids(parsed, groups)
