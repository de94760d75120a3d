"""Public pages (/join/): self-registration, the confirmation link, and the member's digital
card."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.decorators import member_required
from core.errors import DomainError
from patrons import codes, selectors, services
from patrons.errors import ConfirmationLinkExpiredError, SignupTooOftenError
from patrons.forms import AccessRequestForm, PublicRegistrationForm
from patrons.models import MemberStatus
from patrons.views import fieldsets


def _public_fieldsets(form):
    from django.utils.translation import gettext_lazy

    return fieldsets(
        form,
        [
            (gettext_lazy("About you"), ["full_name", "category", "nik", "birth_date", "gender"]),
            (
                gettext_lazy("How to reach you"),
                ["email", "phone", "address", "city", "institution", "home_branch"],
            ),
            (gettext_lazy("Photo"), ["photo"]),
            (
                gettext_lazy("For children: parent or guardian"),
                ["guardian_name", "guardian_relationship", "guardian_phone", "guardian_consent"],
            ),
            (
                gettext_lazy("Your account"),
                ["password1", "password2", "keep_reading_history"],
            ),
        ],
    )


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@never_cache
def join(request: HttpRequest) -> HttpResponse:
    if selectors.member_for_user(request.user) is not None:
        return redirect("registration:card")  # already a member
    form = PublicRegistrationForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        try:
            services.note_signup_attempt()
        except SignupTooOftenError as error:
            form.is_valid()  # bind, so the page shows what was typed
            form.errors.clear()
            form.add_error(None, str(error))
            status = 429
        else:
            if form.is_bot:
                # Say nothing that helps a program learn; nothing is stored.
                return redirect("registration:sent")
            if form.is_valid():
                try:
                    member = services.self_register(
                        form.service_data(),
                        password=form.cleaned_data["password2"],
                        site_url=_site_url(request),
                    )
                except DomainError as error:
                    form.add_error(None, str(error))
                else:
                    for warning in selectors.membership_warnings(member):
                        messages.warning(request, warning)
                    request.session["registered_member"] = member.number
                    return redirect("registration:sent")
    return render(
        request,
        "patrons/join.html",
        {"form": form, "fieldsets": _public_fieldsets(form)},
        status=status,
    )


def join_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "patrons/join_sent.html",
        {"number": request.session.get("registered_member"), "days": services.CONFIRMATION_DAYS},
    )


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST confirms (mail scanners that open links confirm nothing)."""
    context: dict = {"token": token, "days": services.CONFIRMATION_DAYS}
    try:
        member = services.member_for_token(token)
    except DomainError as error:
        context["error"] = str(error)
        return render(request, "patrons/confirm.html", context, status=400)
    context["member"] = member
    if request.method == "POST":
        try:
            member = services.confirm_registration(token)
        except ConfirmationLinkExpiredError as error:
            context.update(error=str(error), expired=True)
            return render(request, "patrons/confirm.html", context, status=400)
        except DomainError as error:
            context["error"] = str(error)
            return render(request, "patrons/confirm.html", context, status=400)
        context.update(member=member, confirmed=True)
    elif member.status == MemberStatus.ACTIVE:
        context["confirmed"] = True
    return render(request, "patrons/confirm.html", context)


def resend(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("registration:confirm", token=token)
    try:
        services.resend_confirmation(token, site_url=_site_url(request))
    except DomainError as error:
        return render(
            request, "patrons/confirm.html", {"token": token, "error": str(error)}, status=400
        )
    return render(request, "patrons/confirm.html", {"token": token, "resent": True})


@never_cache
def access_request(request: HttpRequest) -> HttpResponse:
    """Online access for a member registered at the desk: the link goes to the e-mail on
    record, and the page says the same whether or not the details matched."""
    form = AccessRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_bot:
            return render(request, "patrons/access_request.html", {"sent": True})
        if form.is_valid():
            try:
                services.request_access_link(
                    form.cleaned_data["number"],
                    form.cleaned_data["email"],
                    site_url=_site_url(request),
                )
            except SignupTooOftenError as error:
                form.add_error(None, str(error))
                status = 429
            else:
                return render(
                    request,
                    "patrons/access_request.html",
                    {"sent": True, "days": services.ACCESS_DAYS},
                )
    return render(request, "patrons/access_request.html", {"form": form}, status=status)


@never_cache
def access_set_password(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the password form (opening the link changes nothing); POST creates the
    account."""
    from django.contrib.auth.forms import SetPasswordForm

    try:
        member = services.member_for_access_token(token)
    except DomainError as error:
        return render(request, "patrons/access_set.html", {"error": str(error)}, status=400)
    form = SetPasswordForm(None, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_online_access(token, password=form.cleaned_data["new_password1"])
        except DomainError as error:
            return render(request, "patrons/access_set.html", {"error": str(error)}, status=400)
        messages.success(
            request,
            _("Your online access is ready. Sign in with your member number %(number)s.")
            % {"number": member.number},
        )
        return redirect("accounts:login")
    return render(request, "patrons/access_set.html", {"form": form, "member": member})


@member_required
def digital_card(request: HttpRequest) -> HttpResponse:
    """The member card on the phone: the desk scans the barcode or the QR code."""
    member = selectors.member_for_user(request.user)
    context: dict = {"member": member}
    if member is not None and member.status != MemberStatus.MERGED:
        context["barcode"] = codes.code128_svg(
            member.number,
            label=_("Barcode of member number %(number)s") % {"number": member.number},
        )
        context["qr"] = codes.qr_svg(
            member.number,
            label=_("QR code of member number %(number)s") % {"number": member.number},
        )
        context["blocks"] = selectors.member_summary(member).blocks
    response = render(request, "patrons/digital_card.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
