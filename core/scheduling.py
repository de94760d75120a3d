"""Jobs run by `pustaka scheduler` (which `pustaka serve` starts): daily jobs at a set local time,
and interval jobs every few minutes.

A `DailyJob` runs once a day at its local time (circulation's holds and notices, the events'
reminders, the conversations' digest). An `IntervalJob` runs every `every` (spaces releasing
bookings not checked in, events passing on seat offers not confirmed in time); its times are
counted from local midnight (every 5 minutes: at :00, :05, :10 …), so a restart neither skips
nor bunches runs, and it does not run at start-up. Apps add their jobs to `JOBS` from their
AppConfig.ready(), once per name.

Each job must be safe to run twice: a restart near its time, two schedulers by mistake or a cron
line running the same command may run it again. A job that fails is reported and tried again at
its next time. An install with cron may run the jobs' own commands instead (`circulation_daily`,
`events_daily`, `spaces_release` …) and start `serve --no-scheduler`; `scheduler --once` runs
every job now, `scheduler --list` shows when each runs next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DailyJob:
    name: str
    at: dt.time  # the library's local time
    run: Callable[[], object]

    def describe(self) -> str:
        return f"daily at {self.at:%H:%M}"


@dataclass(frozen=True)
class IntervalJob:
    name: str
    every: dt.timedelta  # at least a minute
    run: Callable[[], object]

    def __post_init__(self) -> None:
        if self.every < dt.timedelta(minutes=1):
            raise ValueError(f"{self.name}: an interval job runs at most once a minute")

    def describe(self) -> str:
        return f"every {int(self.every.total_seconds() // 60)} min"


Job = DailyJob | IntervalJob


def _circulation() -> object:
    from circulation.daily import run_daily

    return run_daily()


def _event_offers() -> object:
    """Seat offers not confirmed in time expire and pass to the next people waiting (the daily
    events job does this too; more often, a freed seat reaches the waiting list sooner)."""
    from events.services import expire_offers

    return {"offers_expired": expire_offers()}


def _tasks() -> object:
    from core.tasks import prune_finished_tasks

    return {"finished_tasks_deleted": prune_finished_tasks()}


JOBS: list[Job] = [
    DailyJob("tasks", dt.time(6, 50), _tasks),
    DailyJob("circulation", dt.time(7, 10), _circulation),
    IntervalJob("events-offers", dt.timedelta(minutes=15), _event_offers),
]


def next_run(job: Job, now: dt.datetime) -> dt.datetime:
    """The next moment (aware, in `now`'s zone) strictly after `now` at which `job` is due."""
    if isinstance(job, IntervalJob):
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if job.every >= dt.timedelta(days=1):
            return now + job.every
        passed = (now - midnight) // job.every
        return midnight + (passed + 1) * job.every
    candidate = now.replace(hour=job.at.hour, minute=job.at.minute, second=0, microsecond=0)
    if candidate <= now:
        candidate += dt.timedelta(days=1)
    return candidate


def first_runs(jobs: list[Job], now: dt.datetime) -> dict[str, dt.datetime]:
    """When each job is first due after the scheduler starts at `now`."""
    return {job.name: next_run(job, now) for job in jobs}


def run_due(
    jobs: list[Job],
    due: dict[str, dt.datetime],
    now: dt.datetime,
    *,
    clock: Callable[[], dt.datetime],
    report: Callable[[str, object], None],
    fail: Callable[[str, Exception], None],
) -> list[str]:
    """Run every job whose time has come (once, however many of its times were missed while the
    machine slept) and move its time on, counted from `clock()` after the run. Returns the names
    of the jobs run. A job added while running (an app loaded late) starts at its next time."""
    ran = []
    for job in jobs:
        when = due.setdefault(job.name, next_run(job, now))
        if now < when:
            continue
        try:
            report(job.name, job.run())
        except Exception as error:  # noqa: BLE001 - reported; the next time is another try
            fail(job.name, error)
        due[job.name] = next_run(job, clock())
        ran.append(job.name)
    return ran
