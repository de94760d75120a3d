"""Run the daily jobs (core/scheduling.py) at their local times until stopped. With --once,
run every job now and exit (for a test or a missed day)."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from core.scheduling import JOBS, next_run
from core.selectors import get_library


class Command(BaseCommand):
    help = "Run Pustaka's daily jobs at their times (started by `pustaka serve`)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job now, then exit")

    def handle(self, *args, once: bool = False, **options) -> None:
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
        timezone.activate(get_library().zone)
        due = {job.name: next_run(job, timezone.localtime()) for job in JOBS}
        while not stopping:
            now = timezone.localtime()
            for job in JOBS:
                if now >= due[job.name]:
                    close_old_connections()
                    try:
                        self.stdout.write(f"{job.name}: {job.run()}")
                    except Exception as error:  # noqa: BLE001 - logged; tomorrow is another try
                        self.stderr.write(f"{job.name} failed: {error}")
                    due[job.name] = next_run(job, timezone.localtime())
            time.sleep(1)
