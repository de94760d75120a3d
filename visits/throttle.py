"""Rate limits for the kiosk, which anyone can reach without signing in: submissions per
address per minute, and unknown card numbers per address per ten minutes (so that nobody can
try numbers to learn whose they are).

Counted in the cache: shared by every process with Redis; per process on the embedded install,
where the limit is then per web worker (still bounded)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

DEFAULTS = {
    "PUSTAKA_VISIT_KIOSK_PER_MINUTE": 30,
    "PUSTAKA_VISIT_UNKNOWN_CARDS_PER_10_MINUTES": 10,
}


def _limit(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


def _key(scope: str, ident: str, window: int) -> str:
    return f"visits:throttle:{scope}:{ident}:{int(time.time() // window)}"


def _count(scope: str, ident: str, window: int, *, add: bool) -> int:
    key = _key(scope, ident, window)
    if not add:
        return int(cache.get(key, 0))
    if cache.add(key, 1, window + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window + 5)
        return 1


def allow_submission(ident: str | None) -> bool:
    """Count one kiosk submission from this address; False when over the limit."""
    ident = ident or "unknown"
    if _count("unknown-card", ident, 600, add=False) >= _limit(
        "PUSTAKA_VISIT_UNKNOWN_CARDS_PER_10_MINUTES"
    ):
        return False
    return _count("submit", ident, 60, add=True) <= _limit("PUSTAKA_VISIT_KIOSK_PER_MINUTE")


def note_unknown_card(ident: str | None) -> None:
    _count("unknown-card", ident or "unknown", 600, add=True)
