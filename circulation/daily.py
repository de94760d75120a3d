"""The circulation's daily work: expire uncollected holds (passing their items on), let
suspended holds rejoin their queues, and queue the day's notices. Run by `pustaka scheduler`
(started by `pustaka serve`) or from cron with `pustaka circulation_daily`. Safe to run twice."""

from __future__ import annotations

import datetime as dt


def run_daily(at: dt.datetime | None = None) -> dict[str, int]:
    from circulation import notices, services

    expired = services.expire_uncollected_holds(at=at)
    resumed = services.resume_due_suspensions(at=at)
    run = notices.queue_due_notices(at)
    requeued = notices.requeue_stuck_notices()
    return {
        "holds_expired": expired,
        "holds_resumed": resumed,
        **run.as_dict(),
        "requeued": requeued,
    }
