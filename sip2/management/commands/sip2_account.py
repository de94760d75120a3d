"""`pustaka sip2_account LOGIN --branch CODE [--password P]`: create or change a SIP2 account."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from core.models import Branch
from sip2 import services
from sip2.models import (
    HIDEABLE_FIELDS,
    OPERATIONS,
    OPTIONAL_FIELDS,
    DueDateFormat,
    Encoding,
    ErrorDetection,
    HomeBranchField,
    SipAccount,
)


class Command(BaseCommand):
    help = "Create a SIP2 account for a kiosk, book return or sorter, or change one."

    def add_arguments(self, parser):
        parser.add_argument("login")
        parser.add_argument("--password", help="asked for when not given")
        parser.add_argument("--branch", help="branch code (default: the main branch)")
        parser.add_argument(
            "--operations",
            help="comma-separated message codes, e.g. 63,23,11,09,29 (default: a kiosk's set)",
        )
        parser.add_argument("--encoding", choices=[c.value for c in Encoding])
        parser.add_argument("--error-detection", choices=[c.value for c in ErrorDetection])
        parser.add_argument("--language", choices=["id", "en"])
        parser.add_argument("--timeout", type=int)
        parser.add_argument(
            "--send-fields",
            help="personal fields to send, comma-separated ("
            + ",".join(code for code, _label in OPTIONAL_FIELDS)
            + "); 'none' for none",
        )
        parser.add_argument(
            "--hide-fields",
            help="fields to leave out, comma-separated ("
            + ",".join(code for code, _label in HIDEABLE_FIELDS)
            + "); 'none' for none",
        )
        parser.add_argument("--due-date-format", choices=[c.value for c in DueDateFormat])
        parser.add_argument(
            "--home-branch",
            choices=["none", *[c.value for c in HomeBranchField if c.value]],
            help="send the member's home branch in AQ, in the screen message (AF), or not",
        )
        parser.add_argument("--screen-prefix", help="put before every screen message")
        parser.add_argument("--no-pin", action="store_true", help="members need no PIN")
        parser.add_argument("--checked-in-ok", action="store_true")
        parser.add_argument("--disable", action="store_true")

    def handle(self, *args, login, password, branch, operations, **options):
        values = {}
        if branch:
            found = Branch.objects.filter(code=branch).first()
            if found is None:
                raise CommandError(f"No branch with code {branch!r}.")
            values["branch"] = found
        if operations:
            codes = [code.strip() for code in operations.split(",") if code.strip()]
            unknown = set(codes) - {code for code, _label in OPERATIONS}
            if unknown:
                raise CommandError(f"Unknown operations: {', '.join(sorted(unknown))}")
            values["operations"] = codes
        for option, name in (
            ("encoding", "encoding"),
            ("error_detection", "error_detection"),
            ("language", "language"),
            ("timeout", "timeout_seconds"),
        ):
            if options.get(option) is not None:
                values[name] = options[option]
        for option, name, choices in (
            ("send_fields", "optional_fields", OPTIONAL_FIELDS),
            ("hide_fields", "hidden_fields", HIDEABLE_FIELDS),
        ):
            if options.get(option) is not None:
                values[name] = _field_list(options[option], choices)
        if options.get("due_date_format") is not None:
            values["due_date_format"] = options["due_date_format"]
        if options.get("home_branch") is not None:
            values["home_branch_field"] = (
                "" if options["home_branch"] == "none" else options["home_branch"]
            )
        if options.get("screen_prefix") is not None:
            values["screen_message_prefix"] = options["screen_prefix"].strip()
        if options["no_pin"]:
            values["require_patron_pin"] = False
        if options["checked_in_ok"]:
            values["checked_in_ok"] = True
        if options["disable"]:
            values["is_active"] = False
        existing = SipAccount.objects.filter(login=login).first()
        try:
            if existing is None:
                if "branch" not in values:
                    main = Branch.objects.filter(is_main=True).first()
                    if main is None:
                        raise CommandError("No main branch: give --branch.")
                    values["branch"] = main
                password = password or getpass.getpass("Password: ")
                services.create_account(login, password, by=None, **values)
                self.stdout.write(f"SIP2 account {login} created.")
            else:
                services.update_account(existing, values, by=None, password=password or "")
                self.stdout.write(f"SIP2 account {login} changed.")
        except DomainError as error:
            raise CommandError(str(error)) from error


def _field_list(text: str, choices) -> list[str]:
    if text.strip().lower() == "none":
        return []
    codes = [code.strip().upper() for code in text.split(",") if code.strip()]
    unknown = set(codes) - {code for code, _label in choices}
    if unknown:
        raise CommandError(f"Unknown fields: {', '.join(sorted(unknown))}")
    return codes
