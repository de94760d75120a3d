from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Expire unconfirmed seat offers (passing seats on) and send tomorrow's reminders."

    def handle(self, *args, **options):
        from events.daily import run_daily

        for key, value in run_daily().items():
            self.stdout.write(f"{key}: {value}")
