"""Staff screens: SIP2 accounts (librarian or head) and their activity."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import staff_required
from core.errors import DomainError
from sip2 import selectors, services
from sip2.forms import SipAccountForm


@staff_required("sip2.view_sipaccount")
def accounts(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sip2/accounts.html",
        {"accounts": selectors.accounts_with_activity(), "totals": selectors.today_totals()},
    )


def _values(form: SipAccountForm) -> dict:
    data = dict(form.cleaned_data)
    data.pop("login", None)
    data.pop("password", None)
    return data


@staff_required("sip2.add_sipaccount")
def account_create(request: HttpRequest) -> HttpResponse:
    form = SipAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.create_account(
                form.cleaned_data["login"],
                form.cleaned_data["password"],
                by=request.user,
                **_values(form),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("SIP2 account %(login)s created.") % {"login": account})
            return redirect("sip2:accounts")
    return render(request, "sip2/account_form.html", {"form": form, "account": None})


@staff_required("sip2.change_sipaccount")
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(pk)
    if account is None:
        raise Http404
    form = SipAccountForm(
        request.POST or None,
        instance=account,
        initial={
            "operations": account.operations,
            "optional_fields": account.optional_fields,
            "hidden_fields": account.hidden_fields,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_account(
                account, _values(form), by=request.user, password=form.cleaned_data["password"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("SIP2 account %(login)s saved.") % {"login": account})
            return redirect("sip2:accounts")
    return render(request, "sip2/account_form.html", {"form": form, "account": account})
