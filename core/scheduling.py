"""Daily jobs, run at a set local time by `pustaka scheduler` (which `pustaka serve` starts).

An install with cron may run the jobs' own commands instead and start `serve --no-scheduler`.
Each job must be safe to run twice (a restart near the hour may run it again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DailyJob:
    name: str
    at: dt.time  # the library's local time
    run: Callable[[], object]


def _circulation() -> object:
    from circulation.daily import run_daily

    return run_daily()


JOBS = [DailyJob("circulation", dt.time(7, 10), _circulation)]


def next_run(job: DailyJob, now: dt.datetime) -> dt.datetime:
    """The next moment (aware, local) at which `job` is due after `now`."""
    candidate = now.replace(hour=job.at.hour, minute=job.at.minute, second=0, microsecond=0)
    if candidate <= now:
        candidate += dt.timedelta(days=1)
    return candidate
