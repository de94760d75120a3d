"""Fines at the desk: a member's ledger, payments with a printed receipt, waivers (head of
library, with a reason), charges for damaged items. Amounts are whole Rupiah; the services say
what is wrong with a zero, negative or oversized amount."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from catalog.selectors import get_item_by_barcode
from circulation import receipts, selectors, services
from circulation.forms import ChargeForm, PaymentForm, WaiverForm
from circulation.models import FineKind
from core.errors import DomainError
from core.money import format_rupiah


def _member_or_404(pk: int):
    member = selectors.desk_member(pk)
    if member is None:
        raise Http404
    return member


def _ledger_page(request: HttpRequest, member, **forms) -> HttpResponse:
    paid = request.GET.get("paid", "")
    context = {
        "member": member,
        "entries": list(selectors.fine_ledger(member)),
        "balance": selectors.fine_balance(member),
        "accruing": selectors.accruing_fines(member),
        "payment_form": forms.get("payment_form") or PaymentForm(auto_id="pay-%s"),
        "waiver_form": forms.get("waiver_form") or WaiverForm(auto_id="waive-%s"),
        "charge_form": forms.get("charge_form") or ChargeForm(auto_id="charge-%s"),
        "paid": selectors.payment_for_receipt(int(paid)) if paid.isdigit() else None,
    }
    status = 400 if any(form.errors for form in forms.values()) else 200
    return render(request, "circulation/fines.html", context, status=status)


@staff_required("circulation.view_fineentry")
def ledger(request: HttpRequest, member_pk: int) -> HttpResponse:
    return _ledger_page(request, _member_or_404(member_pk))


@require_POST
@staff_required("circulation.add_fineentry")
def pay(request: HttpRequest, member_pk: int) -> HttpResponse:
    member = _member_or_404(member_pk)
    form = PaymentForm(request.POST, auto_id="pay-%s")
    if form.is_valid():
        try:
            entry = services.pay(
                member,
                form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
                staff=request.user,
            )
        except DomainError as error:
            form.add_error("amount", str(error))
        else:
            messages.success(
                request,
                _("Payment of %(amount)s taken; receipt %(number)s.")
                % {"amount": format_rupiah(-entry.amount), "number": entry.receipt_number},
            )
            url = reverse("circulation:fines", args=[member.pk])
            return redirect(f"{url}?paid={entry.pk}")
    return _ledger_page(request, member, payment_form=form)


@require_POST
@staff_required("circulation.waive_fine")
def waive(request: HttpRequest, member_pk: int) -> HttpResponse:
    member = _member_or_404(member_pk)
    form = WaiverForm(request.POST, auto_id="waive-%s")
    if form.is_valid():
        try:
            entry = services.waive(
                member,
                form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                staff=request.user,
            )
        except DomainError as error:
            field = "reason" if error.code == "override_reason_required" else "amount"
            form.add_error(field, str(error))
        else:
            messages.success(
                request, _("%(amount)s waived.") % {"amount": format_rupiah(-entry.amount)}
            )
            return redirect("circulation:fines", member_pk=member.pk)
    return _ledger_page(request, member, waiver_form=form)


@require_POST
@staff_required("circulation.add_fineentry")
def charge(request: HttpRequest, member_pk: int) -> HttpResponse:
    member = _member_or_404(member_pk)
    form = ChargeForm(request.POST, auto_id="charge-%s")
    if form.is_valid():
        barcode = form.cleaned_data["barcode"].strip()
        amount = form.cleaned_data["amount"]
        item = loan = None
        if barcode:
            item = get_item_by_barcode(barcode)
            if item is None:
                form.add_error(
                    "barcode", _("No item has the barcode “%(code)s”.") % {"code": barcode}
                )
            else:
                loan = selectors.latest_loan_of_item_to(item, member)
        if amount is None and not form.errors:
            if item is not None and item.price:
                amount = item.price
            else:
                form.add_error("amount", _("Give the amount: this item has no price recorded."))
        if not form.errors:
            reason = form.cleaned_data["reason"]
            if item is not None:
                reason = f"{item.barcode}: {reason}"
            try:
                services.charge(
                    member,
                    amount,
                    kind=FineKind.DAMAGED,
                    reason=reason,
                    staff=request.user,
                    loan=loan,
                )
            except DomainError as error:
                form.add_error("amount", str(error))
            else:
                messages.success(
                    request, _("%(amount)s charged.") % {"amount": format_rupiah(amount)}
                )
                return redirect("circulation:fines", member_pk=member.pk)
    return _ledger_page(request, member, charge_form=form)


@staff_required("circulation.view_fineentry")
def payment_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.payment_for_receipt(pk)
    if entry is None:
        raise Http404
    return render(
        request,
        "circulation/receipt_payment.html",
        {"receipt": receipts.payment_receipt(entry)},
    )
