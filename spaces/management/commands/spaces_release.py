"""Release bookings not checked in within their window. `pustaka scheduler` does this every 5
minutes (and each new booking releases its own space first); run this from cron instead when the
scheduler is not started (`serve --no-scheduler`)."""

from django.core.management.base import BaseCommand

from spaces.services import release_no_shows


class Command(BaseCommand):
    help = "Release space bookings that were not checked in in time (no-shows)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"released: {release_no_shows()}")
