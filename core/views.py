"""Public pages (home, opening hours), the staff home, library settings, the audit log and
the error pages."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from core import audit, selectors, services
from core.calendar import calendar_for
from core.errors import DomainError
from core.forms import AuditSearchForm, BranchForm, ClosedDayForm, LibraryForm, WeeklyHoursForm
from core.models import Branch, ClosedDay

# ---------------------------------------------------------------------------------------------
# Public


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"branches": selectors.branches_today()})


def opening_hours(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    week = [today + dt.timedelta(days=i) for i in range(7)]
    calendars = selectors.branch_calendars()
    rows = [(cal.branch, [cal.day(d) for d in week]) for cal in calendars]
    return render(
        request,
        "core/opening_hours.html",
        {
            "week": week,
            "rows": rows,
            "closures": selectors.upcoming_closures(on=today, days=60),
        },
    )


# ---------------------------------------------------------------------------------------------
# Staff


@staff_required()
def staff_home(request: HttpRequest) -> HttpResponse:
    from core.navigation import staff_links_for, waiting_counts

    return render(
        request,
        "core/staff_home.html",
        {
            "branches": selectors.branches_today(),
            "waiting": waiting_counts(staff_links_for(request.user)),
        },
    )


@staff_required("core.change_library")
def library_edit(request: HttpRequest) -> HttpResponse:
    library = selectors.get_library()
    form = LibraryForm(request.POST or None, request.FILES or None, instance=library)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_library(changes, by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The library profile has been saved."))
            return redirect("core:library-edit")
    return render(request, "core/library_form.html", {"form": form})


@staff_required("core.change_branch")
def branch_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "core/branch_list.html",
        {
            "branches": selectors.branches_today(),
            "closed_days": selectors.closed_days_ahead(on=today),
        },
    )


@staff_required("core.add_branch")
def branch_create(request: HttpRequest) -> HttpResponse:
    form = BranchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            branch = services.create_branch(form.cleaned_data, by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Branch added. Now set its opening hours."))
            return redirect("core:branch-hours", pk=branch.pk)
    return render(request, "core/branch_form.html", {"form": form, "branch": None})


@staff_required("core.change_branch")
def branch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    branch = get_object_or_404(Branch, pk=pk)
    form = BranchForm(request.POST or None, instance=branch)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_branch(branch, changes, by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("core:branch-list")
    return render(request, "core/branch_form.html", {"form": form, "branch": branch})


@staff_required("core.change_branch")
def branch_hours(request: HttpRequest, pk: int) -> HttpResponse:
    branch = get_object_or_404(Branch, pk=pk)
    form = WeeklyHoursForm(request.POST or None, periods=list(branch.opening_periods.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_opening_hours(branch, form.cleaned_data["periods"], by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("core:branch-list")
    today = timezone.localdate()
    calendar = calendar_for(branch)
    preview = list(calendar.days(today, today + dt.timedelta(days=13)))
    return render(
        request, "core/branch_hours.html", {"form": form, "branch": branch, "preview": preview}
    )


@staff_required("core.add_closedday")
def closed_day_create(request: HttpRequest) -> HttpResponse:
    form = ClosedDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_closed_day(**form.cleaned_data, by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Closed day added."))
            return redirect("core:branch-list")
    return render(request, "core/closed_day_form.html", {"form": form})


@require_POST
@staff_required("core.delete_closedday")
def closed_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    closure = get_object_or_404(ClosedDay, pk=pk)
    services.remove_closed_day(closure, by=request.user)
    messages.success(request, _("Closed day removed."))
    return redirect("core:branch-list")


@staff_required("core.view_auditentry")
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.search_audit_entries(**{k: v for k, v in filters.items() if v})
    if any(filters.values()):
        audit.record(
            "audit.search",
            actor=request.user,
            details={k: str(v) for k, v in filters.items() if v},
        )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.action_label = audit.action_label(entry.action)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": page, "query_string": query.urlencode()},
    )


# ---------------------------------------------------------------------------------------------
# Error pages (with DEBUG off). Each says what happened, in the visitor's language, with a way on.


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "core/error.html", _error_context("400"), status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "core/error.html", _error_context("403"), status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "core/error.html", _error_context("404"), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No database or context processors here: the error may be the database itself.
    from django.template import loader

    template = loader.get_template("core/error_500.html")
    return HttpResponse(template.render({}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "core/error.html", _error_context("csrf"), status=403)


def _error_context(kind: str) -> dict:
    texts = {
        "400": (
            _("Something in that request was not right"),
            _(
                "The page could not understand what was sent. Check the address or the form "
                "and try again."
            ),
        ),
        "403": (
            _("You do not have access to this page"),
            _(
                "Your role does not include this page. If you think it should, ask the head of "
                "library or a system administrator."
            ),
        ),
        "404": (
            _("Page not found"),
            _(
                "There is no page at this address. It may have moved, or the address may be "
                "mistyped."
            ),
        ),
        "csrf": (
            _("This form has expired"),
            _(
                "For your safety the form could not be accepted: it was open too long, or it was "
                "sent from another site. Go back, reload the page and send it again."
            ),
        ),
    }
    title, text = texts[kind]
    return {"error_title": title, "error_text": text, "error_code": kind}
