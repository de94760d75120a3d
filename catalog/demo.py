"""The demo library's catalogue: real Library of Congress records (Indonesian, Malay and
general, shipped in catalog/demo_data/) with generated copies in the branches.

`pustaka demo --records N` takes the first N demo records; for a benchmark library larger than
the demo data, `--records-from FILE` reads MARC records from FILE (e.g. LC's BooksAll file from
the pymarc 5.4.0 source distribution), going round it again when N is larger than the file.
"""

from __future__ import annotations

import datetime as dt
import gzip
import random
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.utils import timezone

from core.demo import DemoOptions, Progress, register_step

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
DEMO_FILES = ("loc-indonesian-malay.mrc.gz", "loc-books-1500.mrc.gz")
BATCH = 500


def _demo_paths(workdir: Path) -> list[Path]:
    paths = []
    for name in DEMO_FILES:
        target = workdir / name.removesuffix(".gz")
        with gzip.open(DEMO_DATA / name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
        paths.append(target)
    return paths


def _records(paths: list[Path], limit: int | None, *, cycle: bool) -> Iterator:
    from catalog.importing.readers import read_file
    from catalog.records import ParsedRecord

    produced = 0
    while True:
        before = produced
        for path in paths:
            for _position, entry in read_file(path, "marc21"):
                if not isinstance(entry, ParsedRecord):
                    continue
                yield entry
                produced += 1
                if limit is not None and produced >= limit:
                    return
        if not cycle or produced == before:
            return


def _copies(parsed, rng: random.Random, branches: list, today: dt.date) -> list:
    from catalog.records import ParsedItem

    count = rng.choices([1, 2, 3], [55, 30, 15])[0]
    chosen = rng.sample(branches, k=min(count, len(branches))) if count > 1 else [branches[0]]
    hundreds = (parsed.ddc or "0")[:1]
    shelf = f"Rak {hundreds}00" if hundreds.isdigit() else "Rak umum"
    collection = "children" if parsed.audience == "children" else "general"
    copies = []
    for branch in chosen:
        donated = rng.random() < 0.2
        copies.append(
            ParsedItem(
                branch_code=branch.code,
                shelf_location=shelf,
                collection=collection,
                price=rng.randrange(35, 180) * 1000,
                source="donation" if donated else "purchase",
                donor="Dinas Pendidikan Kota" if donated else "",
                acquired_on=today - dt.timedelta(days=rng.randint(0, 6 * 365)),
            )
        )
    return copies


def build_records(options: DemoOptions, say: Callable[[str], None]) -> None:
    from catalog.importing.readers import count_records
    from catalog.models import Record
    from catalog.services import save_parsed_records
    from core.models import Branch

    wanted = options.extra.get("records")
    source = options.extra.get("records_from")
    if wanted == 0:
        return
    if Record.objects.exists() and options.extra.get("if_empty"):
        return
    branches = list(Branch.objects.order_by("position"))
    if not branches:
        say("No branches: the catalogue needs the library step first.")
        return
    rng = random.Random(options.seed)
    today = timezone.localdate()
    with tempfile.TemporaryDirectory(prefix="pustaka-demo-") as workdir:
        paths = [Path(source)] if source else _demo_paths(Path(workdir))
        total = wanted or sum(count_records(path, "marc21") for path in paths)
        progress = Progress("records", total, options.out)
        batch = []
        saved = 0
        for parsed in _records(paths, total, cycle=bool(source)):
            parsed.items = _copies(parsed, rng, branches, today)
            batch.append(parsed)
            if len(batch) >= BATCH:
                saved += _save(batch, save_parsed_records)
                progress.advance(len(batch))
                batch = []
        if batch:
            saved += _save(batch, save_parsed_records)
            progress.advance(len(batch))
    say(f"Records: {Record.objects.count():,} in the catalogue ({saved:,} added now)")


def _save(batch, save_parsed_records) -> int:
    outcomes = save_parsed_records(batch, policy="add")
    return sum(1 for outcome in outcomes if getattr(outcome, "action", "") == "imported")


register_step(25, "catalogue", build_records)
