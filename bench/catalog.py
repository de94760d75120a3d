"""Catalogue and search benchmark at scale: import, reindex and search on N records, on SQLite
and PostgreSQL.

    # build (or reuse) the catalogue: make the MARC file, import it, reindex
    .venv/bin/python bench/catalog.py build --records 1000000 --database sqlite
    .venv/bin/python bench/catalog.py build --records 1000000 --database postgres
    # time searches (take the shared benchmark lock: other benchmarks run on this machine)
    flock /tmp/pustaka-bench.lock .venv/bin/python bench/catalog.py measure --database both

The records are the 250,000 real Library of Congress records of BooksAll.2016.part01.utf8 (in
the pymarc 5.4.0 sdist: `pip download --no-binary :all: --no-deps pymarc==5.4.0`, then
extract it to var/bench-data/pymarc-5.4.0/). For more than 250,000 the file is fed again, each
pass with its control numbers (001) and ISBNs (020, a new valid ISBN-13) altered so that the
records are distinct. Every record gets 0–3 copies as Koha 952 fields in three branches.

build:
  1. writes var/bench-data/catalog-K.mrc (K = --import-records, default 250,000; reused when
     there);
  2. times pymarc's raw parse of that file (MARCReader, to_unicode), in this run;
  3. imports it with `catalog.importing.services.import_path` (what `pustaka import_marc` runs:
     readers, batch save in chunks of 500, one transaction per chunk), with the search index
     left to step 5, as a background import job leaves it to the index task; prints the rate
     every 50,000 records with the resident memory (RSS) at that moment;
  4. fills the catalogue up to N records (if N > K) with bulk inserts of the same records
     (bench/search.py's build: their contributors, subjects, 0–3 copies; each with a new
     ISBN-13), which is quicker than importing them again on a shared machine;
  5. puts a quarter of the copies on loan (so "available now" narrows), then
     `search.indexer.reindex` (what `pustaka reindex` runs) over all N and its rate.
measure:
  search latency p50/p95/p99 over a fixed mix (bench/search.py's MIX: one word, two words,
  phrase, author, two facets, no hits) at the engine and through HTTP (Django's test client,
  the whole middleware stack, the OPAC results page rendered), beside a naive LIKE '%word%'.

SQLite lives in var/bench-catalog-N.sqlite3 (never the demo database); PostgreSQL in
--postgres-url (default: database pustaka_b_bench).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LC_FILE = ROOT / "var" / "bench-data" / "pymarc-5.4.0" / "BooksAll.2016.part01.utf8"
BRANCHES = (("pusat", "Pusat"), ("cabang", "Cabang"), ("keliling", "Perpustakaan keliling"))


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (2 cores, shared)"


# ---------------------------------------------------------------------------------------------
# The MARC file


def _isbn13(number: int) -> str:
    body = f"979{number % 10**9:09d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def make_file(source: Path, records: int, out: Path) -> None:
    """N records from `source`, fed again with altered 001/020 beyond its length, each with
    0–3 copies (952) in the three branches."""
    import pymarc
    from pymarc import Field, Subfield

    if out.exists():
        print(f"  file: {out} reused ({out.stat().st_size:,} bytes)")
        return
    rnd = random.Random(1)  # noqa: S311 - test data
    started = time.perf_counter()
    written = 0
    barcode = 0
    partial = out.with_suffix(".partial")
    with partial.open("wb") as sink:
        passes = 0
        while written < records:
            with source.open("rb") as handle:
                reader = pymarc.MARCReader(handle, to_unicode=True, force_utf8=True)
                for record in reader:
                    if written >= records:
                        break
                    if record is None:
                        continue
                    if passes:
                        control = record["001"]
                        if control is not None:
                            control.data = f"{control.data.strip()}-p{passes}"
                        for field in record.get_fields("020"):
                            record.remove_field(field)
                        record.add_ordered_field(
                            Field(
                                tag="020",
                                indicators=[" ", " "],
                                subfields=[Subfield("a", _isbn13(written))],
                            )
                        )
                    for field in record.get_fields("952"):
                        record.remove_field(field)
                    for _copy in range(rnd.choice((0, 1, 1, 1, 2, 2, 3))):
                        barcode += 1
                        record.add_field(
                            Field(
                                tag="952",
                                indicators=[" ", " "],
                                subfields=[
                                    Subfield("a", rnd.choice(BRANCHES)[0]),
                                    Subfield("p", f"BC{barcode:09d}"),
                                    Subfield("c", "Rak umum"),
                                ],
                            )
                        )
                    record.leader = record.leader[:9] + "a" + record.leader[10:]
                    sink.write(record.as_marc())
                    written += 1
                    if written % 100_000 == 0:
                        print(f"  file: {written:,} records written", flush=True)
            passes += 1
    partial.rename(out)
    elapsed = time.perf_counter() - started
    print(f"  file: {out} ({written:,} records, {out.stat().st_size:,} bytes, {elapsed:.0f} s)")


def pymarc_rate(path: Path) -> tuple[int, float, float]:
    """Records, records per second, records per CPU second of this process."""
    from pymarc import MARCReader

    started, cpu = time.perf_counter(), time.process_time()
    count = 0
    with path.open("rb") as handle:
        for record in MARCReader(handle, to_unicode=True, permissive=True):
            if record is not None:
                count += 1
    return count, count / (time.perf_counter() - started), count / (time.process_time() - cpu)


# ---------------------------------------------------------------------------------------------
# Building


def ensure_library() -> None:
    from core.models import Branch, Library

    if not Library.objects.exists():
        Library.objects.create(
            name="Perpustakaan Bench", city="Samarinda", time_zone="Asia/Makassar"
        )
    for position, (code, name) in enumerate(BRANCHES):
        Branch.objects.get_or_create(
            code=code, defaults={"name": name, "position": position, "is_main": position == 0}
        )


def import_file(path: Path, records: int) -> None:
    from catalog.importing import services
    from catalog.models import Record
    from catalog.signals import records_changed

    existing = Record.objects.count()
    if existing >= records:
        print(f"  import: {existing:,} records already there, reused")
        return
    if existing:
        raise SystemExit(f"  {existing:,} records there, fewer than {records:,}: start afresh")
    count, raw, raw_cpu = pymarc_rate(path)
    print(
        f"  pymarc raw parse (MARCReader, to_unicode): {count:,} records, {raw:,.0f} records/s, "
        f"{raw_cpu:,.0f} per CPU second, {load()}"
    )

    # The index is built in step 4 (as the index task does behind a background import).
    receivers = list(records_changed.receivers)
    records_changed.receivers.clear()
    original = services.save_chunk
    done = [0]
    started = time.perf_counter()
    samples: list[tuple[int, float]] = []

    def counted(entries, **kwargs):
        result = original(entries, **kwargs)
        before = done[0]
        done[0] += len(entries)
        if done[0] // step > before // step:
            elapsed = time.perf_counter() - started
            samples.append((done[0], rss_mb()))
            print(
                f"  import: {done[0]:,} records, {done[0] / elapsed:,.0f} records/s, "
                f"RSS {rss_mb():.0f} MB, {load()}",
                flush=True,
            )
        return result

    step = max(1000, min(50_000, records // 5))
    services.save_chunk = counted
    rss_before = rss_mb()
    cpu = time.process_time()
    try:
        report = services.import_path(path, policy="add")
    finally:
        services.save_chunk = original
        records_changed.receivers[:] = receivers
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    counts = report.counts
    rate = (counts.imported + counts.bad) / elapsed
    cpu_rate = (counts.imported + counts.bad) / cpu
    print(
        f"  import per CPU second of this process: {cpu_rate:,.0f} records = "
        f"{cpu_rate / raw_cpu:.2f} of pymarc's (the machine is shared: CPU time is the fair "
        "comparison; on PostgreSQL the server's own CPU is not in it)"
    )
    print(
        f"  import: {counts.imported:,} imported, {counts.bad:,} bad, {counts.items:,} copies "
        f"in {elapsed:,.0f} s: {rate:,.0f} records/s = {rate / raw:.2f} of pymarc's parse rate "
        f"(target: 0.10)"
    )
    rss = [mb for _n, mb in samples] or [rss_mb()]
    print(
        f"  memory: RSS {rss_before:.0f} MB before, {min(rss):.0f}–{max(rss):.0f} MB during "
        f"the import (first sample {rss[0]:.0f} MB, last {rss[-1]:.0f} MB)"
    )


def put_copies_on_loan() -> None:
    from django.db import connection

    from catalog.models import Item

    table = Item._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = 'on_loan' WHERE id % 4 = 0 "  # noqa: S608
            "AND status = 'available'"
        )
        print(f"  copies: {cursor.rowcount:,} put on loan (a quarter)")
        cursor.execute("ANALYZE")


def index(records: int, imported: int, force: bool) -> None:
    """Index the imported records as `pustaka reindex` does (timed: the reindex rate), then
    the bulk-filled copies with their text analysis memoised (each has the text of an
    imported record: analysing it again would only say the same; everything else, loading,
    tags, writing, is done for real), then optimise the index."""
    from django.db.models import Max

    from catalog.models import Record
    from search import documents
    from search.backends import get_backend
    from search.indexer import index_records
    from search.models import SearchDocument

    done = SearchDocument.objects.aggregate(last=Max("record_id"))["last"] or 0
    if done and not force:
        print(f"  index: documents up to record {done:,} already there, going on from it")
    else:
        put_copies_on_loan()
        done = 0
    ids = Record.objects.order_by("pk").values_list("pk", flat=True)
    first_filled = ids[imported] if Record.objects.count() > imported else None

    def run(label: str, upto: int | None, start: int) -> None:
        started = time.perf_counter()
        count, last_print, last = 0, time.monotonic(), start
        while True:
            query = Record.objects.filter(pk__gt=last).order_by("pk")
            if upto is not None:
                query = query.filter(pk__lt=upto)
            chunk = list(query.values_list("pk", flat=True)[:1000])
            if not chunk:
                break
            index_records(chunk, chunk_size=1000)
            count += len(chunk)
            last = chunk[-1]
            if time.monotonic() - last_print > 60:
                last_print = time.monotonic()
                rate = count / (time.perf_counter() - started)
                print(
                    f"  {label}: {count:,} ({rate:,.0f} records/s, RSS {rss_mb():.0f} MB, "
                    f"{load()})",
                    flush=True,
                )
        elapsed = time.perf_counter() - started
        if count:
            print(f"  {label}: {count:,} records in {elapsed:,.0f} s: {count / elapsed:,.0f}/s")

    if first_filled is None or done < first_filled:
        run("reindex (imported records)", first_filled, done)
        done = first_filled or 0
    if first_filled is not None:
        original = documents.terms
        memo: dict[str, list[str]] = {}

        def memoised(text: str) -> list[str]:
            found = memo.get(text)
            if found is None:
                if len(memo) > 2_000_000:
                    memo.clear()
                found = memo[text] = original(text)
            return found

        documents.terms = memoised
        try:
            run("index (bulk copies, analysis memoised)", None, max(done, first_filled - 1))
        finally:
            documents.terms = original
    started = time.perf_counter()
    get_backend().optimise()
    print(f"  optimise: {time.perf_counter() - started:,.0f} s")


def bench_search():
    spec = importlib.util.spec_from_file_location("bench_search", ROOT / "bench" / "search.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _NewIsbns(list):
    """The parsed records, each taken with a new ISBN-13 (distinct records)."""

    taken = 0

    def __getitem__(self, index):
        source = dict(super().__getitem__(index))
        _NewIsbns.taken += 1
        source["isbn"] = _isbn13(5_000_000 + _NewIsbns.taken)
        return source


def fill(path: Path, records: int) -> None:
    from catalog.models import Record
    from core.models import Branch

    existing = Record.objects.count()
    if existing >= records:
        return
    module = bench_search()
    sources, rate = module.parse_marc([path])
    print(f"  fill: {len(sources):,} records parsed ({rate:,.0f}/s); bulk up to {records:,}")
    started = time.perf_counter()
    module.build(_NewIsbns(sources), records, dict(Branch.objects.values_list("code", "pk")))
    print(
        f"  fill: {records - existing:,} records in {time.perf_counter() - started:,.0f} s, "
        f"RSS {rss_mb():.0f} MB"
    )


def measure(args) -> None:
    from catalog.models import Record
    from search.models import SearchDocument, SearchTerm

    module = bench_search()
    documents = SearchTerm.objects.filter(term="_all").values_list("records", flat=True).first()
    last = SearchDocument.objects.order_by("-record_id").values_list("record_id", flat=True)[:1]
    records = Record.objects.count()
    print(f"  catalogue: {records:,} records; index: {documents or 0:,} documents")
    if last and records > (documents or 0):
        module.LIKE_MAX_ID = last[0]
        print(f"  LIKE baseline over the indexed records only (id <= {last[0]:,})")
    print(f"  {load()}")
    module.measure(args.repeat, args.like_repeat)


# ---------------------------------------------------------------------------------------------


def worker(args) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"{connection.vendor}: {settings.DATABASES['default']['NAME']}", flush=True)
    if args.action == "build":
        call_command("collectstatic", interactive=False, verbosity=0)
        ensure_library()
        imported = min(args.import_records, args.records)
        path = ROOT / "var" / "bench-data" / f"catalog-{imported}.mrc"
        make_file(Path(args.marc), imported, path)
        import_file(path, imported)
        fill(Path(args.marc), args.records)
        index(args.records, imported, args.reindex)
    elif args.action == "index":
        index(args.records, min(args.import_records, args.records), args.reindex)
    else:
        measure(args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("build", "index", "measure", "all"))
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/pustaka_b_bench"
    )
    parser.add_argument("--marc", default=str(LC_FILE))
    parser.add_argument(
        "--import-records",
        type=int,
        default=250_000,
        help="how many records go through the import (the rest: bulk inserts)",
    )
    parser.add_argument("--repeat", type=int, default=20, help="rounds of the whole mix")
    parser.add_argument("--like-repeat", type=int, default=2, help="rounds of the LIKE baseline")
    parser.add_argument("--reindex", action="store_true", help="reindex even if indexed")
    parser.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        if args.action == "all":
            args.action = "build"
            worker(args)
            args.action = "measure"
        worker(args)
        return
    backends = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for backend in backends:
        base = ROOT / "var" / f"bench-catalog-{args.records}"
        base.mkdir(parents=True, exist_ok=True)
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG"}
        }
        env.update(
            {
                "PUSTAKA_VAR_DIR": str(base),
                "DJANGO_SETTINGS_MODULE": "config.settings.prod",
                "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
                "PUSTAKA_LOG_LEVEL": "WARNING",
            }
        )
        if backend == "postgres":
            env["DATABASE_URL"] = args.postgres_url
            _create_database(args.postgres_url)
        else:
            database = ROOT / "var" / f"bench-catalog-{args.records}.sqlite3"
            env["DATABASE_URL"] = f"sqlite:///{database}"
        command = [sys.executable, __file__, *sys.argv[1:], "--worker", backend]
        subprocess.run(command, env=env, check=True)  # noqa: S603


def _create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
