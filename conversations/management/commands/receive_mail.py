"""Replies by e-mail to ask-a-librarian threads (conversations/inbound.py).

    pustaka receive_mail < message.eml          one message from standard input: the command
                                                 for the mail server's pipe (as rt-mailgate)
    pustaka receive_mail --maildir /var/mail/tanya
                                                 every new message of a Maildir; each handled
                                                 one moves to cur/ marked seen

Exit status: 0 when every message was handled (added, or refused and logged: refusals are not
bounced), 75 (EX_TEMPFAIL: the mail server tries again later) when one could not be handled,
e.g. the database was not reachable."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from conversations.inbound import receive

logger = logging.getLogger("pustaka.conversations.mail")
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Add e-mailed replies to ask-a-librarian threads (standard input or a Maildir)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--maildir", help="Handle every new message in this Maildir.")
        parser.add_argument(
            "--recipient",
            default="",
            help="The envelope recipient, when the mail server gives it (e.g. $RECIPIENT).",
        )

    def handle(self, *args, **options) -> None:
        if options["maildir"]:
            failed = self._maildir(options["maildir"])
        else:
            raw = sys.stdin.buffer.read()
            if not raw.strip():
                raise CommandError("No message on standard input.")
            failed = not self._one(raw, options["recipient"], "stdin")
        if failed:
            sys.exit(EX_TEMPFAIL)

    def _one(self, raw: bytes, recipient: str, name: str) -> bool:
        try:
            result = receive(raw, recipient=recipient)
        except Exception:
            logger.exception("mail %s could not be handled; it will be tried again", name)
            return False
        note = " (seen before)" if result.duplicate else ""
        self.stdout.write(f"{name}: {result.outcome}{note}")
        return True

    def _maildir(self, path: str) -> int:
        """Messages in new/ (oldest name first); a handled one is moved, unchanged, to cur/
        with the "seen" flag (the Maildir convention), so it is not read again."""
        root = Path(path)
        if not (root / "new").is_dir() or not (root / "cur").is_dir():
            raise CommandError(f"{path} is not a Maildir (it needs new/ and cur/).")
        failed = 0
        for file in sorted(root.joinpath("new").iterdir()):
            if file.name.startswith(".") or not file.is_file():
                continue
            if not self._one(file.read_bytes(), "", file.name):
                failed += 1
                continue
            file.rename(root / "cur" / f"{file.name.split(':', 1)[0]}:2,S")
        return failed
