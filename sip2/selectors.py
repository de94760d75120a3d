from __future__ import annotations

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from sip2.models import SipAccount, SipDailyCount


def get_account(pk: int) -> SipAccount | None:
    return SipAccount.objects.select_related("branch").filter(pk=pk).first()


def accounts_with_activity() -> QuerySet[SipAccount]:
    """Every account with today's counts per message type (`today_counts`)."""
    today = timezone.localdate()
    return SipAccount.objects.select_related("branch", "acting_user").prefetch_related(
        Prefetch(
            "counts",
            queryset=SipDailyCount.objects.filter(day=today).order_by("code"),
            to_attr="today_counts",
        )
    )


def today_totals() -> dict[str, int]:
    totals = SipDailyCount.objects.filter(day=timezone.localdate()).aggregate(
        messages=Sum("count"), errors=Sum("errors")
    )
    return {name: value or 0 for name, value in totals.items()}
