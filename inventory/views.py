"""Stocktake screens: sessions, the scan box (htmx, works without JavaScript), reader-file
upload, live counts, closing and reopening, the report and its CSV export."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from core.errors import DomainError
from inventory import selectors, services
from inventory.forms import ScanForm, StartSessionForm, UploadForm
from inventory.models import ScanOutcome, StocktakeSession

VIEW = "inventory.view_stocktakesession"
REPORT_LIST_LIMIT = 200


def _session_or_404(pk: int) -> StocktakeSession:
    session = selectors.get_session(pk)
    if session is None:
        raise Http404
    return session


@staff_required(VIEW)
def session_list(request: HttpRequest) -> HttpResponse:
    form = StartSessionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(services.START_PERMISSION):
            raise PermissionDenied
        if form.is_valid():
            try:
                session = services.start_session(
                    form.cleaned_data["branch"], by=request.user, **_start_values(form)
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Stocktake started. Scan or upload what you see."))
                return redirect("inventory:session", pk=session.pk)
    page = Paginator(selectors.sessions(), 25).get_page(request.GET.get("page"))
    return render(request, "inventory/session_list.html", {"form": form, "page": page})


def _start_values(form: StartSessionForm) -> dict:
    return {
        name: form.cleaned_data[name] for name in ("name", "collection", "shelf_from", "shelf_to")
    }


def _detail(request: HttpRequest, session: StocktakeSession, **extra) -> HttpResponse:
    status = extra.pop("status", 200)
    context = {
        "session": session,
        "counts": selectors.counts(session),
        "scan_form": extra.pop("scan_form", None) or ScanForm(),
        "upload_form": extra.pop("upload_form", None) or UploadForm(),
        **extra,
    }
    return render(request, "inventory/session_detail.html", context, status=status)


@staff_required(VIEW)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _session_or_404(pk))


@staff_required(VIEW)
def session_counts(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    return render(
        request,
        "inventory/_counts.html",
        {"session": session, "counts": selectors.counts(session)},
    )


@require_POST
@staff_required(services.SCAN_PERMISSION)
def session_scan(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    form = ScanForm(request.POST)
    result, error = None, ""
    if form.is_valid():
        try:
            result = services.scan(session, form.cleaned_data["code"], by=request.user)
        except DomainError as problem:
            error = str(problem)
    else:
        error = _("Scan or type a barcode or RFID tag.")
    fresh = ScanForm()
    if request.htmx:
        return render(
            request,
            "inventory/_scan_response.html",
            {
                "session": session,
                "scan_form": fresh,
                "result": result,
                "scan_error": error,
                "counts": selectors.counts(session),
            },
        )
    return _detail(request, session, scan_form=fresh, result=result, scan_error=error)


@require_POST
@staff_required(services.SCAN_PERMISSION)
def session_upload(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, session, upload_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = services.ingest_file(session, upload.read(), by=request.user, name=upload.name)
    except DomainError as error:
        form.add_error("file", str(error))
        return _detail(request, session, upload_form=form, status=400)
    return _detail(request, session, upload_result=result, upload_name=upload.name)


@staff_required(services.SCAN_PERMISSION)
def session_close(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    if request.method == "POST":
        try:
            result = services.close_session(session, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            if result.already_closed:
                messages.info(request, _("This stocktake was already closed."))
            else:
                messages.success(
                    request,
                    _("Stocktake closed; %(count)s items not seen are now marked missing.")
                    % {"count": result.marked_missing},
                )
        return redirect("inventory:report", pk=session.pk)
    return render(
        request,
        "inventory/session_close.html",
        {"session": session, "counts": selectors.counts(session)},
    )


@require_POST
@staff_required(services.SCAN_PERMISSION)
def session_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    try:
        result = services.reopen_session(session, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if result.already_open:
            messages.info(request, _("This stocktake is already open."))
        else:
            messages.success(
                request,
                _("Stocktake reopened; %(count)s items it had marked missing are available again.")
                % {"count": result.restored},
            )
    return redirect("inventory:session", pk=session.pk)


@staff_required(VIEW)
def session_report(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    missing = Paginator(selectors.missing_items(session), 100).get_page(request.GET.get("page"))
    sections = []
    for outcome in (
        ScanOutcome.MISPLACED,
        ScanOutcome.ON_LOAN,
        ScanOutcome.OTHER_STATUS,
        ScanOutcome.UNKNOWN,
    ):
        rows = list(selectors.scans(session, [outcome])[: REPORT_LIST_LIMIT + 1])
        sections.append(
            {
                "outcome": outcome,
                "label": outcome.label,
                "rows": rows[:REPORT_LIST_LIMIT],
                "more": len(rows) > REPORT_LIST_LIMIT,
            }
        )
    return render(
        request,
        "inventory/report.html",
        {
            "session": session,
            "counts": selectors.counts(session),
            "missing": missing,
            "sections": sections,
            "limit": REPORT_LIST_LIMIT,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def safe_cell(value) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: quote them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@staff_required(VIEW)
def session_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    session = _session_or_404(pk)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(
            [
                _("result"),
                _("code"),
                _("barcode"),
                _("title"),
                _("call number"),
                _("branch"),
                _("shelf location"),
                _("collection"),
                _("status now"),
                _("seen"),
            ]
        )
        missing_label = _("Missing (not seen)")
        for item in selectors.missing_items(session).iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    safe_cell(value)
                    for value in (
                        missing_label,
                        "",
                        item.barcode,
                        item.record.title,
                        item.effective_call_number,
                        session.branch.code,
                        item.shelf_location,
                        item.collection,
                        item.status,
                        "",
                    )
                ]
            )
        for scan in selectors.scans(session).iterator(chunk_size=2000):
            item = scan.item
            yield writer.writerow(
                [
                    safe_cell(value)
                    for value in (
                        ScanOutcome(scan.outcome).label,
                        scan.code,
                        item.barcode if item else "",
                        item.record.title if item else "",
                        item.effective_call_number if item else "",
                        item.branch.code if item else "",
                        item.shelf_location if item else "",
                        item.collection if item else "",
                        item.status if item else "",
                        timezone.localtime(scan.scanned_at).isoformat(timespec="seconds"),
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    filename = f"stocktake-{session.pk}-{session.branch.code}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
