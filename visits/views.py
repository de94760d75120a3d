"""The entrance kiosk (public, no sign-in: a tablet at the door) and the staff screens of the
visitor log: statistics with a CSV export, in-library use scanning, kiosk set-up."""

from __future__ import annotations

import csv
import time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from core.errors import DomainError
from core.http import client_ip
from core.models import Branch
from core.selectors import active_branches
from visits import selectors, services, throttle
from visits.errors import UnknownBranchError, UnknownCardError
from visits.forms import GuestForm, InLibraryUseForm, MemberCardForm, StatisticsForm

KIOSK_BRANCH = "visits.kiosk_branch"
LAST_VISIT = "visits.last_visit"
USE_BRANCH = "visits.use_branch"
# How long the welcome screen may add a purpose to the visit just recorded.
PURPOSE_WINDOW_SECONDS = 300


def _kiosk_branch(request: HttpRequest) -> Branch | None:
    code = request.POST.get("branch") or request.session.get(KIOSK_BRANCH)
    if code:
        try:
            return services.kiosk_branch(code)
        except UnknownBranchError:
            return None
    branches = list(active_branches()[:2])
    return branches[0] if len(branches) == 1 else None


def kiosk(request: HttpRequest) -> HttpResponse:
    """The buku tamu at the entrance. Staff open /visit/?branch=<code> once on the tablet."""
    if "branch" in request.GET:
        try:
            branch = services.kiosk_branch(request.GET["branch"])
        except UnknownBranchError as error:
            return render(request, "visits/kiosk_unset.html", {"error": str(error)}, status=400)
        request.session[KIOSK_BRANCH] = branch.code
        return redirect("visits:kiosk")
    branch = _kiosk_branch(request)
    if branch is None:
        return render(request, "visits/kiosk_unset.html", {})
    member_form, guest_form = MemberCardForm(), GuestForm()
    status = 200
    if request.method == "POST":
        address = client_ip(request)
        action = request.POST.get("action")
        if not throttle.allow_submission(address):
            status = 429
            messages.error(request, _("Too many tries from this kiosk. Please wait a minute."))
        elif action == "member":
            member_form = MemberCardForm(request.POST)
            if member_form.is_valid():
                try:
                    recorded = services.record_member_visit(
                        member_form.cleaned_data["card"], branch=branch
                    )
                except DomainError as error:
                    if isinstance(error, UnknownCardError):
                        throttle.note_unknown_card(address)
                    member_form.add_error("card", str(error))
                else:
                    return _welcome(request, recorded, ask_purpose=not recorded.visit.purpose)
        elif action == "guest":
            guest_form = GuestForm(request.POST)
            if guest_form.is_valid():
                data = guest_form.cleaned_data
                try:
                    recorded = services.record_guest_visit(
                        name=data["guest_name"],
                        institution=data["institution"],
                        purpose=data["purpose"],
                        branch=branch,
                    )
                except DomainError as error:
                    field = "purpose" if error.code == "invalid_purpose" else "guest_name"
                    guest_form.add_error(field, str(error))
                else:
                    return _welcome(request, recorded, ask_purpose=False)
        if status == 200:
            status = 400
    return render(
        request,
        "visits/kiosk.html",
        {"branch": branch, "member_form": member_form, "guest_form": guest_form},
        status=status,
    )


def _welcome(request: HttpRequest, recorded, *, ask_purpose: bool) -> HttpResponse:
    request.session[LAST_VISIT] = {
        "visit": recorded.visit.pk,
        "name": recorded.greeting_name,
        "ask": ask_purpose,
        "at": time.time(),
    }
    return redirect("visits:welcome")


def _last_visit(request: HttpRequest) -> dict | None:
    last = request.session.get(LAST_VISIT)
    if not last or time.time() - last.get("at", 0) > PURPOSE_WINDOW_SECONDS:
        return None
    return last


def welcome(request: HttpRequest) -> HttpResponse:
    last = _last_visit(request)
    if last is None:
        return redirect("visits:kiosk")
    from visits.models import Purpose

    return render(
        request,
        "visits/welcome.html",
        {"name": last["name"], "ask_purpose": last["ask"], "purposes": Purpose.choices},
    )


@require_POST
def purpose(request: HttpRequest) -> HttpResponse:
    last = _last_visit(request)
    if last is not None and last.get("ask"):
        try:
            services.set_purpose(last["visit"], request.POST.get("purpose", ""))
        except DomainError:
            pass
        else:
            messages.success(request, _("Thank you, and enjoy your visit!"))
    request.session.pop(LAST_VISIT, None)
    return redirect("visits:kiosk")


# ---------------------------------------------------------------------------------------------
# Staff


@staff_required("visits.view_visit")
def kiosk_setup(request: HttpRequest) -> HttpResponse:
    return render(request, "visits/setup.html", {"branches": active_branches()})


@staff_required("visits.view_visit")
def statistics(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.GET or None)
    date_from, date_to = form.period()
    branch = form.cleaned_data.get("branch") if form.is_valid() else None
    stats = selectors.visit_statistics(date_from, date_to, branch=branch)
    query = request.GET.copy()
    return render(
        request,
        "visits/statistics.html",
        {"form": form, "stats": stats, "query_string": query.urlencode()},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_required("visits.view_visit")
def statistics_export(request: HttpRequest) -> StreamingHttpResponse:
    form = StatisticsForm(request.GET or None)
    date_from, date_to = form.period()
    branch = form.cleaned_data.get("branch") if form.is_valid() else None
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(
            [
                _("date"),
                _("hour"),
                _("branch"),
                _("what"),
                _("category or collection"),
                _("purpose"),
                _("count"),
            ]
        )
        for row in selectors.export_rows(date_from, date_to, branch=branch):
            yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="visits-{date_from:%Y%m%d}-{date_to:%Y%m%d}.csv"'
    )
    return response


def _use_branch(request: HttpRequest) -> Branch | None:
    code = (
        request.POST.get("branch") or request.GET.get("branch") or request.session.get(USE_BRANCH)
    )
    branch = active_branches().filter(code=code).first() if code else None
    if branch is None:
        branch = active_branches().order_by("-is_main", "position", "name").first()
    if branch is not None:
        request.session[USE_BRANCH] = branch.code
    return branch


@staff_required("visits.add_inlibraryuse")
def in_library_use(request: HttpRequest) -> HttpResponse:
    branch = _use_branch(request)
    form = InLibraryUseForm()
    result, error, status = None, "", 200
    if request.method == "POST" and branch is not None:
        bound = InLibraryUseForm(request.POST)
        code = bound.cleaned_data["code"] if bound.is_valid() else ""
        try:
            result = services.record_in_library_use(code, branch=branch, by=request.user)
        except DomainError as problem:
            error, status = str(problem), 400
    context = {
        "branch": branch,
        "branches": active_branches(),
        "form": form,
        "result": result,
        "error": error,
        "recent": selectors.recent_uses(branch) if branch else [],
    }
    template = "visits/in_library_use.html"
    if request.htmx and request.method == "POST":
        template = "visits/_use_panel.html"
    return render(request, template, context, status=status if not request.htmx else 200)
