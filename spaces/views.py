"""Pages of spaces: the member's booking pages (phone first) and the staff day sheet."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from accounts.decorators import staff_required


@staff_required("spaces.view_booking")
def staff_day(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
