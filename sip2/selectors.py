from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from sip2.models import SipAccount, SipConnection, SipDailyCount

# A server process renews its connections' `seen_at` every 5 seconds: rows older than this
# belong to a process that no longer runs.
LIVE_FOR = dt.timedelta(seconds=60)


def live_connections() -> QuerySet[SipConnection]:
    return SipConnection.objects.filter(seen_at__gte=timezone.now() - LIVE_FOR)


def get_account(pk: int) -> SipAccount | None:
    return SipAccount.objects.select_related("branch").filter(pk=pk).first()


def accounts_with_activity() -> QuerySet[SipAccount]:
    """Every account with today's counts per message type (`today_counts`) and its open
    connections (`connections`, over all the server's processes)."""
    today = timezone.localdate()
    live = Q(open_rows__seen_at__gte=timezone.now() - LIVE_FOR)
    return (
        SipAccount.objects.select_related("branch", "acting_user")
        .annotate(connections=Count("open_rows", filter=live))
        .prefetch_related(
            Prefetch(
                "counts",
                queryset=SipDailyCount.objects.filter(day=today).order_by("code"),
                to_attr="today_counts",
            )
        )
    )


def today_totals() -> dict[str, int]:
    totals = SipDailyCount.objects.filter(day=timezone.localdate()).aggregate(
        messages=Sum("count"), errors=Sum("errors")
    )
    return {name: value or 0 for name, value in totals.items()}
