from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.navigation import staff_links_for
from core.selectors import get_library


def pustaka(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "library": SimpleLazyObject(get_library),
        "staff_sections": SimpleLazyObject(lambda: staff_links_for(user)),
    }
