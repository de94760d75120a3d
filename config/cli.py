"""`pustaka`: the administration command. Every Django management command runs through it."""

from __future__ import annotations

import os
import sys


def activate_library_time_zone() -> None:
    """Commands and the task worker work in the library's own time zone, as web requests do
    (core.middleware): due dates, notices and reports then agree whoever computes them."""
    from django.db import DatabaseError
    from django.utils import timezone

    try:
        from core.selectors import get_library

        timezone.activate(get_library().zone)
    except DatabaseError:
        pass  # not migrated yet (e.g. `pustaka migrate` on a new install)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    activate_library_time_zone()
    execute_from_command_line(argv if argv is not None else sys.argv)
    return 0
