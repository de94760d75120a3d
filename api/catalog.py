"""The catalogue for the phone app and other systems: search with facets, and a record with its
copies per branch. Read-only and public, like the OPAC; the same engine and selectors."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from api.schemas import ErrorOut
from catalog.identifiers import format_isbn
from catalog.models import AccessibilityFeature, Audience, ItemStatus, MaterialType
from catalog.opac.selectors import ResultRow, record_page, result_rows
from search import engine
from search.errors import QueryError
from search.facets import YEAR_KEYS, parse_filters
from search.languages import language_name
from search.query import MAX_QUERY_LENGTH

catalog_router = Router(tags=["catalog"])

MaterialTypeValue = Literal[tuple(MaterialType.values)]  # type: ignore[valid-type]
AudienceValue = Literal[tuple(Audience.values)]  # type: ignore[valid-type]
AccessibleValue = Literal[tuple(AccessibilityFeature.values)]  # type: ignore[valid-type]
YearValue = Literal[YEAR_KEYS]  # type: ignore[valid-type]
MAX_PAGE = 100_000
MAX_RECORD_ID = 2**63 - 1


class SearchQuery(Schema):
    q: str = Field(
        "",
        description=(
            "Words to find, as typed in the OPAC: phrases in quotes, fields (title:, author:, "
            "subject:, series:, isbn:), -word to leave out. Empty with no filters: the whole "
            "catalogue."
        ),
        max_length=MAX_QUERY_LENGTH,
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(engine.PER_PAGE, ge=1, le=engine.MAX_PER_PAGE)
    sort: Literal["relevance", "newest", "title"] | None = Field(
        None, description="Default: relevance with words, newest without."
    )
    material_type: list[MaterialTypeValue] = Field(default_factory=list)
    language: list[str] = Field(
        default_factory=list, description="MARC language codes (ind, eng, may …)."
    )
    year: list[YearValue] = Field(default_factory=list)
    subject: list[int] = Field(default_factory=list, description="Subject ids from the facets.")
    branch: list[str] = Field(default_factory=list, description="Branch codes.")
    available: bool = Field(False, description="Only records with a copy on the shelf now.")
    accessible: list[AccessibleValue] = Field(default_factory=list)
    audience: list[AudienceValue] = Field(default_factory=list)
    ddc: str = Field("", description="A DDC class ('8') or division ('89').", max_length=2)


class BranchAvailabilityOut(Schema):
    code: str
    name: str
    total: int = Field(description="Copies shown in the catalogue.")
    available: int = Field(description="Copies on the shelf now.")


class AvailabilityOut(Schema):
    total: int
    available: int
    branches: list[BranchAvailabilityOut]


class HitOut(Schema):
    id: int
    title: str
    subtitle: str
    title_vernacular: str
    contributors: list[str]
    year: int | None
    material_type: str
    material_type_label: str
    availability: AvailabilityOut
    cover_thumbnail: str | None = Field(description="URL of the cover thumbnail, if any.")
    url: str = Field(description="The record's page in the OPAC.")


class FacetValueOut(Schema):
    value: str = Field(description="Pass it back as the facet's parameter to filter.")
    label: str
    count: int
    selected: bool


class FacetOut(Schema):
    name: str = Field(description="The query parameter of this facet.")
    label: str
    values: list[FacetValueOut]


class SearchOut(Schema):
    query: str
    total: int
    total_is_exact: bool = Field(
        description="False when the total is an estimate (a very large result on PostgreSQL)."
    )
    complete: bool = Field(
        description=(
            "False when so many records match that ranking, sorting and facet counts cover "
            "only the first matches; pages stop there."
        )
    )
    page: int
    per_page: int
    pages: int
    sort: str
    facets: list[FacetOut]
    hits: list[HitOut]
    suggestion: str | None = Field(description="A close query that finds something, if any.")
    problem: ErrorOut | None = Field(
        None,
        description=(
            "Set when the query has nothing to look for (only punctuation, say): no search was "
            "run, and `message` says what to change."
        ),
    )


class ItemOut(Schema):
    barcode: str
    shelf_location: str
    collection: str
    call_number: str
    status: str
    status_label: str
    available: bool


class HoldingsOut(Schema):
    code: str
    name: str
    total: int
    available: int
    items: list[ItemOut]


class ContributorOut(Schema):
    name: str
    role: str
    role_label: str


class SubjectOut(Schema):
    id: int
    heading: str


class RecordOut(Schema):
    id: int
    title: str
    subtitle: str
    responsibility: str
    title_vernacular: str
    contributors: list[ContributorOut]
    edition: str
    publisher: str
    place: str
    year: int | None
    isbn: str
    issn: str
    language: str
    language_label: str
    ddc: str
    call_number: str
    series: str
    physical_description: str
    notes: str
    summary: str
    audience: str
    material_type: str
    material_type_label: str
    accessibility_features: list[str]
    subjects: list[SubjectOut]
    cover: str | None
    cover_thumbnail: str | None
    url: str
    hold_queue_length: int | None = Field(
        description="Holds waiting for this record; null where holds are not available."
    )
    total: int
    available: int
    branches: list[HoldingsOut]


def _absolute(request: HttpRequest, file) -> str | None:
    return request.build_absolute_uri(file.url) if file else None


def _hit(request: HttpRequest, row: ResultRow, labels: dict) -> HitOut:
    record = row.record
    return HitOut(
        id=record.pk,
        title=record.title,
        subtitle=record.subtitle,
        title_vernacular=record.title_vernacular,
        contributors=row.contributors,
        year=record.year,
        material_type=record.material_type,
        material_type_label=str(labels.get(record.material_type, record.material_type)),
        availability=AvailabilityOut(
            total=row.total,
            available=row.available,
            branches=[
                BranchAvailabilityOut(
                    code=b.code, name=b.name, total=b.total, available=b.available
                )
                for b in row.branches
            ],
        ),
        cover_thumbnail=_absolute(request, record.cover_thumbnail),
        url=request.build_absolute_uri(reverse("opac:record", args=[record.pk])),
    )


@catalog_router.get(
    "/search",
    response={200: SearchOut, 422: ErrorOut},
    summary="Search the catalogue, with facets",
    description=(
        "Keywords across title, contributors, subjects, series, ISBN and notes, with the same "
        "Indonesian-aware analysis as the OPAC (`membaca` finds `Bacaan anak`). Filters: "
        "several values of one facet match any of them, several facets all of them. A page "
        "past the end answers with no hits. A query with nothing to look for (only "
        "punctuation) answers with no hits and a `problem` saying so."
    ),
)
def search(request: HttpRequest, params: Query[SearchQuery]):
    data = params.dict()
    filters = parse_filters(data, branches=engine.branch_codes())
    try:
        result = engine.search(
            params.q, filters, sort=params.sort, page=params.page, per_page=params.per_page
        )
    except QueryError as error:
        return Status(
            200,
            SearchOut(
                query=params.q,
                total=0,
                total_is_exact=True,
                complete=True,
                page=params.page,
                per_page=params.per_page,
                pages=1,
                sort=params.sort or engine.Sort.RELEVANCE,
                facets=[],
                hits=[],
                suggestion=None,
                problem=ErrorOut(code=error.code, message=str(error)),
            ),
        )
    beyond = params.page > result.num_pages
    labels = dict(MaterialType.choices)
    rows = [] if beyond else result_rows(result.record_ids)
    return Status(
        200,
        SearchOut(
            query=result.query.text,
            total=result.total,
            total_is_exact=result.total_is_exact,
            complete=result.complete,
            page=params.page,
            per_page=result.per_page,
            pages=result.num_pages,
            sort=result.sort,
            facets=[
                FacetOut(
                    name=facet.name,
                    label=facet.label,
                    values=[
                        FacetValueOut(
                            value=v.key, label=v.label, count=v.count, selected=v.selected
                        )
                        for v in facet.values
                    ],
                )
                for facet in result.facets
            ],
            hits=[_hit(request, row, labels) for row in rows],
            suggestion=result.suggestion,
        ),
    )


@catalog_router.get(
    "/records/{record_id}",
    response={200: RecordOut, 404: ErrorOut, 422: ErrorOut},
    summary="A record with its copies per branch",
)
def record(request: HttpRequest, record_id: int):
    page = record_page(record_id) if 1 <= record_id <= MAX_RECORD_ID else None
    if page is None:
        return Status(404, ErrorOut(code="not_found", message=_("No record has that number.")))
    item = page.record
    statuses = dict(ItemStatus.choices)
    return Status(
        200,
        RecordOut(
            id=item.pk,
            title=item.title,
            subtitle=item.subtitle,
            responsibility=item.responsibility,
            title_vernacular=item.title_vernacular,
            contributors=[
                ContributorOut(
                    name=link.contributor.name, role=link.role, role_label=link.get_role_display()
                )
                for link in page.contributors
            ],
            edition=item.edition,
            publisher=item.publisher,
            place=item.place,
            year=item.year,
            isbn=format_isbn(item.isbn) if item.isbn else "",
            issn=item.issn,
            language=item.language,
            language_label=language_name(item.language),
            ddc=item.ddc,
            call_number=item.call_number,
            series=item.series,
            physical_description=item.physical_description,
            notes=item.notes,
            summary=item.summary,
            audience=item.audience,
            material_type=item.material_type,
            material_type_label=item.get_material_type_display(),
            accessibility_features=list(item.accessibility_features or []),
            subjects=[
                SubjectOut(id=link.subject_id, heading=link.subject.heading)
                for link in page.subjects
            ],
            cover=_absolute(request, item.cover),
            cover_thumbnail=_absolute(request, item.cover_thumbnail),
            url=request.build_absolute_uri(reverse("opac:record", args=[item.pk])),
            hold_queue_length=page.hold_queue_length,
            total=page.total,
            available=page.available,
            branches=[
                HoldingsOut(
                    code=branch.branch.code,
                    name=branch.branch.name,
                    total=branch.total,
                    available=branch.available,
                    items=[
                        ItemOut(
                            barcode=copy.barcode,
                            shelf_location=copy.shelf_location,
                            collection=copy.collection,
                            call_number=copy.effective_call_number,
                            status=copy.status,
                            status_label=str(statuses.get(copy.status, copy.status)),
                            available=copy.status == ItemStatus.AVAILABLE,
                        )
                        for copy in branch.items
                    ],
                )
                for branch in page.availability
            ],
        ),
    )
