"""Release bookings not checked in within their window (run every few minutes from cron;
`pustaka scheduler` also sweeps nightly, and each new booking releases its own space first)."""

from django.core.management.base import BaseCommand

from spaces.services import release_no_shows


class Command(BaseCommand):
    help = "Release space bookings that were not checked in in time (no-shows)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"released: {release_no_shows()}")
