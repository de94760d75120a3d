from django.core.management.base import BaseCommand

from accounts.services import unlock_sign_in


class Command(BaseCommand):
    help = "Clear the failed sign-in count and lock of an account."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        cleared = unlock_sign_in(username, by=None)
        self.stdout.write(f"{username}: {'unlocked' if cleared else 'was not locked'}")
