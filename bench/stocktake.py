"""Stocktake ingest benchmark: reads per second from a reader's file, duplicates included.

    .venv/bin/python bench/stocktake.py [--items 50000] [--reads 100000]

Builds a fresh library in a temporary var/ directory (SQLite, production settings) with
`--items` copies at one branch, starts a stocktake, and feeds it one file of `--reads` lines:
90 % of the copies read (each read about twice on average, as a handheld reader does), 1 % unknown
codes, a few garbage lines. Prints the rate through `inventory.services.ingest_file` (parsing,
deduplication, resolving, classification, writing the scan rows, audit) - the path an upload
takes after the request is read - then the same file again (everything already counted) and the
time to close the session (marking the unseen copies missing). The target is 1,000 reads/s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--reads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="pustaka-bench-")
    os.environ.update(
        {
            "PUSTAKA_VAR_DIR": var,
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
            "PUSTAKA_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.roles import Role
    from accounts.services import create_user
    from catalog.models import Item, ItemStatus, Record
    from core.models import Branch, Library
    from inventory import selectors, services

    call_command("migrate", verbosity=0)
    Library.objects.create(name="Bench", time_zone="Asia/Makassar")
    branch = Branch.objects.create(code="pusat", name="Pusat", is_main=True)
    user = create_user(
        "katalog",
        password="bench-pass-1",  # noqa: S106 - a throwaway library
        roles={Role.CATALOGUER},
        by=None,
    )

    started = time.perf_counter()
    records = Record.objects.bulk_create(
        [Record(title=f"Judul {n}", material_type="book") for n in range(args.items // 5)],
        batch_size=2000,
    )
    shelves = [f"{letter}-{n:02d}" for letter in "ABCDEFGH" for n in range(1, 21)]
    Item.objects.bulk_create(
        [
            Item(
                record=records[n % len(records)],
                barcode=f"B{n:08d}",
                rfid_tag=f"E280{n:020d}" if n % 4 == 0 else "",
                branch=branch,
                shelf_location=shelves[n % len(shelves)],
                status=ItemStatus.ON_LOAN if n % 50 == 0 else ItemStatus.AVAILABLE,
            )
            for n in range(args.items)
        ],
        batch_size=2000,
    )
    built = time.perf_counter() - started
    print(
        f"library: {args.items:,} items on {len(shelves)} shelves ({built:.1f} s to build), "
        f"SQLite {connection.Database.sqlite_version}"
    )

    rng = random.Random(args.seed)  # noqa: S311 - test data, not secrets
    seen = rng.sample(range(args.items), int(args.items * 0.9))
    lines: list[str] = []
    unknown = args.reads // 100
    garbage = 25
    for _ in range(args.reads - unknown - garbage):
        n = rng.choice(seen)
        lines.append(f"E280{n:020d}" if n % 4 == 0 and rng.random() < 0.5 else f"B{n:08d}")
    lines += [f"X{n:07d}" for n in range(unknown)]
    lines += ["?? garbage ??"] * garbage
    rng.shuffle(lines)
    data = ("\n".join(lines) + "\n").encode()
    print(
        f"file: {len(lines):,} lines, {len(set(lines)):,} distinct, "
        f"{len(data) / 1024 / 1024:.1f} MB"
    )

    session = services.start_session(branch, by=user)
    first = services.ingest_file(session, data, by=user, name="reader.txt")
    again = services.ingest_file(session, data, by=user, name="reader.txt")
    started = time.perf_counter()
    counts = selectors.counts(session)
    counting = time.perf_counter() - started
    started = time.perf_counter()
    closed = services.close_session(session, by=user)
    closing = time.perf_counter() - started

    verdict = "ok" if first.reads_per_second >= TARGET else "BELOW TARGET"
    print()
    print(f"{'run':<32}{'reads':>10}{'new scans':>11}{'seconds':>9}{'reads/s':>10}")
    for label, result in (("first upload", first), ("same file again", again)):
        print(
            f"{label:<32}{result.reads:>10,}{result.new:>11,}{result.seconds:>9.2f}"
            f"{result.reads_per_second:>10,}"
        )
    print()
    print(f"target {TARGET:,} reads/s: {verdict}")
    print(
        f"live counts: expected {counts.expected:,}, found {counts.found:,}, "
        f"not seen {counts.missing:,}, on loan but seen {counts.on_loan:,}, "
        f"unknown {counts.unknown:,}, garbage lines {first.problem_count} ({counting:.2f} s)"
    )
    print(f"close: {closed.marked_missing:,} items marked missing in {closing:.2f} s")


if __name__ == "__main__":
    main()
