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
