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
