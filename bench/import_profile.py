"""Where a catalogue import spends its time: pymarc's parse rate and Pustaka's import rate per
CPU second of the same file in the same run, then (unless --no-profile) a cProfile of the
import, most expensive first.

    .venv/bin/python bench/import_profile.py var/bench-data/catalog-250000.mrc --first 10000 \
        [--no-profile] [--database postgres [--postgres-url URL]]

(catalog-250000.mrc is what `bench/catalog.py build` writes: LC records with 952 copies.)

The catalogue is a fresh SQLite file in a temporary directory (production settings), or with
`--database postgres` a PostgreSQL database dropped and created afresh (default
pustaka_b_import_profile; the server's own CPU time is not counted), three branches for the
copies' 952 fields, the search index left out (as behind a background import, which hands
indexing to the index task). Printed: pymarc's raw parse rate and the import's rate per CPU
second of this process, their ratio (target: at least 0.10), the wall rate, the load and the
resident memory (RSS) after each tenth of the records. Run it under
`flock /tmp/pustaka-bench.lock` on a quiet machine: a shared one inflates both rates unequally.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--first", type=int, help="only the first N records of the file")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/pustaka_b_import_profile",
        help="a scratch database: dropped and created afresh",
    )
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="pustaka-import-profile-")
    if args.first:
        args.file = _first(args.file, args.first, Path(tmp) / "sample.mrc")
    os.environ["PUSTAKA_VAR_DIR"] = tmp
    if args.database == "postgres":
        _fresh_database(args.postgres_url)
        os.environ["DATABASE_URL"] = args.postgres_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/db.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core.models import Branch, Library

    Library.objects.create(name="Perpustakaan Bench", city="Samarinda", time_zone="Asia/Makassar")
    for position, (code, name) in enumerate(
        (("pusat", "Pusat"), ("cabang", "Cabang"), ("keliling", "Perpustakaan keliling"))
    ):
        Branch.objects.create(code=code, name=name, position=position, is_main=position == 0)
    from pymarc import MARCReader

    from catalog.importing import services
    from catalog.signals import records_changed

    records_changed.receivers.clear()
    started = time.process_time()
    with args.file.open("rb") as handle:
        count = sum(1 for r in MARCReader(handle, to_unicode=True, permissive=True) if r)
    pymarc_rate = count / (time.process_time() - started)

    profile = None if args.no_profile else cProfile.Profile()
    memory: list[str] = []
    original = services.save_chunk
    done = [0]
    step = max(services.CHUNK, count // 10)

    def counted(entries, **kwargs):
        result = original(entries, **kwargs)
        before = done[0]
        done[0] += len(entries)
        if done[0] // step > before // step:
            memory.append(f"{done[0]:,}: {_rss_mb():.0f}")
        return result

    services.save_chunk = counted
    one, _five, _fifteen = os.getloadavg()
    started, wall = time.process_time(), time.perf_counter()
    if profile:
        profile.enable()
    report = services.import_path(args.file, policy="add")
    if profile:
        profile.disable()
    cpu = time.process_time() - started
    wall = time.perf_counter() - wall
    print(
        f"{args.database}, {count:,} records: pymarc {pymarc_rate:,.0f} records per CPU s; "
        f"import {count / cpu:,.0f} per CPU s = {count / cpu / pymarc_rate:.3f} of pymarc's"
        f"{' (profiled: slower)' if profile else ''}; wall {count / wall:,.0f} records/s; "
        f"load {one:.1f} at the start (2 cores, shared); {report.counts}"
    )
    print(f"RSS (MB) after N records: {', '.join(memory)}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.lines)


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _fresh_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _first(source: Path, count: int, out: Path) -> Path:
    from pymarc import MARCReader

    written = 0
    with source.open("rb") as handle, out.open("wb") as sink:
        for record in MARCReader(handle, to_unicode=True, force_utf8=True):
            if record is not None:
                sink.write(record.as_marc())
                written += 1
                if written >= count:
                    break
    return out


if __name__ == "__main__":
    main()
