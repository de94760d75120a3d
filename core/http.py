"""Small request helpers shared by views and middleware."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind N trusted proxies (PUSTAKA_PROXY_COUNT), the Nth from the
    right of X-Forwarded-For; otherwise REMOTE_ADDR. Anything that is not an IP gives None."""
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "PUSTAKA_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def safe_next_url(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    """`candidate` if it points back into this site, else `fallback` (no open redirects)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback
