"""The scheduler's clock: daily jobs at their local time, interval jobs on their grid from
midnight, each run once however long the machine slept, a failing job tried again later."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.management import call_command

from core.scheduling import JOBS, DailyJob, IntervalJob, first_runs, next_run, run_due

WITA = zoneinfo.ZoneInfo("Asia/Makassar")


def at(hour: int, minute: int = 0, second: int = 0, day: int = 23) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=WITA)


def every_five(calls: list) -> IntervalJob:
    return IntervalJob("five", dt.timedelta(minutes=5), lambda: calls.append(1) or len(calls))


def test_an_interval_job_is_due_on_its_grid_from_midnight():
    job = every_five([])
    assert next_run(job, at(10, 2, 30)) == at(10, 5)
    assert next_run(job, at(10, 5)) == at(10, 10)  # strictly after: not twice at 10.05
    assert next_run(job, at(23, 58)) == at(0, 0, day=24)


def test_an_interval_job_of_a_day_or_more_counts_from_now():
    job = IntervalJob("slow", dt.timedelta(days=2), lambda: None)
    assert next_run(job, at(10, 2)) == at(10, 2, day=25)


def test_an_interval_below_a_minute_is_refused():
    with pytest.raises(ValueError, match="once a minute"):
        IntervalJob("busy", dt.timedelta(seconds=10), lambda: None)


def test_a_daily_job_still_runs_once_a_day_at_its_time():
    job = DailyJob("morning", dt.time(7, 10), lambda: None)
    assert next_run(job, at(6)) == at(7, 10)
    assert next_run(job, at(7, 10)) == at(7, 10, day=24)


def test_due_jobs_run_once_and_move_on_even_after_a_long_sleep():
    calls: list = []
    daily_calls: list = []
    jobs = [
        every_five(calls),
        DailyJob("morning", dt.time(7, 10), lambda: daily_calls.append(1)),
    ]
    due = first_runs(jobs, at(7, 1))
    assert due == {"five": at(7, 5), "morning": at(7, 10)}
    reported: list = []

    def tick(now):
        return run_due(
            jobs,
            due,
            now,
            clock=lambda: now,
            report=lambda name, result: reported.append(name),
            fail=lambda name, error: None,
        )

    assert tick(at(7, 4, 59)) == []
    assert tick(at(7, 5)) == ["five"]
    assert tick(at(7, 5, 1)) == []  # the same second again: not twice
    # The machine slept 40 minutes: each job runs once, then waits for its next time.
    assert tick(at(7, 45, 3)) == ["five", "morning"]
    assert due == {"five": at(7, 50), "morning": at(7, 10, day=24)}
    assert len(calls) == 2 and len(daily_calls) == 1 and reported == ["five", "five", "morning"]


def test_a_failing_job_is_reported_and_tried_at_its_next_time():
    def broken():
        raise RuntimeError("database away")

    jobs = [IntervalJob("broken", dt.timedelta(minutes=5), broken)]
    due = first_runs(jobs, at(9))
    failures: list = []
    ran = run_due(
        jobs,
        due,
        at(9, 5),
        clock=lambda: at(9, 5, 2),
        report=lambda name, result: None,
        fail=lambda name, error: failures.append((name, str(error))),
    )
    assert ran == ["broken"] and failures == [("broken", "database away")]
    assert due["broken"] == at(9, 10)


def test_spaces_release_and_event_offers_run_every_few_minutes():
    intervals = {job.name: job.every for job in JOBS if isinstance(job, IntervalJob)}
    assert intervals["spaces-release"] == dt.timedelta(minutes=5)
    assert intervals["events-offers"] == dt.timedelta(minutes=15)
    assert len({job.name for job in JOBS}) == len(JOBS)


@pytest.mark.django_db
def test_scheduler_once_runs_the_interval_jobs_too(library, capsys):
    call_command("scheduler", "--once")
    out = capsys.readouterr().out
    assert "spaces-release: {'released': 0}" in out
    assert "events-offers: {'offers_expired': 0}" in out


@pytest.mark.django_db
def test_scheduler_lists_each_job_and_its_next_time(library, capsys):
    call_command("scheduler", "--list")
    out = capsys.readouterr().out
    assert "spaces-release: every 5 min, next " in out
    assert "circulation: daily at 07:10, next " in out
