"""Sign-in (with the second factor), sign-out, the account page and two-factor set-up."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login

from accounts import services, twofactor
from accounts.decorators import member_required
from accounts.errors import SignInLockedError, SignInTooSoonError
from accounts.forms import CodeForm, PasswordResetForm, SignInForm
from accounts.roles import is_staff_member, requires_two_factor, roles_of
from core.errors import DomainError
from core.http import client_ip, safe_next_url

PENDING_USER = "pustaka_pending_user"
PENDING_AT = "pustaka_pending_at"
PENDING_NEXT = "pustaka_pending_next"
# Between the password and the code, at most this many seconds.
PENDING_SECONDS = 300


def _default_next(user) -> str:
    return reverse("core:staff-home") if is_staff_member(user) else reverse("accounts:home")


def _complete_sign_in(request: HttpRequest, user, *, device, next_url: str | None) -> HttpResponse:
    for key in (PENDING_USER, PENDING_AT, PENDING_NEXT):
        request.session.pop(key, None)
    auth_login(request, user, backend="accounts.backends.UsernameOrEmailBackend")
    if device is not None:
        otp_login(request, device)
    if is_staff_member(user):
        request.session.set_expiry(settings.PUSTAKA_STAFF_SESSION_HOURS * 3600)
    services.signed_in(user, second_factor=device is not None)
    response = redirect(safe_next_url(request, next_url, _default_next(user)))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.preferred_language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response


def _pending_user(request: HttpRequest):
    pk = request.session.get(PENDING_USER)
    started = request.session.get(PENDING_AT, 0)
    if not pk or time.time() - started > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated and request.method == "GET" and not next_url:
        return redirect(_default_next(request.user))
    # Signed in but sent here by a page that needs another account (or a second factor): the
    # form is shown with a note, rather than bouncing back and forth.
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            step = services.check_password_step(
                form.cleaned_data["username"],
                form.cleaned_data["password"],
                address=client_ip(request),
            )
        except (SignInLockedError, SignInTooSoonError) as error:
            form.add_error(None, str(error))
            status = 429
        except DomainError as error:
            form.add_error(None, str(error))
            status = 401
        else:
            if not step.needs_second_factor:
                return _complete_sign_in(request, step.user, device=None, next_url=next_url)
            request.session.cycle_key()
            request.session[PENDING_USER] = step.user.pk
            request.session[PENDING_AT] = time.time()
            request.session[PENDING_NEXT] = next_url
            target = "accounts:two-factor-setup" if step.needs_enrolment else "accounts:verify"
            return redirect(target)
    return render(
        request,
        "accounts/sign_in.html",
        {
            "form": form,
            "next": next_url,
            "expired": request.GET.get("expired") == "1",
        },
        status=status,
    )


def verify(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.check_second_factor(
                user, form.cleaned_data["code"], address=client_ip(request)
            )
        except (SignInLockedError, SignInTooSoonError) as error:
            form.add_error(None, str(error))
            status = 429
        except DomainError as error:
            form.add_error("code", str(error))
            status = 401
        else:
            return _complete_sign_in(
                request, user, device=device, next_url=request.session.get(PENDING_NEXT)
            )
    return render(
        request, "accounts/verify.html", {"form": form, "pending_user": user}, status=status
    )


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: during sign-in when the role requires it, or from the
    account page when the user chooses to."""
    signing_in = not request.user.is_authenticated
    user = _pending_user(request) if signing_in else request.user
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    has_device = twofactor.has_two_factor(user)
    if signing_in and has_device:
        # Someone who already has an authenticator proves it; they cannot enrol a new one
        # half-way through signing in.
        return redirect("accounts:verify")
    if not signing_in and has_device and not user.is_verified():
        return redirect("accounts:login")
    if request.method == "GET" or twofactor.pending_device(user) is None:
        device = twofactor.start_enrolment(user)
    else:
        device = twofactor.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_two_factor(user, device, form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", str(error))
        else:
            if signing_in:
                return _complete_sign_in(
                    request, user, device=device, next_url=request.session.get(PENDING_NEXT)
                )
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("accounts:home")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": twofactor.qr_svg(device),
            "secret": twofactor.secret_base32(device),
            "required": requires_two_factor(user),
            "signing_in": signing_in,
        },
    )


@require_POST
@member_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    try:
        services.disable_two_factor(request.user, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("accounts:home")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.signed_out(request.user)
    auth_logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("core:home")


@member_required
def account_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account_home.html",
        {
            "roles": sorted(r.label for r in roles_of(user)),
            "has_two_factor": twofactor.has_two_factor(user),
            "two_factor_required": requires_two_factor(user),
        },
    )


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (POST, remembers the choice in a cookie), and for a signed-in
    user also in their account, so the choice follows them to another device."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and language in dict(settings.LANGUAGES):
        services.set_preferred_language(request.user, language)
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_valid(self, form):
        from core.selectors import get_library

        self.extra_email_context = {"site_name": get_library().name}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
