"""Staff screens to set up spaces: per branch the spaces (with photos), the equipment and the
booking rules that apply there; forms to add and change each, and a preview of the rules text a
booker will read. Thin: the changes are `spaces.setup` services, which check the permission
again and audit."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from core.errors import DomainError
from core.selectors import active_branches
from spaces import policies, selectors, setup
from spaces.errors import InvalidRuleError
from spaces.forms import EquipmentForm, RuleForm, SpaceForm
from spaces.models import BookingRule, Equipment, Space, SpacePhoto
from spaces.views import _staff_branch


def _back(branch_code: str) -> HttpResponse:
    return redirect(f"{reverse('spaces:staff-setup')}?branch={branch_code}")


@staff_required("spaces.view_space")
def staff_setup(request: HttpRequest) -> HttpResponse:
    branch = _staff_branch(request)
    return render(
        request,
        "spaces/staff_setup.html",
        {
            "branch": branch,
            "branches": active_branches().order_by("position", "name"),
            "setup": selectors.setup_overview(branch),
        },
    )


def _space_form_page(request: HttpRequest, form: SpaceForm, space: Space | None, status: int):
    rules = None
    if space is not None:
        rules = policies.describe(policies.resolve_rules(space, None), capacity=space.capacity)
    return render(
        request,
        "spaces/staff_space_form.html",
        {"form": form, "space": space, "rules": rules},
        status=status,
    )


@staff_required("spaces.add_space")
def staff_space_create(request: HttpRequest) -> HttpResponse:
    branch = _staff_branch(request)
    form = SpaceForm(request.POST or None, request.FILES or None, initial={"branch": branch})
    if request.method == "POST" and form.is_valid():
        try:
            space = setup.create_space(
                form.model_data(),
                by=request.user,
                photo=form.cleaned_data.get("photo"),
                caption=form.cleaned_data.get("photo_caption", ""),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("%(name)s is added. Set its booking rules below.") % {"name": space}
            )
            return redirect("spaces:staff-space-edit", space.pk)
    status = 400 if request.method == "POST" else 200
    return _space_form_page(request, form, None, status)


@staff_required("spaces.change_space")
def staff_space_edit(request: HttpRequest, pk: int) -> HttpResponse:
    space = get_object_or_404(Space.objects.select_related("branch"), pk=pk)
    form = SpaceForm(request.POST or None, request.FILES or None, instance=space)
    if request.method == "POST" and form.is_valid():
        try:
            space = setup.update_space(space, form.model_changes(), by=request.user)
            if form.cleaned_data.get("photo"):
                setup.add_photo(
                    space,
                    form.cleaned_data["photo"],
                    form.cleaned_data["photo_caption"],
                    by=request.user,
                )
        except DomainError as error:
            form.add_error("is_active" if error.code == "still_booked" else None, str(error))
        else:
            messages.success(request, _("Changes to %(name)s are saved.") % {"name": space})
            return _back(space.branch.code)
    space.refresh_from_db()
    status = 400 if request.method == "POST" else 200
    return _space_form_page(request, form, space, status)


@require_POST
@staff_required("spaces.change_space")
def staff_photo_remove(request: HttpRequest, pk: int, photo: int) -> HttpResponse:
    item = get_object_or_404(SpacePhoto, pk=photo, space_id=pk)
    try:
        setup.remove_photo(item, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The photo is removed."))
    return redirect("spaces:staff-space-edit", pk)


def _equipment_page(request, form, equipment, status=200):
    return render(
        request,
        "spaces/staff_equipment_form.html",
        {"form": form, "equipment": equipment},
        status=status,
    )


@staff_required("spaces.add_equipment")
def staff_equipment_create(request: HttpRequest) -> HttpResponse:
    branch = _staff_branch(request)
    form = EquipmentForm(request.POST or None, initial={"branch": branch})
    if request.method == "POST" and form.is_valid():
        try:
            equipment = setup.create_equipment(form.cleaned_data, by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s is added.") % {"name": equipment})
            return _back(equipment.branch.code)
    return _equipment_page(request, form, None, 400 if request.method == "POST" else 200)


@staff_required("spaces.change_equipment")
def staff_equipment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    equipment = get_object_or_404(Equipment.objects.select_related("branch"), pk=pk)
    form = EquipmentForm(request.POST or None, instance=equipment)
    if request.method == "POST" and form.is_valid():
        try:
            equipment = setup.update_equipment(equipment, form.model_changes(), by=request.user)
        except DomainError as error:
            form.add_error("is_active" if error.code == "still_booked" else None, str(error))
        else:
            messages.success(request, _("Changes to %(name)s are saved.") % {"name": equipment})
            return _back(equipment.branch.code)
    equipment.refresh_from_db()
    return _equipment_page(request, form, equipment, 400 if request.method == "POST" else 200)


def _rule_page(request: HttpRequest, rule: BookingRule | None, *, initial=None) -> HttpResponse:
    """One page for adding and changing a rule: "Preview" shows the rules text a booker would
    read with the rule as filled in, without saving; "Save" checks and saves."""
    form = RuleForm(request.POST or None, instance=rule, initial=initial)
    preview = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.rule_data()
            try:
                setup.check_rule(data, rule=rule)
            except InvalidRuleError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                if request.POST.get("action") != "preview":
                    try:
                        if rule is None:
                            rule = setup.create_rule(data, by=request.user)
                        else:
                            rule = setup.update_rule(rule, form.rule_changes(), by=request.user)
                    except DomainError as error:
                        form.add_error(getattr(error, "field", None), str(error))
                    else:
                        messages.success(request, _("The rule %(name)s is saved.") % {"name": rule})
                        branch = rule.space.branch.code if rule.space else ""
                        return _back(branch) if branch else redirect("spaces:staff-setup")
                status = 200
            preview = setup.preview_rule(data, rule=rule)
    else:
        preview = setup.preview_rule(initial or {}, rule=rule)
    return render(
        request,
        "spaces/staff_rule_form.html",
        {"form": form, "rule": rule, "preview": preview},
        status=status,
    )


@staff_required("spaces.add_bookingrule")
def staff_rule_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    space = Space.objects.filter(pk=request.GET.get("space") or 0).first()
    if space is not None:
        initial = {"space": space, "name": space.name}
    return _rule_page(request, None, initial=initial)


@staff_required("spaces.change_bookingrule")
def staff_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(BookingRule.objects.select_related("space__branch"), pk=pk)
    return _rule_page(request, rule)


@require_POST
@staff_required("spaces.delete_bookingrule")
def staff_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(BookingRule.objects.select_related("space__branch"), pk=pk)
    branch = rule.space.branch.code if rule.space else ""
    name = rule.name
    try:
        setup.delete_rule(rule, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The rule %(name)s is removed.") % {"name": name})
    return _back(branch) if branch else redirect("spaces:staff-setup")
