"""The loan-rules screen: the matrix of LoanPolicy rows (category x material type x branch,
empty = any) with add, change and remove, and "which rule applies, and why?" for a member or
category, an item or material type, and a branch. Requests from staff about deleted member
accounts are listed here too (the administration side of the member's own account)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from catalog.models import MaterialType
from catalog.selectors import get_item_by_barcode
from circulation import account_services, policy_services, selectors
from circulation.forms import DeletionHandlingForm, LoanPolicyForm, RuleQuestionForm
from circulation.models import AccountDeletionRequest, LoanPolicy
from circulation.policies import RULE_FIELDS
from circulation.views import current_branch
from core.errors import DomainError


@staff_required("circulation.view_loanpolicy")
def rules(request: HttpRequest) -> HttpResponse:
    branch = current_branch(request)
    asked = "branch" in request.GET
    form = RuleQuestionForm(
        request.GET if asked else None,
        initial={"branch": branch.pk if branch else None},
        auto_id="ask-%s",
    )
    answer = member = item = None
    if asked and form.is_valid():
        data = form.cleaned_data
        category = data["category"].code if data["category"] else ""
        if data["member"]:
            member = selectors.member_by_number(data["member"])
            if member is None:
                form.add_error(
                    "member", _("No member has the number “%(code)s”.") % {"code": data["member"]}
                )
            else:
                category = member.category_id
        material_type = data["material_type"]
        if data["item"]:
            item = get_item_by_barcode(data["item"])
            if item is None:
                form.add_error(
                    "item", _("No item has the barcode “%(code)s”.") % {"code": data["item"]}
                )
            else:
                material_type = item.record.material_type
        if not form.errors:
            answer = selectors.explain_rules(
                category=category,
                material_type=material_type,
                branch=data["branch"],
                on=timezone.localdate(),
            )
    policies = list(selectors.loan_policies())
    labels = dict(MaterialType.choices)
    for policy in policies:
        policy.material_label = labels.get(policy.material_type, policy.material_type)
    return render(
        request,
        "circulation/rules.html",
        {
            "policies": policies,
            "rule_fields": RULE_FIELDS,
            "form": form,
            "answer": answer,
            "member": member,
            "blocks": selectors.member_blocks(member) if member and answer else [],
            "item": item,
        },
        status=400 if asked and form.errors else 200,
    )


@staff_required("circulation.add_loanpolicy")
def rule_create(request: HttpRequest) -> HttpResponse:
    form = LoanPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = policy_services.create_loan_policy(form.cleaned_data, staff=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Rule “%(name)s” added.") % {"name": policy.name})
            return redirect("circulation:rules")
    return render(request, "circulation/rule_form.html", {"form": form, "policy": None})


def _policy_or_404(pk: int) -> LoanPolicy:
    policy = LoanPolicy.objects.filter(pk=pk).first()
    if policy is None:
        raise Http404
    return policy


@staff_required("circulation.change_loanpolicy")
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy_or_404(pk)
    form = LoanPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            policy_services.update_loan_policy(
                _policy_or_404(pk), form.cleaned_data, staff=request.user
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": policy.name})
            return redirect("circulation:rules")
    return render(request, "circulation/rule_form.html", {"form": form, "policy": policy})


@staff_required("circulation.delete_loanpolicy")
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy_or_404(pk)
    if request.method == "POST":
        policy_services.delete_loan_policy(policy, staff=request.user)
        messages.success(request, _("Rule “%(name)s” removed.") % {"name": policy.name})
        return redirect("circulation:rules")
    return render(request, "circulation/rule_delete.html", {"policy": policy})


# ---------------------------------------------------------------------------------------------
# Members' requests to delete their accounts


@staff_required("patrons.view_member")
def deletion_requests(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "circulation/deletion_requests.html",
        {
            "requests": list(selectors.open_deletion_requests()[:200]),
            "form": DeletionHandlingForm(),
        },
    )


@require_POST
@staff_required("patrons.change_member")
def handle_deletion_request(request: HttpRequest, pk: int) -> HttpResponse:
    deletion = AccountDeletionRequest.objects.filter(pk=pk).first()
    if deletion is None:
        raise Http404
    form = DeletionHandlingForm(request.POST)
    if form.is_valid():
        try:
            account_services.handle_deletion_request(
                deletion,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                staff=request.user,
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The request is marked as handled."))
    else:
        messages.error(request, _("Choose what became of the request."))
    return redirect("circulation:deletion-requests")
