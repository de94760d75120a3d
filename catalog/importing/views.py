"""Staff screens for importing and exporting the catalogue (thin: forms, services, selectors)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from catalog import exporting
from catalog.importing import selectors, services, spreadsheets
from catalog.importing.forms import ExportForm, ImportForm, MappingForm
from catalog.models import ImportStatus, ProblemSeverity
from core.errors import DomainError

PERMISSION = "catalog.import_records"


@staff_required(PERMISSION)
def import_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.import_jobs(), 25).get_page(request.GET.get("page"))
    return render(request, "catalog/importing/list.html", {"page": page})


@staff_required(PERMISSION)
def import_new(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_import(
                form.cleaned_data["file"],
                by=request.user,
                policy=form.cleaned_data["policy"],
                default_branch=form.cleaned_data["default_branch"],
                file_format=form.cleaned_data["format"],
            )
        except DomainError as error:
            form.add_error("file", str(error))
        else:
            if services.needs_mapping(job):
                return redirect("importing:mapping", pk=job.pk)
            messages.success(request, _("The import has started. You may leave this page."))
            return redirect("importing:detail", pk=job.pk)
    return render(request, "catalog/importing/new.html", {"form": form})


def _job_or_404(pk: int):
    job = selectors.get_import_job(pk)
    if job is None:
        raise Http404
    return job


@staff_required(PERMISSION)
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(pk)
    if not services.needs_mapping(job):
        return redirect("importing:detail", pk=job.pk)
    try:
        headers, rows = spreadsheets.preview(Path(job.file.path), job.format)
    except spreadsheets.SpreadsheetError as error:
        messages.error(request, str(error))
        return redirect("importing:list")
    samples = {
        header: "; ".join(row[index] for row in rows if row[index])[:120]
        for index, header in enumerate(headers)
    }
    form = MappingForm(request.POST or None, headers=headers, samples=samples, mapping=job.mapping)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_mapping(job, form.mapping(), by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The import has started. You may leave this page."))
            return redirect("importing:detail", pk=job.pk)
    return render(
        request,
        "catalog/importing/mapping.html",
        {"job": job, "form": form, "headers": headers, "rows": rows},
    )


@staff_required(PERMISSION)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(pk)
    running = job.status in (ImportStatus.WAITING, ImportStatus.RUNNING) and not (
        services.is_stalled(job) or services.needs_mapping(job)
    )
    if request.htmx and request.GET.get("poll"):
        if not running:
            # Finished (or paused) while the page watched: show the whole page again, with
            # the problems and the right buttons.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(
            request, "catalog/importing/detail.html#progress", {"job": job, "running": running}
        )
    show = request.GET.get("show")
    severity = ProblemSeverity.WARNING if show == "warnings" else ProblemSeverity.ERROR
    problems = Paginator(selectors.job_problems(job, severity=severity), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "catalog/importing/detail.html",
        {
            "job": job,
            "running": running,
            "stalled": services.is_stalled(job),
            "can_pause": services.can_pause(job),
            "can_resume": services.can_resume(job),
            "can_cancel": services.can_cancel(job),
            "needs_mapping": services.needs_mapping(job),
            "problems": problems,
            "show": severity,
            "query_string": "show=warnings" if severity == ProblemSeverity.WARNING else "",
        },
    )


@require_POST
@staff_required(PERMISSION)
def import_control(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(pk)
    action = request.POST.get("action")
    control = {
        "pause": (services.pause_import, _("The import is paused. Resume it when you like.")),
        "resume": (services.resume_import, _("The import goes on where it stopped.")),
        "cancel": (services.cancel_import, _("The import is cancelled. Records imported stay.")),
    }.get(action or "")
    if control is None:
        return HttpResponse(status=400)
    service, done = control
    try:
        service(job, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("importing:detail", pk=job.pk)


def _export_request(request: HttpRequest):
    form = ExportForm(request.GET or None)
    file_format = exporting.MARC21
    query = ""
    if form.is_valid():
        file_format = form.cleaned_data["format"]
        query = form.cleaned_data["q"]
    selection, searched = exporting.export_selection(query)
    return form, file_format, query, selection, searched


@staff_required(PERMISSION)
def export(request: HttpRequest) -> HttpResponse:
    try:
        form, file_format, query, selection, searched = _export_request(request)
    except DomainError as error:  # a search that cannot be run
        messages.error(request, str(error))
        return redirect("importing:export")
    too_large = exporting.too_large(selection) if file_format == exporting.MARC21 else []
    return render(
        request,
        "catalog/importing/export.html",
        {
            "form": form,
            "file_format": file_format,
            "query": query,
            "searched": searched,
            "search_missing": bool(query) and not searched,
            "count": exporting.count_selection(selection),
            "too_large": too_large[:20],
            "too_large_count": len(too_large),
            "download_query": request.GET.urlencode(),
        },
    )


@staff_required(PERMISSION)
def export_download(request: HttpRequest) -> HttpResponse:
    try:
        _form, file_format, _query, selection, _searched = _export_request(request)
    except DomainError:
        return redirect("importing:export")
    name = "katalog"
    if request.GET.get("too_large"):
        # The records a MARC21 download leaves out, as MARCXML.
        selection = [pk for pk, _title in exporting.too_large(selection)]
        file_format = exporting.MARCXML
        name = "katalog-terlalu-besar"
    result = exporting.ExportResult()
    response = StreamingHttpResponse(
        exporting.export_blocks(selection, file_format, result),
        content_type=exporting.CONTENT_TYPES[file_format],
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    extension = exporting.EXTENSIONS[file_format]
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{extension}"'
    return response
