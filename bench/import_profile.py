"""Where a catalogue import spends its time: pymarc's parse rate and Pustaka's import rate per
CPU second of the same file in the same run, then (unless --no-profile) a cProfile of the
import, most expensive first.

    .venv/bin/python bench/import_profile.py var/bench-data/catalog-250000.mrc --first 10000 \
        [--no-profile]

(catalog-250000.mrc is what `bench/catalog.py build` writes: LC records with 952 copies.)

The catalogue is a fresh SQLite file in a temporary directory (production settings), three
branches for the copies' 952 fields, the search index left out (as behind a background import,
which hands indexing to the index task). Run it under `flock /tmp/pustaka-bench.lock` on a
quiet machine: a shared one inflates both rates unequally.
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
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="pustaka-import-profile-")
    if args.first:
        args.file = _first(args.file, args.first, Path(tmp) / "sample.mrc")
    os.environ["PUSTAKA_VAR_DIR"] = tmp
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
    started, wall = time.process_time(), time.perf_counter()
    if profile:
        profile.enable()
    report = services.import_path(args.file, policy="add")
    if profile:
        profile.disable()
    cpu = time.process_time() - started
    print(
        f"pymarc {pymarc_rate:,.0f} records per CPU s; import {count / cpu:,.0f} per CPU s = "
        f"{count / cpu / pymarc_rate:.3f} of pymarc's{' (profiled: slower)' if profile else ''}; "
        f"wall {count / (time.perf_counter() - wall):,.0f} records/s; {report.counts}"
    )
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.lines)


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
