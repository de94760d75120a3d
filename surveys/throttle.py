"""Rate limits for guests answering surveys: responses per address per ten minutes, counted in
the cache (shared with Redis; per process on the embedded install)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

DEFAULT_PER_10_MINUTES = 10


def allow_guest_response(ident: str | None) -> bool:
    """Count one guest submission from this address; False when over the limit."""
    limit = int(getattr(settings, "PUSTAKA_SURVEY_GUEST_PER_10_MINUTES", DEFAULT_PER_10_MINUTES))
    key = f"surveys:throttle:{ident or 'unknown'}:{int(time.time() // 600)}"
    if cache.add(key, 1, 605):
        return limit >= 1
    try:
        return cache.incr(key) <= limit
    except ValueError:
        cache.add(key, 1, 605)
        return True
