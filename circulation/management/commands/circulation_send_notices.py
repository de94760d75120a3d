"""Queue today's notices (due soon, overdue, holds about to expire, memberships about to expire)
and hand them to the worker. Run it daily from cron; running it twice sends nothing twice.

    15 7 * * *  cd /srv/pustaka && .venv/bin/pustaka circulation_send_notices
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from circulation.models import NoticeKind


class Command(BaseCommand):
    help = "Queue today's notices to members (each exactly once) for the background worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--at",
            help="Act as if it were this moment (ISO 8601, e.g. 2026-12-01T07:00+08:00).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be queued; change nothing."
        )

    def handle(self, *args, at=None, dry_run=False, **options) -> None:
        from circulation.notices import queue_due_notices, requeue_stuck_notices

        moment = None
        if at:
            moment = parse_datetime(at)
            if moment is None:
                raise CommandError(f"--at: {at!r} is not a date and time (ISO 8601).")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        run = queue_due_notices(moment, dry_run=dry_run)
        verb = "would queue" if dry_run else "queued"
        for kind in NoticeKind:
            queued, existing = run.queued[kind], run.existing[kind]
            failed = run.failed[kind]
            if queued or existing or failed:
                line = f"{kind.label}: {verb} {queued}, already queued earlier {existing}"
                if failed:
                    line += f", could not queue {failed} (see the log)"
                self.stdout.write(line)
        total = sum(run.queued.values())
        self.stdout.write(self.style.SUCCESS(f"{verb} {total} notices in all"))
        if not dry_run:
            requeued = requeue_stuck_notices(at=moment or timezone.now())
            if requeued:
                self.stdout.write(f"handed {requeued} stuck notices to the worker again")
        if sum(run.failed.values()):
            raise CommandError("some notices could not be queued; see the log")
