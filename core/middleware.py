"""Request-wide context: language, the library's time zone, audit metadata, expired sessions."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from core.context import RequestMeta, request_context
from core.http import client_ip
from core.selectors import get_library

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware:
    """Indonesian unless the visitor chose otherwise (the language cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language on purpose:
    Pustaka speaks Indonesian first, and English when asked. The API is the exception: an
    app states its user's language in Accept-Language, as HTTP clients do.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen in SUPPORTED_LANGUAGES:
            language = chosen
        elif request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
            if language not in SUPPORTED_LANGUAGES:
                language = settings.LANGUAGE_CODE
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(
            response,
            ("Cookie", "Accept-Language") if request.path.startswith("/api/") else ("Cookie",),
        )
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A session cookie whose session is gone means the session expired (or was ended
        # elsewhere); sign-in pages say so instead of silently asking again.
        expired = False
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            request.session.keys()  # loads it; an unknown or expired session leaves no key
            expired = request.session.session_key is None
        request.session_expired = expired  # type: ignore[attr-defined]
        meta = RequestMeta(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            path=request.get_full_path(),
        )
        timezone.activate(get_library().zone)
        try:
            with request_context(meta):
                return self.get_response(request)
        finally:
            timezone.deactivate()


class NulCharacterMiddleware:
    """No text Pustaka keeps may contain a NUL character, and PostgreSQL refuses one outright
    (a lookup with one was a server error). In a query string (pages and the API, whose schema
    allows any string) and in an API JSON body, a NUL becomes U+FFFD, the replacement
    character: a search or lookup then finds nothing and says so, as for any other garbage,
    and a text keeps a visible mark. An address with one is not found. Forms reject it
    themselves (Django's `ProhibitNullCharactersValidator`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path_info.startswith("/api/")
        if "\x00" in request.path_info:
            if api:
                from django.http import JsonResponse
                from django.utils.translation import gettext as _

                return JsonResponse(
                    {"code": "not_found", "message": _("There is nothing at this address.")},
                    status=404,
                )
            from core.views import page_not_found

            return page_not_found(request)
        if any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()):
            from django.http import QueryDict

            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(_clean(key), [_clean(v) for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        if api and request.content_type == "application/json":
            import json

            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                body = None  # unreadable: the API says so itself
            if _has_nul(body):
                request._body = json.dumps(_clean(body)).encode()
        return self.get_response(request)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _clean(value):
    """`value` with every NUL character replaced by U+FFFD, at any depth."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
