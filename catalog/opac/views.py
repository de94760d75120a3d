"""The public catalogue (OPAC): search with facets, the record page, browsing. Thin: parse the
request, call search.engine / the selectors, render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog.identifiers import format_isbn
from catalog.models import AccessibilityFeature, MaterialType
from catalog.opac import citation, holds, metadata
from catalog.opac.selectors import record_page, result_rows
from conversations.selectors import faq_for_search
from core.selectors import get_library
from search import engine
from search import selectors as browse
from search.errors import QueryError
from search.facets import DDC_HUNDREDS, parse_filters
from search.languages import language_name, language_tag

ADVANCED_FIELDS = (
    ("title", "title"),
    ("author", "author"),
    ("subject_words", "subject"),
    ("series", "series"),
    ("isbn", "isbn"),
)
PER_PAGE = 20
NEW_ARRIVALS_PER_PAGE = 20
NEW_ARRIVALS_PAGES = 10


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _page_number(raw: str | None) -> tuple[int, str | None]:
    """The page asked for, and a note when it was not a number at all."""
    raw = (raw or "").strip()
    if not raw:
        return 1, None
    try:
        return int(raw), None
    except ValueError:
        return 1, _("“%(page)s” is not a page number; here is the first page.") % {"page": raw[:20]}


def _query_text(params) -> tuple[str, dict[str, str]]:
    """The search box's text, with the advanced search's fields added as field clauses."""
    text = params.get("q", "")
    fields = {}
    for param, name in ADVANCED_FIELDS:
        value = " ".join(params.get(param, "").replace('"', " ").split())
        if value:
            fields[param] = value
            text += f' {name}:"{value}"'
    return text.strip(), fields


def _without(params: list[tuple[str, str]], *drop: tuple[str, str | None]) -> str:
    """A query string of `params` without the (name, value) pairs in `drop` (value None:
    every value of that name)."""
    kept = [
        (name, value)
        for name, value in params
        if not any(
            name == d_name and (d_value is None or value == d_value) for d_name, d_value in drop
        )
    ]
    return urlencode(kept)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    text, advanced = _query_text(request.GET)
    codes = engine.branch_codes()
    filters = parse_filters(request.GET, branches=codes)
    page, page_note = _page_number(request.GET.get("page"))
    context: dict = {
        "query": request.GET.get("q", "")[:600],
        "advanced": advanced,
        "sort_choices": engine.Sort.CHOICES,
    }
    if not text and not filters:
        context["new_arrivals"] = result_rows(browse.new_arrival_ids(limit=6))
        return render(request, "catalog/opac/search.html", context)
    try:
        result = engine.search(
            text, filters, sort=request.GET.get("sort"), page=page, per_page=PER_PAGE
        )
    except QueryError as error:
        context["error"] = str(error)
        return render(request, "catalog/opac/search.html", context)

    names = {pk: code for code, pk in codes.items()}
    base = [("q", request.GET.get("q", ""))] if request.GET.get("q") else []
    base += list(advanced.items())
    chosen = [("sort", result.sort)] if request.GET.get("sort") else []
    sort_params = base + filters.as_params(names) + chosen
    notes = [page_note] if page_note else []
    if result.page_was_adjusted and not page_note:
        if result.requested_page < 1:
            notes.append(_("Pages start at 1; here is the first page."))
        else:
            notes.append(
                _("There are only %(count)s pages of results; here is the last one.")
                % {"count": _number(result.num_pages)}
            )
    selected = [
        (facet.label, value.label, "?" + _without(sort_params, (facet.name, value.key)))
        for facet in result.facets
        for value in facet.values
        if value.selected
    ]
    if filters.ddc:
        selected.append(
            (_("Class"), filters.ddc.ljust(3, "0"), "?" + _without(sort_params, ("ddc", None)))
        )
    context.update(
        {
            "result": result,
            "rows": result_rows(result.record_ids),
            "notes": notes,
            "selected": selected,
            "page_query": _without(sort_params, ("page", None)),
            "sort_hidden": base + filters.as_params(names),
            "facet_hidden": base + chosen + ([("ddc", filters.ddc)] if filters.ddc else []),
            "suggestion_url": (
                "?" + urlencode([("q", result.suggestion), *filters.as_params(names)])
                if result.suggestion
                else ""
            ),
            "total_text": _number(result.total),
            "reachable_text": _number(result.reachable),
            "faq_answers": faq_for_search(result.query),
        }
    )
    return render(request, "catalog/opac/search.html", context)


@require_GET
def advanced(request: HttpRequest) -> HttpResponse:
    from search.facets import YEAR_RANGES

    return render(
        request,
        "catalog/opac/advanced.html",
        {
            "material_types": MaterialType.choices,
            "years": [(key, label) for key, _a, _b, label in YEAR_RANGES],
            "branches": sorted(engine.branches().values()),
        },
    )


@require_GET
def record(request: HttpRequest, pk: int) -> HttpResponse:
    page = record_page(pk)
    if page is None:
        raise Http404
    library = get_library()
    url = request.build_absolute_uri(reverse("opac:record", args=[pk]))
    item = page.record
    cover_url = (
        request.build_absolute_uri(item.cover.url)
        if item.cover
        else (request.build_absolute_uri(item.cover_thumbnail.url) if item.cover_thumbnail else "")
    )
    description = metadata.describe(page)
    features = dict(AccessibilityFeature.choices)
    cited = citation.apa(item, [(link.contributor.name, link.role) for link in page.contributors])
    return render(
        request,
        "catalog/opac/record_detail.html",
        {
            "page": page,
            "record": item,
            "url": url,
            "description": description,
            "json_ld": metadata.json_ld(
                page, url=url, cover_url=cover_url, library_name=library.name
            ),
            "open_graph": metadata.open_graph(
                page,
                url=url,
                cover_url=cover_url,
                site_name=library.name,
                description=description,
            ),
            "share_links": metadata.share_links(url=url, title=str(item)),
            "citation": cited,
            "isbn": format_isbn(item.isbn) if item.isbn else "",
            "language": language_name(item.language),
            "language_tag": language_tag(item.language),
            "ddc_class": (item.ddc or "")[:1] if (item.ddc or "")[:1].isdigit() else "",
            "accessibility": [
                features.get(value, value) for value in item.accessibility_features or []
            ],
            "hold_panel": holds.hold_panel(request, item) if page.availability else None,
        },
    )


@require_GET
def subjects(request: HttpRequest) -> HttpResponse:
    start = request.GET.get("from", "").replace("\x00", "").strip()[:100]
    rows, following = browse.subjects_from(start, limit=50)
    return render(
        request,
        "catalog/opac/subjects.html",
        {
            "rows": rows,
            "start": start,
            "following": following,
            "top": browse.top_subjects(20) if not start else [],
            "letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        },
    )


@require_GET
def classes(request: HttpRequest, code: str = "") -> HttpResponse:
    if code and (len(code) != 1 or not code.isdigit()):
        raise Http404
    return render(
        request,
        "catalog/opac/classes.html",
        {
            "code": code,
            "name": DDC_HUNDREDS.get(code, ""),
            "rows": browse.ddc_classes(code),
        },
    )


@require_GET
def new_arrivals(request: HttpRequest) -> HttpResponse:
    page, note = _page_number(request.GET.get("page"))
    count = browse.new_arrivals_count(NEW_ARRIVALS_PER_PAGE * NEW_ARRIVALS_PAGES)
    num_pages = max(1, -(-count // NEW_ARRIVALS_PER_PAGE))
    current = min(max(page, 1), num_pages)
    if current != page and not note:
        note = _("That page does not exist; here is page %(page)s.") % {"page": current}
    ids = browse.new_arrival_ids(
        offset=(current - 1) * NEW_ARRIVALS_PER_PAGE, limit=NEW_ARRIVALS_PER_PAGE
    )
    return render(
        request,
        "catalog/opac/new_arrivals.html",
        {
            "rows": result_rows(ids),
            "page": current,
            "num_pages": num_pages,
            "note": note,
            "start_index": (current - 1) * NEW_ARRIVALS_PER_PAGE + 1,
        },
    )
