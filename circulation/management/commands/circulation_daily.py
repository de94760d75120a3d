"""Expire uncollected holds, resume suspended ones, queue today's notices. Safe to run twice.

10 7 * * *  cd /srv/pustaka && .venv/bin/pustaka circulation_daily
"""

import json

from django.core.management.base import BaseCommand

from circulation.daily import run_daily


class Command(BaseCommand):
    help = "The circulation's daily work (holds to expire or resume, notices to send)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(json.dumps(run_daily(), sort_keys=True))
