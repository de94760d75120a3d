"""Run the jobs of core/scheduling.py until stopped: daily jobs at their local times, interval
jobs every few minutes. With --once, run every job now and exit (for a test or a missed day);
with --list, show each job and when it runs next."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from core.scheduling import JOBS, first_runs, next_run, run_due
from core.selectors import get_library


class Command(BaseCommand):
    help = "Run Pustaka's daily and interval jobs at their times (started by `pustaka serve`)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job now, then exit")
        parser.add_argument(
            "--list", action="store_true", help="show the jobs and when each runs next"
        )

    def handle(self, *args, once: bool = False, list: bool = False, **options) -> None:  # noqa: A002
        timezone.activate(get_library().zone)
        if list:
            now = timezone.localtime()
            for job in JOBS:
                when = next_run(job, now)
                self.stdout.write(f"{job.name}: {job.describe()}, next {when:%Y-%m-%d %H:%M}")
            return
        if once:
            for job in JOBS:
                self.stdout.write(f"{job.name}: {job.run()}")
            return
        stopping = False

        def stop(*_args) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        due = first_runs(JOBS, timezone.localtime())
        while not stopping:
            now = timezone.localtime()
            if any(now >= when for when in due.values()) or len(due) != len(JOBS):
                close_old_connections()
                run_due(
                    JOBS,
                    due,
                    now,
                    clock=timezone.localtime,
                    report=lambda name, result: self.stdout.write(f"{name}: {result}"),
                    fail=lambda name, error: self.stderr.write(f"{name} failed: {error}"),
                )
            time.sleep(1)
