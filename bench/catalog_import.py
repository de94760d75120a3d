"""Catalogue import benchmark: Pustaka's import rate beside pymarc's raw parse rate of the same
file, in the same run.

    .venv/bin/python bench/catalog_import.py [--file F.mrc] [--database-url postgres://…]

Without --database-url the catalogue is a fresh SQLite file in a temporary var/ directory;
with it, the catalogue tables of that (existing, migrated here) database are emptied first.
The import is the one `pustaka import_marc` and the background jobs run (readers, batch save
in chunks of 500, one transaction per chunk, the search index told per chunk). Memory: the
peak resident size is printed before and after the import; it must not grow with the file.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_FILE = (
    ROOT.parent
    / "shared"
    / "data"
    / "loc-booksall-2016"
    / "BooksAll.2016.part01.records-000001-006000.utf8.mrc"
)


def pymarc_rate(path: Path) -> tuple[int, float]:
    from pymarc import MARCReader

    started = time.perf_counter()
    count = 0
    with path.open("rb") as handle:
        for record in MARCReader(handle, to_unicode=True, permissive=True):
            if record is not None:
                count += 1
    return count, count / (time.perf_counter() - started)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--policy", default="add", choices=["add", "skip", "merge"])
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="import the file N times over, as one file (to see that memory stays flat)",
    )
    parser.add_argument(
        "--without-index",
        action="store_true",
        help="disconnect the search index from catalogue changes (the import alone)",
    )
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="pustaka-bench-")
    if args.repeat > 1:
        big = Path(var) / f"repeated-{args.repeat}.mrc"
        with big.open("wb") as handle:
            for _ in range(args.repeat):
                handle.write(args.file.read_bytes())
        args.file = big
    os.environ.update(
        {
            "PUSTAKA_VAR_DIR": var,
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
            "PUSTAKA_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from catalog.importing.services import import_path
    from catalog.models import Contributor, Record, Subject
    from catalog.signals import records_changed
    from core.models import Branch, Library

    call_command("migrate", verbosity=0)
    Record.objects.all().delete()
    Contributor.objects.all().delete()
    Subject.objects.all().delete()
    if not Library.objects.exists():
        Library.objects.create(name="Perpustakaan Bench", city="Samarinda")
    if not Branch.objects.exists():
        Branch.objects.create(code="pusat", name="Pusat", is_main=True)

    if args.without_index:
        records_changed.receivers.clear()
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"file: {args.file} ({args.file.stat().st_size:,} bytes)")
    print(f"database: {engine}; search index listeners: {len(records_changed.receivers)}")
    count, raw = pymarc_rate(args.file)
    print(f"pymarc raw parse (to_unicode): {count:,} records, {raw:,.0f} records/s")
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    report = import_path(args.file, policy=args.policy)
    elapsed = time.perf_counter() - started
    counts = report.counts
    done = counts.imported + counts.merged + counts.skipped + counts.bad
    rate = done / elapsed
    print(
        f"Pustaka import ({args.policy}): {counts.imported:,} imported, {counts.bad:,} bad, "
        f"{counts.items:,} copies in {elapsed:.1f} s: {rate:,.0f} records/s"
    )
    print(f"ratio: {rate / raw:.2f} of pymarc's parse rate (target: at least 0.10)")
    print(f"peak memory: {rss_before:.0f} MB before the import, {peak_rss_mb():.0f} MB after")


if __name__ == "__main__":
    main()
