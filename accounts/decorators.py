"""View guards. Services check permissions again; these give the right page for each case:
not signed in (or session expired) -> the sign-in page; signed in without the right -> 403."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect, resolve_url

from accounts.roles import is_staff_member
from accounts.twofactor import needs_second_factor


def redirect_to_sign_in(request: HttpRequest):
    params = {"next": request.get_full_path()}
    if getattr(request, "session_expired", False):
        params["expired"] = "1"
    return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode(params)}")


def member_required(view):
    """Any signed-in user."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_sign_in(request)
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(permission: str | None = None):
    """A signed-in staff member, verified with a second factor when they need one, holding
    `permission` when given."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_sign_in(request)
            if not is_staff_member(user):
                raise PermissionDenied
            if not user.is_verified() and needs_second_factor(user):
                return redirect_to_sign_in(request)
            if permission and not user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
