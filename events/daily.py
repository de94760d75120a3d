"""The events' periodic work: expire seat offers not confirmed in time (passing the seats on)
and send tomorrow's reminders. Run by `pustaka scheduler` (registered from EventsConfig.ready)
or from cron, as often as wanted, with `pustaka events_daily`. Safe to run twice."""

from __future__ import annotations

import datetime as dt


def run_daily(at: dt.datetime | None = None) -> dict[str, int]:
    from events import reminders, services

    return {
        "offers_expired": services.expire_offers(at=at),
        "reminders": reminders.queue_reminders(at=at),
    }
