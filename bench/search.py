"""Catalogue search benchmark: build (or reuse) a catalogue of N records, index it, and time
searches at the engine and through the whole Django stack, on SQLite and PostgreSQL.

    .venv/bin/python bench/search.py --records 1000000 --database both \\
        --postgres-url postgres://postgres@127.0.0.1:5432/pustaka_bench

Records are real Library of Congress records (the slices in ../shared/data by default; pass
`--marc FILE` for more, e.g. the 250,000 of BooksAll.2016.part01.utf8 from the pymarc 5.4.0
sdist), repeated until there are N, with 0–3 copies each in three branches (a quarter on
loan). They go in with bulk inserts (not the catalogue services: that is the import benchmark's
business), then `search.indexer.reindex` indexes them exactly as `pustaka reindex` would: its
rate is the reindex rate. The SQLite database lives in --dir (default var/bench-search/) and is
reused when it already holds N records; so is the PostgreSQL one.

Printed per backend: build and reindex rates, then p50/p95/p99 in ms over a fixed mix (one
word, two words, phrase, author, one word with two facets, no hits) at the engine (search plus
the result rows the page shows) and through HTTP (Django's test client through the whole
middleware stack, rendering the OPAC results page, as bench/foundation.py does), beside a
naive `LIKE '%word%'` over titles (what SLiMS does). "HTTP CPU" is this process's CPU time
per request: on SQLite the whole cost, unaffected by other load on the machine; on PostgreSQL
it leaves out the server's share.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"
DEFAULT_MARC = [
    SHARED / "loc-booksall-2016" / "BooksAll.2016.part01.records-000001-006000.utf8.mrc",
    SHARED / "loc-indonesian-2016" / "BooksAll.2016.part01.ind-may.shared.utf8.mrc",
]

# (category, query, filters)
MIX = [
    ("one word", "history", {}),
    ("one word", "indonesia", {}),
    ("one word", "war", {}),
    ("one word", "islam", {}),
    ("one word", "sejarah", {}),
    ("one word", "poems", {}),
    ("two words", "sejarah indonesia", {}),
    ("two words", "economic conditions", {}),
    ("two words", "agama islam", {}),
    ("two words", "united states", {}),
    ("phrase", '"united states"', {}),
    ("phrase", '"new york"', {}),
    ("phrase", '"civil war"', {}),
    ("phrase", '"bahasa indonesia"', {}),
    ("author", "author:smith", {}),
    ("author", "author:john", {}),
    ("author", "author:pramoedya", {}),
    ("author", "author:williams", {}),
    ("two facets", "history", {"material_type": "book", "language": "eng"}),
    ("two facets", "indonesia", {"language": "ind", "available": "1"}),
    ("two facets", "war", {"branch": "pusat", "available": "1"}),
    ("two facets", "poems", {"material_type": "book", "branch": "cabang"}),
    ("no hits", "zzxqv", {}),
    ("no hits", "historyy", {}),
    ("no hits", "pendidkan", {}),
    ("no hits", "qwertzuiop", {}),
]
# The LIKE baseline scans records up to this id (None: all), to compare with an index that
# holds only those.
LIKE_MAX_ID = None
CATEGORIES = ["one word", "two words", "phrase", "author", "two facets", "no hits"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


# ---------------------------------------------------------------------------------------------
# Reading MARC


def parse_marc(paths: list[Path]) -> tuple[list[dict], float]:
    import pymarc

    from catalog.identifiers import isbn_or_none
    from catalog.normalize import clean_heading

    def sub(record, tags, codes):
        return [
            " ".join(field.get_subfields(*codes))
            for tag in tags
            for field in record.get_fields(tag)
        ]

    sources = []
    started = time.perf_counter()
    raw = 0
    for path in paths:
        with open(path, "rb") as handle:
            for record in pymarc.MARCReader(handle, to_unicode=True, force_utf8=True):
                raw += 1
                if record is None or not record.get_fields("245"):
                    continue
                f245 = record.get_fields("245")[0]
                fixed = record["008"].data if record["008"] else ""
                year = fixed[7:11]
                contributors = []
                for tag, role in (("100", "author"), ("110", "corporate"), ("111", "meeting")):
                    contributors += [(clean_heading(n), role) for n in sub(record, [tag], "abq")]
                contributors += [
                    (clean_heading(n), "contributor") for n in sub(record, ["700", "710"], "ab")
                ]
                vernacular = ""
                for field in record.get_fields("880"):
                    if (field.get("6") or "").startswith("245"):
                        vernacular = clean_heading(" ".join(field.get_subfields("a", "b")))
                isbn = next(filter(None, (isbn_or_none(v) for v in sub(record, ["020"], "a"))), "")
                sources.append(
                    {
                        "title": clean_heading(" ".join(f245.get_subfields("a", "n", "p")))[:1000]
                        or "[untitled]",
                        "subtitle": clean_heading(" ".join(f245.get_subfields("b")))[:1000],
                        "responsibility": clean_heading(" ".join(f245.get_subfields("c")))[:1000],
                        "title_vernacular": vernacular[:1000],
                        "contributors": [c for c in contributors if c[0]][:10],
                        "subjects": [
                            clean_heading(
                                " -- ".join(f.get_subfields("a", "b", "x", "y", "z", "v"))
                            )
                            for t in ("600", "610", "650", "651")
                            for f in record.get_fields(t)
                        ][:8],
                        "series": clean_heading(next(iter(sub(record, ["490", "830"], "a")), ""))[
                            :500
                        ],
                        "isbn": isbn,
                        "year": int(year) if year.isdigit() and 1000 < int(year) < 2100 else None,
                        "language": fixed[35:38].strip().lower() if len(fixed) > 37 else "",
                        "ddc": next(iter(sub(record, ["082"], "a")), "")[:30],
                        "publisher": clean_heading(
                            next(iter(sub(record, ["260", "264"], "b")), "")
                        )[:300],
                        "place": clean_heading(next(iter(sub(record, ["260", "264"], "a")), ""))[
                            :200
                        ],
                        "notes": " ".join(sub(record, ["500"], "a"))[:2000],
                        "summary": " ".join(sub(record, ["520"], "a"))[:2000],
                    }
                )
    return sources, raw / (time.perf_counter() - started)


# ---------------------------------------------------------------------------------------------
# Building the catalogue


def ensure_library():
    from core.models import Branch, Library

    if not Library.objects.exists():
        Library.objects.create(
            name="Perpustakaan Bench", city="Samarinda", time_zone="Asia/Makassar"
        )
    for position, (code, name) in enumerate(
        (("pusat", "Pusat"), ("cabang", "Cabang"), ("keliling", "Perpustakaan keliling"))
    ):
        Branch.objects.get_or_create(
            code=code, defaults={"name": name, "position": position, "is_main": position == 0}
        )
    return dict(Branch.objects.values_list("code", "pk"))


def build(sources: list[dict], target: int, branches: dict[str, int]) -> None:
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import (
        Contributor,
        Item,
        Record,
        RecordContributor,
        RecordSubject,
        Subject,
    )
    from catalog.normalize import heading_key

    existing = Record.objects.count()
    if existing >= target:
        print(f"  catalogue: {existing:,} records already there, reused")
        return
    started = time.perf_counter()
    names = {heading_key(n): n for s in sources for n, _r in s["contributors"]}
    headings = {heading_key(h): h for s in sources for h in s["subjects"] if h}
    Contributor.objects.bulk_create(
        [Contributor(key=k[:300], name=v[:300]) for k, v in names.items() if k],
        ignore_conflicts=True,
        batch_size=2000,
    )
    Subject.objects.bulk_create(
        [Subject(key=k[:300], heading=v[:300]) for k, v in headings.items() if k],
        ignore_conflicts=True,
        batch_size=2000,
    )
    contributor_ids = dict(Contributor.objects.values_list("key", "pk"))
    subject_ids = dict(Subject.objects.values_list("key", "pk"))
    for s in sources:  # headings to ids once per source, not once per copy
        s["contributor_links"] = list(
            dict.fromkeys(
                (pk, role)
                for name, role in s["contributors"]
                if (pk := contributor_ids.get(heading_key(name)[:300]))
            )
        )
        s["subject_links"] = list(
            dict.fromkeys(
                pk
                for heading in s["subjects"]
                if (pk := subject_ids.get(heading_key(heading)[:300]))
            )
        )
    rnd = random.Random(existing)  # noqa: S311 - test data
    materials = ["book"] * 17 + ["ebook", "large_print", "braille", "audiobook", "serial", "video"]
    audiences = [""] * 12 + ["adults"] * 4 + ["children"] * 3 + ["teens"]
    statuses = ["available"] * 14 + ["on_loan"] * 5 + ["missing"]
    codes = list(branches)
    now = timezone.now()
    first = dt.timedelta(days=5 * 365)
    barcode = Item.objects.count()
    chunk = 5000
    done = existing
    while done < target:
        size = min(chunk, target - done)
        picked = [sources[(done + n) % len(sources)] for n in range(size)]
        with transaction.atomic():
            records = Record.objects.bulk_create(
                [
                    Record(
                        title=s["title"],
                        subtitle=s["subtitle"],
                        responsibility=s["responsibility"],
                        title_vernacular=s["title_vernacular"],
                        year=s["year"],
                        isbn=s["isbn"],
                        language=s["language"],
                        ddc=s["ddc"],
                        publisher=s["publisher"],
                        place=s["place"],
                        series=s["series"],
                        notes=s["notes"],
                        summary=s["summary"],
                        material_type=rnd.choice(materials),
                        audience=rnd.choice(audiences),
                        source="marc",
                        created_at=now - first + first * ((done + n) / target),
                    )
                    for n, s in enumerate(picked)
                ]
            )
            links, subjects, items = [], [], []
            for record, s in zip(records, picked, strict=True):
                links += [
                    RecordContributor(
                        record_id=record.pk, contributor_id=pk, role=role, position=position
                    )
                    for position, (pk, role) in enumerate(s["contributor_links"])
                ]
                subjects += [
                    RecordSubject(record_id=record.pk, subject_id=pk, position=position)
                    for position, pk in enumerate(s["subject_links"])
                ]
                for _copy in range(rnd.choice((0, 1, 1, 1, 2, 2, 3))):
                    barcode += 1
                    items.append(
                        Item(
                            record_id=record.pk,
                            barcode=f"BN{barcode:010d}",
                            branch_id=branches[rnd.choice(codes)],
                            status=rnd.choice(statuses),
                            shelf_location="Rak umum",
                        )
                    )
            RecordContributor.objects.bulk_create(links, batch_size=5000)
            RecordSubject.objects.bulk_create(subjects, batch_size=5000)
            Item.objects.bulk_create(items, batch_size=5000)
        done += size
        elapsed = time.perf_counter() - started
        if done % 50_000 < chunk or done >= target:
            rate = (done - existing) / elapsed
            print(f"  catalogue: {done:,} / {target:,} records ({rate:,.0f}/s)", flush=True)


def index(target: int, force: bool) -> None:
    from search.indexer import reindex
    from search.models import SearchTerm

    indexed = SearchTerm.objects.filter(term="_all").values_list("records", flat=True).first() or 0
    if indexed >= target and not force:
        print(f"  index: {indexed:,} documents already there, reused")
        return

    last = [0.0]

    def progress(p):
        if time.monotonic() - last[0] > 30:
            last[0] = time.monotonic()
            print(
                f"  reindex: {p.done:,} / {p.total:,} records ({p.rate:,.0f} records/s)", flush=True
            )

    result = reindex(chunk_size=1000, progress=progress)
    print(f"  reindex rate: {result.rate:,.0f} records/s ({result.elapsed:.0f} s)")


# ---------------------------------------------------------------------------------------------
# Timing


def measure(repeat: int, like_repeat: int) -> None:
    from django.db.models import Q
    from django.http import QueryDict
    from django.test import Client

    from catalog.models import Record
    from catalog.opac.selectors import result_rows
    from search import engine
    from search.facets import parse_filters
    from search.query import parse

    client = Client()
    codes = engine.branch_codes()

    def run_engine(text, filters):
        params = QueryDict(mutable=True)
        for key, value in filters.items():
            params[key] = value
        result = engine.search(text, parse_filters(params, branches=codes))
        result_rows(result.record_ids)
        return result

    def run_http(text, filters):
        response = client.get("/catalogue/", {"q": text, **filters})
        assert response.status_code == 200, response.status_code

    def run_like(text, filters):
        words = [t.word for c in parse(text).positive for t in c.tokens]
        condition = Q()
        for word in words:
            condition &= Q(title__icontains=word)
        matches = Record.objects.filter(condition)
        if LIKE_MAX_ID is not None:  # only the records the index holds
            matches = matches.filter(pk__lte=LIKE_MAX_ID)
        matches.count()
        list(matches.values_list("pk", flat=True)[:20])

    print("  warming up …", flush=True)
    totals = {}
    for category, text, filters in MIX:
        result = run_engine(text, filters)
        run_http(text, filters)
        totals.setdefault(category, []).append(
            f"{text}{' + ' + ','.join(filters) if filters else ''}: "
            f"{'' if result.total_is_exact else '~'}{result.total:,}"
        )
    for category in CATEGORIES:
        print(f"    {category:11} {'; '.join(totals[category])}")

    timings = {c: {"engine": [], "http": [], "like": [], "cpu": []} for c in CATEGORIES}
    for _round in range(repeat):
        for category, text, filters in MIX:
            t0 = time.perf_counter()
            run_engine(text, filters)
            t1 = time.perf_counter()
            c1 = time.process_time()
            run_http(text, filters)
            c2 = time.process_time()
            t2 = time.perf_counter()
            timings[category]["engine"].append((t1 - t0) * 1000)
            timings[category]["http"].append((t2 - t1) * 1000)
            timings[category]["cpu"].append((c2 - c1) * 1000)
    for _round in range(like_repeat):
        for category, text, filters in MIX:
            t0 = time.perf_counter()
            run_like(text, filters)
            timings[category]["like"].append((time.perf_counter() - t0) * 1000)

    print()
    print(f"  load average before timing: {os.getloadavg()[0]:.1f} (2 cores)")
    print(
        f"  {'query':11} {'engine p50':>10} {'p95':>7} {'p99':>7}   "
        f"{'HTTP p50':>8} {'p95':>7} {'p99':>7}   {'LIKE p50':>8} {'p95':>7}   "
        f"{'HTTP CPU p50':>12} {'p95':>7}"
    )
    all_http = []
    for category in CATEGORIES:
        e, h, like, cpu = (timings[category][k] for k in ("engine", "http", "like", "cpu"))
        all_http += h
        like_text = (
            f"{statistics.median(like):8.1f} {percentile(like, 95):7.1f}"
            if like
            else f"{'—':>8} {'—':>7}"
        )
        print(
            f"  {category:11} {statistics.median(e):10.1f} {percentile(e, 95):7.1f} "
            f"{percentile(e, 99):7.1f}   {statistics.median(h):8.1f} {percentile(h, 95):7.1f} "
            f"{percentile(h, 99):7.1f}   {like_text}   {statistics.median(cpu):12.1f} "
            f"{percentile(cpu, 95):7.1f}"
        )
    print(
        f"  {'all':11} {'':10} {'':7} {'':7}   {statistics.median(all_http):8.1f} "
        f"{percentile(all_http, 95):7.1f} {percentile(all_http, 99):7.1f}"
    )


# ---------------------------------------------------------------------------------------------


def worker(args) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"{connection.vendor}: {settings.DATABASES['default']['NAME']}")
    branches = ensure_library()
    from catalog.models import Record

    if Record.objects.count() < args.records:
        sources, parse_rate = parse_marc([Path(p) for p in args.marc])
        print(f"  pymarc: {len(sources):,} records read at {parse_rate:,.0f} records/s")
        build(sources, args.records, branches)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        print(f"  catalogue: {Record.objects.count():,} records already there, reused")
    index(args.records, args.reindex)
    measure(args.repeat, args.like_repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/pustaka_bench"
    )
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench-search"))
    parser.add_argument("--marc", nargs="+", default=[str(p) for p in DEFAULT_MARC])
    parser.add_argument("--repeat", type=int, default=20, help="rounds of the whole mix")
    parser.add_argument("--like-repeat", type=int, default=2, help="rounds of the LIKE baseline")
    parser.add_argument("--reindex", action="store_true", help="reindex even if indexed")
    parser.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        worker(args)
        return
    backends = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for backend in backends:
        base = Path(args.dir) / backend
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
        command = [sys.executable, __file__, "--worker", backend, *sys.argv[1:]]
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
