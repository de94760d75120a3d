"""Rate limits on public submissions (questions, replies from the signed link, and later
feedback): per address and per signed-in user, counted in the cache (see visits/throttle.py)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

DEFAULT_PER_HOUR = 10


def _limit() -> int:
    return int(getattr(settings, "PUSTAKA_CONVERSATIONS_PER_HOUR", DEFAULT_PER_HOUR))


def allow(scope: str, ident: str | None) -> bool:
    """Count one submission from `ident` (an address or "user:<pk>"); False when over."""
    key = f"conversations:throttle:{scope}:{ident or 'unknown'}:{int(time.time() // 3600)}"
    if cache.add(key, 1, 3600 + 5):
        return True
    try:
        return cache.incr(key) <= _limit()
    except ValueError:
        cache.add(key, 1, 3600 + 5)
        return True


def allow_request(request, scope: str) -> bool:
    """Count one submission from the request's address and, when signed in, its user."""
    from core.http import client_ip

    ok = allow(scope, client_ip(request))
    if request.user.is_authenticated:
        ok = allow(scope, f"user:{request.user.pk}") and ok
    return ok
