"""The member's own library account, on a phone first: loans with online renewal, holds with
their place in the queue, fines, the reading history (only if the member keeps one), privacy
and notice choices, a download of everything the library holds about them, and a request to
delete the account.

A signed-in user sees the member record whose `user` is them, and nothing else: every loan or
hold id in a URL is looked up among that member's own, so another member's id answers 404.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import member_required
from circulation import account_services, selectors, services
from circulation.forms import DeletionRequestForm, PreferencesForm, SuspendHoldForm
from circulation.states import Channel
from core.errors import DomainError
from patrons.models import Member


def with_member(view):
    """Signed in, and linked to a membership; otherwise a page that says what to do."""

    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        member = (
            Member.objects.select_related("category", "home_branch")
            .filter(user=request.user)
            .first()
        )
        if member is None:
            return render(request, "circulation/account/no_member.html")
        return view(request, member, *args, **kwargs)

    return wrapper


@with_member
def home(request: HttpRequest, member: Member) -> HttpResponse:
    summary = selectors.member_summary(member)
    return render(
        request,
        "circulation/account/home.html",
        {
            "member": member,
            "summary": summary,
            "suspend_form": SuspendHoldForm(auto_id=False),
            "deletion_request": selectors.open_deletion_request(member),
        },
    )


@require_POST
@with_member
def renew(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    loan = selectors.member_loan(member, pk)
    if loan is None:
        raise Http404
    renewals = loan.renewals
    try:
        loan = services.renew(loan, staff=None, channel=Channel.WEB)
    except DomainError as error:
        messages.error(
            request,
            _("“%(title)s” could not be renewed: %(reason)s")
            % {"title": loan.item.record.title, "reason": error},
        )
    else:
        due = timezone.localtime(loan.due_at).date()
        from django.utils.formats import date_format

        if loan.renewals > renewals:
            text = _("“%(title)s” is renewed. It is now due on %(date)s.")
        else:
            text = _("“%(title)s” is already due on %(date)s; renewing today would not change it.")
        messages.success(
            request, text % {"title": loan.item.record.title, "date": date_format(due, "j F Y")}
        )
    return redirect("myaccount:home")


def _member_hold(member: Member, pk: int):
    hold = selectors.member_hold(member, pk)
    if hold is None:
        raise Http404
    return hold


@require_POST
@with_member
def cancel_hold(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    hold = _member_hold(member, pk)
    try:
        services.cancel_hold(hold, staff=None, channel=Channel.WEB, reason="cancelled by member")
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Your hold on “%(title)s” is cancelled.") % {"title": hold.record.title}
        )
    return redirect("myaccount:home")


@require_POST
@with_member
def suspend_hold(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    hold = _member_hold(member, pk)
    form = SuspendHoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["until"][0])
        return redirect("myaccount:home")
    try:
        services.suspend_hold(hold, until=form.cleaned_data["until"], channel=Channel.WEB)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Your hold on “%(title)s” is paused. Your place in the queue is kept.")
            % {"title": hold.record.title},
        )
    return redirect("myaccount:home")


@require_POST
@with_member
def resume_hold(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    hold = _member_hold(member, pk)
    try:
        services.resume_hold(hold, channel=Channel.WEB)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Your hold on “%(title)s” is active again.") % {"title": hold.record.title}
        )
    return redirect("myaccount:home")


@with_member
def fines(request: HttpRequest, member: Member) -> HttpResponse:
    return render(
        request,
        "circulation/account/fines.html",
        {
            "member": member,
            "entries": list(selectors.fine_ledger(member)),
            "balance": selectors.fine_balance(member),
            "accruing": selectors.accruing_fines(member),
        },
    )


@with_member
def history(request: HttpRequest, member: Member) -> HttpResponse:
    loans = list(selectors.loan_history(member)[:500]) if member.keep_reading_history else []
    return render(request, "circulation/account/history.html", {"member": member, "loans": loans})


@with_member
def privacy(request: HttpRequest, member: Member) -> HttpResponse:
    initial = {
        "keep_reading_history": member.keep_reading_history,
        "notify_by_email": member.notify_by_email,
        "preferred_language": member.preferred_language,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = account_services.update_preferences(
                member, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if result.history_deleted is not None:
                messages.success(
                    request,
                    _(
                        "Your reading history is off and has been deleted "
                        "(%(count)s returned loans)."
                    )
                    % {"count": result.history_deleted},
                )
            if result.changed:
                messages.success(request, _("Your choices are saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("myaccount:privacy")
    return render(request, "circulation/account/privacy.html", {"member": member, "form": form})


# ---------------------------------------------------------------------------------------------
# Download all my data


def _filename(member: Member, suffix: str) -> str:
    return f"pustaka-{member.number}-{timezone.localdate():%Y%m%d}.{suffix}"


@with_member
def download_json(request: HttpRequest, member: Member) -> HttpResponse:
    data = selectors.member_data(member)
    account_services.record_data_download(member, by=request.user, data_format="json")
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(member, "json")}"'
    return response


@with_member
def download_csv(request: HttpRequest, member: Member) -> HttpResponse:
    """One CSV file per part (profile, loans, holds, fines, notices) in a ZIP archive: each
    opens in a spreadsheet as it is."""
    data = selectors.member_data(member)
    account_services.record_data_download(member, by=request.user, data_format="csv")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for part, rows in data.items():
            if isinstance(rows, dict):
                rows = [{"field": key, "value": value} for key, value in rows.items()]
            bundle.writestr(f"{part}.csv", _csv(rows))
    response = HttpResponse(archive.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{_filename(member, "csv.zip")}"'
    return response


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets then read UTF-8 names correctly
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


def _cell(value):
    """No spreadsheet formulas from member-entered text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# ---------------------------------------------------------------------------------------------
# Request to delete my account


@with_member
def delete_account(request: HttpRequest, member: Member) -> HttpResponse:
    existing = selectors.open_deletion_request(member)
    form = DeletionRequestForm(request.POST or None)
    if request.method == "POST" and existing is None and form.is_valid():
        account_services.request_deletion(
            member, reason=form.cleaned_data["reason"], by=request.user
        )
        messages.success(
            request,
            _(
                "Your request is recorded. The library will contact you to confirm, once "
                "borrowed items are back and fines are settled."
            ),
        )
        return redirect("myaccount:delete")
    summary = selectors.member_summary(member)
    return render(
        request,
        "circulation/account/delete.html",
        {"member": member, "form": form, "existing": existing, "summary": summary},
    )
