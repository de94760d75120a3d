"""Staff screens for members (/staff/members/). Thin: parse, call one service or selector,
render. Every screen that shows member data records that it did (services.record_*)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import member_required, staff_required
from core.errors import DomainError
from core.selectors import get_library
from patrons import cards, selectors, services
from patrons.forms import CardSelectionForm, CategoryForm, MemberForm, MergeForm, ReasonForm
from patrons.models import Member, MemberStatus
from patrons.services import pins

MEMBER_FIELDSETS = [
    (gettext_lazy("Who"), ["full_name", "category", "nik", "birth_date", "gender", "institution"]),
    (
        gettext_lazy("Contact"),
        ["email", "send_access_link", "phone", "address", "city", "home_branch"],
    ),
    (gettext_lazy("Photo"), ["photo"]),
    (
        gettext_lazy("Parent or guardian (children)"),
        ["guardian_name", "guardian_relationship", "guardian_phone", "guardian_consent"],
    ),
    (
        gettext_lazy("Membership and choices"),
        ["expires_on", "preferred_language", "notify_by_email", "keep_reading_history"],
    ),
]


def fieldsets(form, layout=MEMBER_FIELDSETS) -> list:
    groups = []
    for legend, names in layout:
        fields = [form[name] for name in names if name in form.fields]
        if fields:
            groups.append((legend, fields))
    return groups


def _member_or_404(pk: int) -> Member:
    member = selectors.get_member(pk)
    if member is None:
        raise Http404
    return member


def _warn(request: HttpRequest, member: Member) -> None:
    for warning in selectors.membership_warnings(member):
        messages.warning(request, warning)


# ---------------------------------------------------------------------------------------------
# Find, open, register, change


@staff_required("patrons.view_member")
def member_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    services.record_member_search(query, by=request.user)
    page = Paginator(selectors.search_members(query), 25).get_page(request.GET.get("page"))
    template = "patrons/member_list.html"
    if request.htmx:
        template += "#results"
    query_string = urlencode({"q": query}) if query else ""
    return render(request, template, {"page": page, "query": query, "query_string": query_string})


@staff_required("patrons.view_member")
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(pk)
    services.record_member_viewed(member, by=request.user)
    context = {
        "member": member,
        "summary": selectors.member_summary(member),
        "warnings": selectors.membership_warnings(member),
        "duplicates": selectors.duplicate_candidates(member),
        "reason_form": ReasonForm(),
        "pin_form": KioskPinForm(),
    }
    return render(request, "patrons/member_detail.html", context)


@staff_required("patrons.add_member")
def member_create(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.register_member(form.service_data(), by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Member %(number)s registered.") % {"number": member.number}
            )
            if form.cleaned_data.get("send_access_link") and member.email:
                try:
                    services.send_access_link(
                        member, by=request.user, site_url=request.build_absolute_uri("/")
                    )
                except DomainError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(
                        request,
                        _("A link for online access was sent to %(email)s.")
                        % {"email": member.email},
                    )
            _warn(request, member)
            return redirect("patrons:member-detail", pk=member.pk)
    return render(
        request,
        "patrons/member_form.html",
        {"form": form, "member": None, "fieldsets": fieldsets(form)},
    )


@staff_required("patrons.change_member")
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(pk)
    if request.method != "POST":
        services.record_member_viewed(member, by=request.user)  # the form shows the record
    form = MemberForm(request.POST or None, request.FILES or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.update_member(member, form.service_data(), by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Changes saved."))
            _warn(request, member)
            return redirect("patrons:member-detail", pk=member.pk)
    return render(
        request,
        "patrons/member_form.html",
        {"form": form, "member": member, "fieldsets": fieldsets(form)},
    )


# ---------------------------------------------------------------------------------------------
# Lifecycle: confirm, renew, block, close


def _act(request: HttpRequest, member: Member, action, success: str) -> HttpResponse:
    try:
        action()
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("patrons:member-detail", pk=member.pk)


@require_POST
@staff_required("patrons.change_member")
def member_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(pk)
    return _act(
        request,
        member,
        lambda: services.confirm_member(member, by=request.user),
        _("The registration of %(name)s is confirmed.") % {"name": member.full_name},
    )


@require_POST
@staff_required("patrons.change_member")
def member_access_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a member registered at the desk the link to choose a password."""
    member = _member_or_404(pk)
    return _act(
        request,
        member,
        lambda: services.send_access_link(
            member, by=request.user, site_url=request.build_absolute_uri("/")
        ),
        _("A link for online access was sent to %(email)s.") % {"email": member.email},
    )


@require_POST
@staff_required("patrons.change_member")
def member_renew(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(pk)
    try:
        member = services.renew_membership(member, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if member.expires_on:
            messages.success(
                request,
                _("Membership renewed until %(date)s.")
                % {"date": member.expires_on.strftime("%d-%m-%Y")},
            )
        else:
            messages.success(request, _("Membership renewed; it does not expire."))
    return redirect("patrons:member-detail", pk=member.pk)


def _reason_view(request: HttpRequest, pk: int, *, action, title: str, button: str, done: str):
    member = _member_or_404(pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action(member, form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("patrons:member-detail", pk=member.pk)
    return render(
        request,
        "patrons/reason_form.html",
        {"form": form, "member": member, "title": title, "button": button},
    )


@staff_required("patrons.change_member")
def member_block(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_view(
        request,
        pk,
        action=lambda member, reason: services.block_member(member, reason, by=request.user),
        title=_("Block borrowing"),
        button=_("Block"),
        done=_("Borrowing is blocked."),
    )


@staff_required("patrons.change_member")
def member_unblock(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_view(
        request,
        pk,
        action=lambda member, reason: services.unblock_member(member, reason, by=request.user),
        title=_("Lift the block"),
        button=_("Lift the block"),
        done=_("The block is lifted."),
    )


@staff_required("patrons.change_member")
def member_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_view(
        request,
        pk,
        action=lambda member, reason: services.close_membership(member, reason, by=request.user),
        title=_("Close the membership"),
        button=_("Close the membership"),
        done=_("The membership is closed."),
    )


# ---------------------------------------------------------------------------------------------
# Lists for the desk


@staff_required("patrons.view_member")
def pending_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.pending_registrations(), 50).get_page(request.GET.get("page"))
    services.record_member_list_viewed("pending", by=request.user, count=page.paginator.count)
    return render(request, "patrons/pending_list.html", {"page": page})


@staff_required("patrons.view_member")
def expiring_list(request: HttpRequest) -> HttpResponse:
    days = selectors.EXPIRING_WITHIN_DAYS
    page = Paginator(selectors.expiring_memberships(within_days=days), 50).get_page(
        request.GET.get("page")
    )
    services.record_member_list_viewed("expiring", by=request.user, count=page.paginator.count)
    return render(request, "patrons/expiring_list.html", {"page": page, "days": days})


# ---------------------------------------------------------------------------------------------
# Duplicates


@staff_required("patrons.change_member")
def duplicate_list(request: HttpRequest) -> HttpResponse:
    pairs = selectors.duplicate_pairs()
    services.record_member_list_viewed("duplicates", by=request.user, count=len(pairs))
    return render(request, "patrons/duplicate_list.html", {"pairs": pairs})


@staff_required("patrons.change_member")
def merge_review(request: HttpRequest, first: int, second: int) -> HttpResponse:
    one, other = _member_or_404(first), _member_or_404(second)
    form = MergeForm(request.POST or None, first=one, second=other, initial={"keep": str(one.pk)})
    if request.method == "POST" and form.is_valid():
        kept, duplicate = (one, other) if form.cleaned_data["keep"] == str(one.pk) else (other, one)
        try:
            result = services.merge_members(duplicate, kept, by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(duplicate)s has been merged into %(kept)s.")
                % {"duplicate": result.duplicate.number, "kept": result.kept.number},
            )
            return redirect("patrons:member-detail", pk=result.kept.pk)
    for member in (one, other):
        services.record_member_viewed(member, by=request.user)
    return render(
        request,
        "patrons/merge.html",
        {
            "form": form,
            "pair": [
                (one, selectors.member_summary(one)),
                (other, selectors.member_summary(other)),
            ],
        },
    )


# ---------------------------------------------------------------------------------------------
# Categories


@staff_required("patrons.change_membercategory")
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "patrons/category_list.html", {"categories": selectors.member_categories()}
    )


@staff_required("patrons.change_membercategory")
def category_edit(request: HttpRequest, code: str) -> HttpResponse:
    category = selectors.get_category(code)
    if category is None:
        raise Http404
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_category(category, form.cleaned_data, by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Category rules saved."))
            return redirect("patrons:category-list")
    return render(request, "patrons/category_form.html", {"form": form, "category": category})


# ---------------------------------------------------------------------------------------------
# Cards


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required("patrons.view_member")
def member_card(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(pk)
    if member.status != MemberStatus.ACTIVE:
        messages.error(
            request,
            _("Only active members get a card; this membership is “%(status)s”.")
            % {"status": member.get_status_display()},
        )
        return redirect("patrons:member-detail", pk=member.pk)
    services.record_cards_printed([member], by=request.user)
    library = cards.library_data(get_library())
    pdf = cards.single_cards_pdf([cards.card_data(member)], library)
    return _pdf(pdf, f"kta-{member.number}.pdf")


@staff_required("patrons.view_member")
def card_sheet(request: HttpRequest) -> HttpResponse:
    form = CardSelectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        members = form.cleaned_data["members"]
        services.record_cards_printed(members, by=request.user)
        library = cards.library_data(get_library())
        data = [cards.card_data(member) for member in members]
        if form.cleaned_data["layout"] == CardSelectionForm.LAYOUT_SINGLE:
            pdf = cards.single_cards_pdf(data, library)
        else:
            pdf = cards.card_sheet_pdf(data, library)
        return _pdf(pdf, f"kta-{timezone.localdate():%Y%m%d}.pdf")
    return render(request, "patrons/card_sheet.html", {"form": form})


# ---------------------------------------------------------------------------------------------
# Kiosk (SIP2 self-check) PINs: set by staff, changed by the member. Never shown back.


def _pin_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        min_length=pins.PIN_MIN,
        max_length=pins.PIN_MAX,
        strip=True,
        widget=forms.PasswordInput(
            attrs={"inputmode": "numeric", "autocomplete": "new-password", "pattern": "[0-9]*"}
        ),
        help_text=gettext_lazy("4 to 8 digits."),
    )


class KioskPinForm(forms.Form):
    pin = _pin_field(gettext_lazy("New kiosk PIN"))

    def clean_pin(self) -> str:
        pin = self.cleaned_data["pin"]
        if not pins.valid_pin(pin):
            raise forms.ValidationError(pins.InvalidPinError.message)
        return pin


class OwnKioskPinForm(KioskPinForm):
    current = forms.CharField(
        label=gettext_lazy("Your current PIN or your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    repeat = _pin_field(gettext_lazy("The new PIN again"))

    field_order = ["current", "pin", "repeat"]

    def clean(self):
        data = super().clean()
        if data.get("pin") and data.get("repeat") and data["pin"] != data["repeat"]:
            self.add_error("repeat", _("The two PINs differ."))
        return data


def _form_errors(form: forms.Form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@require_POST
@staff_required("patrons.change_member")
def member_pin(request: HttpRequest, pk: int) -> HttpResponse:
    """Set or reset (or, with `clear`, remove) a member's kiosk PIN; audited by the service."""
    member = _member_or_404(pk)
    if "clear" in request.POST:
        return _act(
            request,
            member,
            lambda: pins.set_pin(member, "", by=request.user),
            _(
                "The kiosk PIN is removed: the member cannot use the self-check until a new "
                "one is set."
            ),
        )
    form = KioskPinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("patrons:member-detail", pk=member.pk)
    return _act(
        request,
        member,
        lambda: pins.set_pin(member, form.cleaned_data["pin"], by=request.user),
        _("The kiosk PIN is set. Tell it to the member; it is not shown again."),
    )


@require_POST
@member_required
def my_kiosk_pin(request: HttpRequest) -> HttpResponse:
    """The member changes their own kiosk PIN, proving it is them with the current PIN or their
    password. A wrong PIN counts towards the PIN's lock, as at a kiosk."""
    back = redirect(f"{reverse('myaccount:home')}#kiosk-pin")
    member = selectors.member_for_user(request.user)
    if member is None or member.status == MemberStatus.MERGED:
        raise Http404
    form = OwnKioskPinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return back
    current = form.cleaned_data["current"]
    proven = (pins.valid_pin(current) and pins.check_pin(member, current)) or (
        request.user.check_password(current)
    )
    if not proven:
        messages.error(request, _("Your current PIN or password is not right."))
        return back
    try:
        pins.set_pin(member, form.cleaned_data["pin"], by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your kiosk PIN is changed."))
    return back
