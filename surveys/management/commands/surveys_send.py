from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Send feedback surveys to everyone checked in at events that ended, and surveys to "
        "askers whose questions were closed (safe to run twice: nobody is invited twice)."
    )

    def handle(self, *args, **options):
        from surveys.sending import run_sweeps

        result = run_sweeps()
        self.stdout.write(f"event attendees invited: {result.event_invitations}")
        self.stdout.write(f"question askers invited: {result.question_invitations}")
