import time

from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from core import demo


class Command(BaseCommand):
    help = (
        "Build the demo library: branches with hours, staff for every role, members with "
        "Indonesian names. Sizes are options, for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=200, help="members to add (200)")
        parser.add_argument(
            "--records",
            type=int,
            default=None,
            help="catalogue records (default: all 3,376 demo records; more with --records-from)",
        )
        parser.add_argument(
            "--records-from",
            default=None,
            help="a MARC file to take records from (read round again for large --records)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the library already has branches (used by ./run)",
        )

    def handle(self, *args, members: int, seed: int, if_empty: bool, **options):
        if if_empty and demo.is_built():
            self.stdout.write("The library already has data; the demo was not rebuilt.")
            return
        autodiscover_modules("demo")  # each app's demo.py registers its steps
        started = time.monotonic()
        opts = demo.DemoOptions(members=members, seed=seed, out=self.stdout, extra=options)
        for _order, name, step in demo.steps():
            self.stdout.write(f"Building {name} …")
            step(opts, self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Demo library ready in {time.monotonic() - started:.1f} s.")
        )
