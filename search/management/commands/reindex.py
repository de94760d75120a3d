"""pustaka reindex: rebuild the search index from the catalogue, in place, with progress.

Search keeps answering while it runs (documents are replaced chunk by chunk, unchanged ones are
left alone). Not needed in normal use: the index follows every change by itself."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils.formats import number_format

from search.indexer import Progress, reindex


def _n(value: float) -> str:
    return number_format(round(value), force_grouping=True)


class Command(BaseCommand):
    help = "Rebuild the catalogue search index (search keeps answering meanwhile)."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=1000)

    def handle(self, *args, chunk_size: int, **options):
        last_print = 0.0

        def report(progress: Progress) -> None:
            nonlocal last_print
            now = time.monotonic()
            if now - last_print < 2 and progress.done < progress.total:
                return
            last_print = now
            left = (progress.total - progress.done) / progress.rate if progress.rate else 0
            self.stdout.write(
                f"{_n(progress.done)} / {_n(progress.total)} records "
                f"({_n(progress.rate)} records/s, about {_n(left)} s left)"
            )
            self.stdout.flush()

        result = reindex(chunk_size=max(chunk_size, 1), progress=report)
        self.stdout.write(
            self.style.SUCCESS(
                f"Index rebuilt: {_n(result.done)} records in {result.elapsed:.1f} s "
                f"({_n(result.rate)} records/s); {_n(result.stats.written)} documents written, "
                f"{_n(result.stats.unchanged)} unchanged, {_n(result.stats.deleted)} removed."
            )
        )
