from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import ApiToken, hash_token


def get_valid_api_token(raw: str, *, at: dt.datetime | None = None) -> ApiToken | None:
    """The token for a raw bearer value, if it exists, has not expired and its user is active."""
    if not raw or not raw.startswith("pus_"):
        return None
    at = at or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), expires_at__gt=at, user__is_active=True)
        .first()
    )
    return token
