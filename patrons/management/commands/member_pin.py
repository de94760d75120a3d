"""`pustaka member_pin NUMBER [--pin 1234 | --clear]`: set a member's kiosk (SIP2) PIN."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from patrons.selectors import get_member_by_number
from patrons.services.pins import set_pin


class Command(BaseCommand):
    help = "Set or clear a member's PIN for self-check kiosks."

    def add_arguments(self, parser):
        parser.add_argument("number", help="member number")
        parser.add_argument("--pin", help="asked for when not given")
        parser.add_argument("--clear", action="store_true")

    def handle(self, *args, number, pin, clear, **options):
        member = get_member_by_number(number)
        if member is None:
            raise CommandError(f"No member with number {number!r}.")
        pin = "" if clear else (pin or getpass.getpass("PIN: "))
        try:
            set_pin(member, pin, by=None)
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"PIN {'cleared' if clear else 'set'} for {member.number}.")
