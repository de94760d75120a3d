"""The cataloguing screens: find, describe and hold records and their copies, covers, labels.

Thin: bind a form, call one service or selector, render or redirect. Services check the
permissions again and raise `DomainError`s, which land on the form next to the field at fault.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import ProtectedError, RestrictedError
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_required
from catalog import selectors, services
from catalog.cataloguing.forms import (
    COMMON_LANGUAGES,
    CONTRIBUTOR_PREFIX,
    AddItemsForm,
    CoverForm,
    ItemForm,
    LabelForm,
    RecordForm,
    Selection,
    contributor_formset,
    contributor_row,
)
from catalog.covers import remove_cover, set_cover
from catalog.errors import (
    DuplicateBarcodeError,
    DuplicateRfidError,
    InvalidValueError,
    LabelSheetError,
    NoItemsToLabelError,
)
from catalog.labels import LabelKind, print_labels, remembered_choice
from catalog.models import Item, Record
from core.errors import DomainError
from core.navigation import staff_links_for
from core.selectors import get_library

HOME = "catalog/cataloguing/home.html"
# Loans, holds or stocktake rows that point at a copy keep it from being deleted.
IN_USE_ITEM = gettext_lazy(
    "This copy cannot be deleted: its loans, holds or stocktakes refer to it. Give it the status "
    "“Withdrawn” instead."
)
IN_USE_RECORD = gettext_lazy(
    "This record cannot be deleted: loans, holds or stocktakes refer to its copies. Withdraw the "
    "copies instead."
)


def _record_or_404(pk: int) -> Record:
    record = selectors.record_for_cataloguing(pk)
    if record is None:
        raise Http404
    return record


def _item_or_404(pk: int) -> Item:
    item = selectors.get_item(pk)
    if item is None:
        raise Http404
    return item


@dataclass(frozen=True)
class _Link:
    label: str
    url: str


# URL names the import screens may have; the first that resolves is linked when they register
# no staff link of their own.
IMPORT_URL_NAMES = ("importing:home", "importing:job-list", "importing:upload")


def _import_links(user) -> list:
    """Links to the import screens (which belong to `catalog.importing`), only when they exist
    and the user may use them."""
    links = [
        _Link(str(link.label), link.url)
        for _section, section_links in staff_links_for(user)
        for link in section_links
        if link.url_name.startswith("importing:")
    ]
    if links or not user.has_perm("catalog.import_records"):
        return links
    for name in IMPORT_URL_NAMES:
        try:
            return [_Link(_("Import records"), reverse(name))]
        except NoReverseMatch:
            continue
    return []


@require_GET
@staff_required("catalog.view_record")
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    context = {
        "query": query,
        "results": selectors.find_records_for_cataloguing(query) if query else [],
    }
    if request.htmx:
        return render(request, HOME + "#results", context)
    context.update(
        recently_added=selectors.recently_added_records(),
        recently_changed=selectors.recently_changed_records(),
        import_links=_import_links(request.user),
    )
    return render(request, HOME, context)


@require_GET
@staff_required("catalog.view_record")
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_or_404(pk)
    return render(
        request,
        "catalog/cataloguing/record_detail.html",
        {
            "record": record,
            "items": selectors.items_of(record),
            "cover_form": CoverForm(),
            "identifiers": list(record.identifiers.all()),
        },
    )


# ---------------------------------------------------------------------------------------------
# Describing a record


def _quiet(form, formset) -> None:
    """Show what was posted without judging it yet (the 'Add a row' button without JS)."""
    form._errors = ErrorDict()
    formset._errors = []
    formset._non_form_errors = ErrorList()
    for row in formset.forms:
        row._errors = ErrorDict()


def _record_form(request: HttpRequest, record: Record | None) -> HttpResponse:
    if request.method == "POST":
        add_row = "add_contributor" in request.POST
        form = RecordForm(request.POST, record=record)
        formset = contributor_formset(request.POST, add_row=add_row)
        if add_row:
            _quiet(form, formset)
        elif form.is_valid() and formset.is_valid():
            parsed = form.to_parsed(formset.parsed())
            duplicates = selectors.records_with_isbns(parsed.isbns, exclude=record)
            if duplicates and not form.cleaned_data["confirm_duplicate"]:
                form.duplicates = duplicates
            else:
                try:
                    if record is None:
                        saved = services.create_record(parsed, by=request.user)
                        messages.success(request, _("Record added."))
                    else:
                        saved = services.update_record(record, parsed, by=request.user)
                        messages.success(request, _("Changes saved."))
                except DomainError as error:
                    form.add_error(None, str(error))
                else:
                    return redirect("cataloguing:record-detail", pk=saved.pk)
    else:
        form = RecordForm(record=record)
        formset = contributor_formset(record=record)
    return render(
        request,
        "catalog/cataloguing/record_form.html",
        {
            "form": form,
            "formset": formset,
            "record": record,
            "languages": COMMON_LANGUAGES,
            "show_confirm": bool(form.duplicates) or bool(form.data.get("confirm_duplicate")),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required("catalog.add_record")
def record_create(request: HttpRequest) -> HttpResponse:
    return _record_form(request, None)


@require_http_methods(["GET", "POST"])
@staff_required("catalog.change_record")
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_form(request, _record_or_404(pk))


@require_http_methods(["GET", "POST"])
@staff_required("catalog.delete_record")
def record_delete(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_or_404(pk)
    if request.method == "POST":
        try:
            services.delete_record(record, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("cataloguing:record-detail", pk=pk)
        except (ProtectedError, RestrictedError):
            messages.error(request, IN_USE_RECORD)
            return redirect("cataloguing:record-detail", pk=pk)
        messages.success(request, _("The record “%(title)s” was deleted.") % {"title": record})
        return redirect("cataloguing:home")
    return render(
        request,
        "catalog/cataloguing/record_delete.html",
        {"record": record, "item_count": record.items.count()},
    )


@require_GET
@staff_required("catalog.view_record")
def contributor_row_view(request: HttpRequest) -> HttpResponse:
    """htmx: one more contributor row, and the formset's new row count (out of band)."""
    try:
        index = int(request.GET.get(f"{CONTRIBUTOR_PREFIX}-TOTAL_FORMS", "0"))
    except ValueError:
        index = 0
    index = max(0, min(index, 99))
    return render(
        request,
        "catalog/cataloguing/_contributor_row.html",
        {"row": contributor_row(index), "number": index + 1, "total": index + 1, "oob": True},
    )


def _typed(request: HttpRequest) -> str:
    """What was typed: `q`, or the one field htmx sends under its own name."""
    value = request.GET.get("q")
    if value is None:
        value = next(iter(request.GET.values()), "")
    return value[:300]


@require_GET
@staff_required("catalog.view_record")
def suggest_contributors(request: HttpRequest) -> HttpResponse:
    headings = [str(c) for c in selectors.suggest_contributors(_typed(request))]
    return render(request, "catalog/cataloguing/_suggestions.html", {"headings": headings})


@require_GET
@staff_required("catalog.view_record")
def suggest_subjects(request: HttpRequest) -> HttpResponse:
    headings = [s.heading for s in selectors.suggest_subjects(_typed(request))]
    return render(request, "catalog/cataloguing/_suggestions.html", {"headings": headings})


@require_POST
@staff_required("catalog.change_record")
def record_cover(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_or_404(pk)
    if "remove" in request.POST:
        remove_cover(record, by=request.user)
        messages.success(request, _("The cover was removed."))
        return redirect("cataloguing:record-detail", pk=pk)
    form = CoverForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            set_cover(record, form.cleaned_data["cover"], by=request.user)
        except DomainError as error:
            form.add_error("cover", str(error))
        else:
            messages.success(request, _("The cover was saved."))
            return redirect("cataloguing:record-detail", pk=pk)
    return render(
        request,
        "catalog/cataloguing/record_detail.html",
        {
            "record": record,
            "items": selectors.items_of(record),
            "cover_form": form,
            "identifiers": list(record.identifiers.all()),
        },
        status=400,
    )


# ---------------------------------------------------------------------------------------------
# Copies


@require_http_methods(["GET", "POST"])
@staff_required("catalog.add_item")
def items_add(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_or_404(pk)
    form = AddItemsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            items = services.add_items(
                record,
                count=data["count"],
                branch=data["branch"],
                first_barcode=data["first_barcode"],
                template=form.template(),
                by=request.user,
            )
        except (DuplicateBarcodeError, InvalidValueError) as error:
            form.add_error("first_barcode" if data["first_barcode"] else None, str(error))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s copy added: %(first)s.",
                    "%(count)s copies added: %(first)s to %(last)s.",
                    len(items),
                )
                % {"count": len(items), "first": items[0].barcode, "last": items[-1].barcode},
            )
            return redirect("cataloguing:record-detail", pk=pk)
    return render(request, "catalog/cataloguing/items_add.html", {"form": form, "record": record})


@require_http_methods(["GET", "POST"])
@staff_required("catalog.change_item")
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(pk)
    form = ItemForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(item, form.changes(), by=request.user)
        except DuplicateBarcodeError as error:
            form.add_error("barcode", str(error))
        except DuplicateRfidError as error:
            form.add_error("rfid_tag", str(error))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Copy %(barcode)s saved.") % {"barcode": item.barcode})
            return redirect("cataloguing:record-detail", pk=item.record_id)
    return render(request, "catalog/cataloguing/item_form.html", {"form": form, "item": item})


@require_http_methods(["GET", "POST"])
@staff_required("catalog.delete_item")
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(pk)
    if request.method == "POST":
        try:
            services.delete_item(item, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        except (ProtectedError, RestrictedError):
            messages.error(request, IN_USE_ITEM)
        else:
            messages.success(request, _("Copy %(barcode)s deleted.") % {"barcode": item.barcode})
        return redirect("cataloguing:record-detail", pk=item.record_id)
    return render(request, "catalog/cataloguing/item_delete.html", {"item": item})


# ---------------------------------------------------------------------------------------------
# Labels


def _today_bounds() -> tuple[dt.datetime, dt.datetime]:
    """Today in the library's time zone (activated by the middleware), as aware datetimes."""
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return start, start + dt.timedelta(days=1)


def _label_items(form: LabelForm) -> list[Item] | None:
    """The copies the form asks for; None (with an error on the form) when that cannot be."""
    data = form.cleaned_data
    selection = data["selection"]
    if selection == Selection.RECORD:
        items = list(selectors.items_of_record_for_labels(data["record"]))
        if not items:
            if not Record.objects.filter(pk=data["record"]).exists():
                form.add_error(
                    "record", _("There is no record number %(n)s.") % {"n": data["record"]}
                )
            else:
                form.add_error("record", _("This record has no copies yet."))
            return None
        return items
    if selection == Selection.BARCODES:
        items, unknown = selectors.items_with_barcodes(data["barcodes"])
        if unknown and (not data["skip_unknown"] or not items):
            form.add_error(
                "barcodes",
                ngettext(
                    "The catalogue has no copy with the barcode %(list)s.",
                    "The catalogue has no copies with these %(count)s barcodes: %(list)s.",
                    len(unknown),
                )
                % {"count": len(unknown), "list": ", ".join(unknown)},
            )
            return None
        return items
    items = list(selectors.items_added_between(*_today_bounds()))
    if not items:
        form.add_error("selection", _("No copies have been added today."))
        return None
    return items


@require_http_methods(["GET", "POST"])
@staff_required("catalog.print_labels")
def labels(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = LabelForm(request.POST)
        if form.is_valid():
            items = _label_items(form)
            if items is not None:
                kind = form.cleaned_data["kind"]
                library = get_library()
                try:
                    pdf = print_labels(
                        items,
                        kind=kind,
                        choice=form.choice(),
                        start=form.cleaned_data["start"],
                        library_name=library.short_name or library.name,
                        outline=form.cleaned_data["outline"],
                        by=request.user,
                    )
                except LabelSheetError as error:
                    form.add_error(error.field or None, str(error))
                except NoItemsToLabelError as error:
                    form.add_error(None, str(error))
                else:
                    response = HttpResponse(pdf, content_type="application/pdf")
                    response["Content-Disposition"] = f'inline; filename="labels-{kind}.pdf"'
                    response["Cache-Control"] = "no-store"
                    # Browsers' PDF viewers stop at a page CSP such as object-src 'none'.
                    response._csp_exempt = True  # type: ignore[attr-defined]
                    return response
    else:
        kind = request.GET.get("kind")
        kind = kind if kind in LabelKind.values else LabelKind.SPINE
        extra: dict = {}
        record = request.GET.get("record", "")
        if record.isdigit():
            extra = {"selection": Selection.RECORD, "record": int(record)}
        form = LabelForm(
            initial=LabelForm.initial_for(kind, remembered_choice(request.user, kind), **extra)
        )
    return render(request, "catalog/cataloguing/labels.html", {"form": form})
