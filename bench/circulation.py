"""Circulation benchmark: checkout and check-in latency at the service and at the desk, and
throughput with 8 concurrent clients beside pgbench, in a library of 100,000 members, 1,000,000
items and 2,000,000 past loans.

    .venv/bin/python bench/circulation.py \\
        --database postgres://postgres@127.0.0.1:5432/pustaka_c_bench
    .venv/bin/python bench/circulation.py --database sqlite   # var/bench-circulation/

The library is built once and reused while its size matches (a different size rebuilds it):
minimal records (4 copies each), members, 5 % of the items on loan, 2,000,000 returned loans
(linked to the member only for those who keep a reading history), one institution member with
500 current loans and one record with 50 holds waiting. Rows go in with COPY on PostgreSQL
(foreign-key triggers off while loading) and executemany on SQLite, not through the services;
no MARC import and no search indexing (the index follows each checkout as usual).

Measured (each case `--repeat` times, after a warm-up):

- through the service (`circulation.services.check_out` / `check_in`, objects read before);
  both include the search index update that follows each change after commit (the
  `records_changed` receiver); `--no-index-follow` disconnects it, to show its share;
- through the desk: the POST the scan box makes (htmx) to /staff/desk/scan/ with a signed-in
  librarian's session, through Django's test client and the whole middleware stack (no network,
  no gunicorn): the card scan that opens the member's session, the item scan that checks out,
  and the item scan at a second desk (no member open) that checks in;

for a plain member and item, the institution with 500 loans, and the copy of the 50-hold record
(checked out by the member first in line, which fills their hold; the check-in traps it for the
next; the member then queues again, untimed, so the queue stays at 50). "CPU" is this process's
CPU time per operation (the PostgreSQL server's share not included): on a shared machine it
shows the code's own cost apart from the time spent waiting for a core.

Then 8 processes each run checkout + check-in cycles through the services on their own items
for `--seconds`, and pgbench's TPC-B-like script runs on the same server (`pgbench -i -s 10`
into a scratch database, `pgbench -c 8 -j 2 -T 20`). Building takes no lock; measuring holds
`flock /tmp/pustaka-bench.lock` (shared with the catalogue benchmarks) so runs do not overlap.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LOCK = "/tmp/pustaka-bench.lock"  # noqa: S108 - the agreed lock file
P95_TARGET_MS = 50.0
RATIO_TARGET = 2.0
TPS_SHARE_TARGET = 0.1
REBUILD_EXIT = 3

BIG_MEMBER = 1  # the institution with 500 current loans
HOLD_MEMBERS = range(11, 61)  # the 50 members queueing for record 1
PLAIN_MEMBERS = range(100, 200)  # latency runs
WORKER_MEMBERS = range(200, 300)  # throughput runs
HOLD_RECORD = 1
HOLD_ITEM = 1  # the copy of record 1 that goes round; items 2-4 are on loan to others
BIG_LOANS = 500
HOLDS = 50


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def barcode(n: int) -> str:
    return f"C{n:08d}"


def member_number(n: int) -> str:
    return f"BM{n:06d}"


# ---------------------------------------------------------------------------------------------
# Loading rows fast


class Loader:
    """Append rows to one model's table: COPY on PostgreSQL, executemany on SQLite. `columns`
    are attnames given per row (primary key included); every other concrete column gets its
    model default once (generated columns are left to the database)."""

    def __init__(self, model, columns: list[str]):
        from django.db import connection
        from django.utils import timezone

        self.connection = connection
        fields = [f for f in model._meta.concrete_fields if not f.generated]
        by_attname = {f.attname: f for f in fields}
        self.fields = [by_attname[c] for c in columns]
        constants = {}
        now = timezone.now()
        for f in fields:
            if f.attname in columns:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default() or f.null or f.empty_strings_allowed:
                value = f.get_default()  # the default, else None or ""
            else:
                raise ValueError(f"{model.__name__}.{f.attname} needs a value")
            constants[f.column] = f.get_db_prep_save(value, connection)
        self.constants = tuple(constants.values())
        self.table = model._meta.db_table
        self.names = [f.column for f in self.fields] + list(constants)
        self.postgres = connection.vendor == "postgresql"
        self._prepared: dict[object, object] = {}
        # Values that need the backend's adaptation (datetimes, dates, JSON) are prepared
        # through the field, and remembered (the generators repeat a small set of them).
        self.adapt = [
            f.get_internal_type() in {"DateTimeField", "DateField", "JSONField"}
            for f in self.fields
        ]

    def prepare(self, index: int, value):
        if value is None or not self.adapt[index]:
            return value
        key = (index, value if not isinstance(value, dict) else id(value))
        if key not in self._prepared:
            self._prepared[key] = self.fields[index].get_db_prep_save(value, self.connection)
        return self._prepared[key]

    def load(self, rows, *, total: int, label: str, chunk: int = 100_000) -> None:
        started = time.perf_counter()
        done = 0
        batch: list[tuple] = []
        adapt = [i for i, a in enumerate(self.adapt) if a]
        for row in rows:
            if adapt:
                row = list(row)
                for i in adapt:
                    row[i] = self.prepare(i, row[i])
            batch.append((*row, *self.constants))
            if len(batch) >= chunk:
                self._write(batch)
                done += len(batch)
                batch = []
                rate = done / (time.perf_counter() - started)
                print(f"  {label}: {done:,} / {total:,} ({rate:,.0f} rows/s)", flush=True)
        if batch:
            self._write(batch)
            done += len(batch)
        rate = done / max(time.perf_counter() - started, 1e-9)
        print(
            f"  {label}: {done:,} rows in {time.perf_counter() - started:.1f} s "
            f"({rate:,.0f} rows/s)",
            flush=True,
        )

    def _write(self, batch: list[tuple]) -> None:
        raw = self.connection.connection
        columns = ", ".join(f'"{n}"' for n in self.names)
        if self.postgres:
            sql = f'COPY "{self.table}" ({columns}) FROM STDIN'
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                for row in batch:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(self.names))
            sql = f'INSERT INTO "{self.table}" ({columns}) VALUES ({marks})'  # noqa: S608
            raw.executemany(sql, batch)


# ---------------------------------------------------------------------------------------------
# Building the library


def existing_size() -> tuple[int, int, int]:
    from catalog.models import Item
    from circulation.models import Loan
    from patrons.models import Member

    return Member.objects.count(), Item.objects.count(), Loan.objects.count()


def build(args) -> None:
    import django.db
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.roles import Role
    from accounts.services import create_user
    from catalog.models import Item, ItemStatus, Record
    from circulation.models import Hold, HoldEvent, Loan, LoanPolicy
    from circulation.policies import DEFAULT_RULES
    from core.models import Branch, Library, OpeningPeriod
    from patrons.models import Member

    members, items, past = existing_size()
    records_wanted = args.items // args.copies
    if members == args.members and items == args.items and past >= args.past_loans:
        print(f"  library: {members:,} members, {items:,} items, {past:,} loans: reused")
        return
    if members or items or past:
        print(f"  library: {members:,} members, {items:,} items, {past:,} loans: other size")
        sys.exit(REBUILD_EXIT)

    started = time.perf_counter()
    library = Library.objects.first() or Library.objects.create(
        name="Perpustakaan Bench Sirkulasi", city="Samarinda", time_zone="Asia/Makassar"
    )
    if library.time_zone != "Asia/Makassar":
        library.time_zone = "Asia/Makassar"
        library.save()
    pusat, _ = Branch.objects.get_or_create(
        code="pusat", defaults={"name": "Pusat", "is_main": True, "position": 0}
    )
    cabang, _ = Branch.objects.get_or_create(
        code="cabang", defaults={"name": "Cabang", "position": 1}
    )
    for branch in (pusat, cabang):
        if not OpeningPeriod.objects.filter(branch=branch).exists():
            OpeningPeriod.objects.bulk_create(
                OpeningPeriod(
                    branch=branch, weekday=day, opens_at=dt.time(8), closes_at=dt.time(16)
                )
                for day in range(6)
            )
    LoanPolicy.objects.get_or_create(
        name="Lembaga (bench)", defaults={"member_category_id": "institution", "max_items": 1000}
    )
    from accounts.models import User

    if not User.objects.filter(username="bench-desk").exists():
        create_user("bench-desk", password=None, roles={Role.LIBRARIAN}, by=None)

    rnd = random.Random(args.seed)  # noqa: S311 - test data
    now = timezone.now()
    days = [now - dt.timedelta(days=d) for d in range(0, 2000)]
    rules = dict(DEFAULT_RULES)
    nm = args.members
    categories = ["general"] * 14 + ["university_student"] * 3 + ["school_student"] * 2
    categories += ["senior"]

    def category(n: int) -> str:
        if n == BIG_MEMBER:
            return "institution"
        if n < 1000:
            return "general"
        return categories[n % len(categories)]

    def keeps_history(n: int) -> bool:
        return n % 5 == 0

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # no FK triggers
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")

    with transaction.atomic():
        Loader(
            Record,
            ["id", "title", "material_type", "year", "call_number", "created_at"],
        ).load(
            (
                (
                    n,
                    f"Buku bench nomor {n}" if n != HOLD_RECORD else "Laris manis (50 antrean)",
                    "book",
                    1950 + n % 75,
                    f"{n % 1000:03d} BEN",
                    days[n % 2000],
                )
                for n in range(1, records_wanted + 1)
            ),
            total=records_wanted,
            label="records",
        )
    with transaction.atomic():
        Loader(
            Member,
            [
                "id",
                "number",
                "full_name",
                "category_id",
                "email",
                "phone",
                "joined_on",
                "expires_on",
                "keep_reading_history",
                "home_branch_id",
            ],
        ).load(
            (
                (
                    n,
                    member_number(n),
                    f"SD Negeri Bench {n}" if n == BIG_MEMBER else f"Anggota Bench {n}",
                    category(n),
                    f"bm{n}@example.org",
                    f"0812{n:08d}",
                    dt.date(2025, 1, 1),
                    dt.date(2030, 12, 31),
                    keeps_history(n),
                    pusat.pk if n % 10 else cabang.pk,
                )
                for n in range(1, nm + 1)
            ),
            total=nm,
            label="members",
        )

    # Items: 1 is the copy of the 50-hold record that goes round, 2-4 (same record) are on loan
    # to members 61-63, 5-504 are on loan to the institution, and 5 % of the rest are on loan.
    big_items = range(5, 5 + BIG_LOANS)

    def current_holder(n: int) -> int | None:
        if n in (2, 3, 4):
            return 59 + n
        if n in big_items:
            return BIG_MEMBER
        if n > 1000 and n % 20 == 7:
            return 1000 + (n * 37) % (nm - 1000)
        return None

    def item_rows():
        for n in range(1, args.items + 1):
            branch = cabang.pk if n % 10 == 9 and n > 1000 else pusat.pk
            status = ItemStatus.ON_LOAN if current_holder(n) else ItemStatus.AVAILABLE
            yield (
                n,
                (n - 1) // args.copies + 1,
                barcode(n),
                branch,
                status,
                f"Rak {n % 40:02d}",
                50_000 + (n % 7) * 10_000,
            )

    with transaction.atomic():
        Loader(
            Item, ["id", "record_id", "barcode", "branch_id", "status", "shelf_location", "price"]
        ).load(item_rows(), total=args.items, label="items")

    def branch_of(n: int) -> int:
        return cabang.pk if n % 10 == 9 and n > 1000 else pusat.pk

    current = [n for n in range(1, args.items + 1) if current_holder(n)]

    def loan_rows():
        loan_id = 0
        for n in current:
            loan_id += 1
            holder = current_holder(n)
            if holder == BIG_MEMBER:
                # 5 of the 500 a day or two late (fines accrue), the others due within a month
                lent = days[n % 12 + (15 if n % 100 == 0 else 1)]
                due = lent + dt.timedelta(days=14)
            else:
                lent = days[n % 20 + 1]
                due = lent + dt.timedelta(days=14)
            yield (
                loan_id,
                n,
                holder,
                category(holder),
                branch_of(n),
                "on_loan",
                lent,
                due,
                None,
                None,
                "desk",
                rules,
                0,
                lent,
            )
        for _ in range(args.past_loans):
            loan_id += 1
            n = rnd.randrange(1, args.items + 1)
            m = rnd.randrange(1, nm + 1)
            lent = days[rnd.randrange(20, 2000)]
            back = lent + dt.timedelta(days=rnd.randrange(1, 20))
            yield (
                loan_id,
                n,
                m if keeps_history(m) else None,
                category(m),
                branch_of(n),
                "returned",
                lent,
                lent + dt.timedelta(days=14),
                back,
                branch_of(n),
                "desk",
                rules,
                0,
                back,
            )

    total_loans = len(current) + args.past_loans
    with transaction.atomic():
        Loader(
            Loan,
            [
                "id",
                "item_id",
                "member_id",
                "member_category",
                "branch_id",
                "state",
                "checked_out_at",
                "due_at",
                "returned_at",
                "return_branch_id",
                "channel",
                "rules",
                "renewals",
                "updated_at",
            ],
        ).load(loan_rows(), total=total_loans, label="loans")

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = ON")

    with transaction.atomic():
        holds = Hold.objects.bulk_create(
            Hold(
                record_id=HOLD_RECORD,
                member_id=m,
                pickup_branch=pusat,
                queue_number=q,
                placed_at=now - dt.timedelta(hours=HOLDS - q + 1),
                channel="web",
            )
            for q, m in enumerate(HOLD_MEMBERS, start=1)
        )
        HoldEvent.objects.bulk_create(
            HoldEvent(
                hold=h,
                from_state="waiting",
                to_state="waiting",
                at=h.placed_at,
                channel="web",
                reason="placed",
            )
            for h in holds
        )

    # Explicit ids: move the sequences past them.
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Record, Member, Item, Loan]):
            cursor.execute(sql)
    print("  analysing …", flush=True)
    django.db.close_old_connections()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  library built in {time.perf_counter() - started:.0f} s", flush=True)


# ---------------------------------------------------------------------------------------------
# Measuring


class Cases:
    """The members and items the runs use, and the state they need before they start."""

    def __init__(self, args):
        from accounts.models import User
        from catalog.models import Item, Record
        from core.models import Branch
        from patrons.models import Member

        self.args = args
        self.librarian = User.objects.get(username="bench-desk")
        self.branch = Branch.objects.get(code="pusat")
        self.big = Member.objects.select_related("category").get(pk=BIG_MEMBER)
        self.plain = list(Member.objects.filter(pk__in=PLAIN_MEMBERS).order_by("pk"))
        self.hold_record = Record.objects.get(pk=HOLD_RECORD)
        self.hold_item = Item.objects.get(pk=HOLD_ITEM)
        # Copies at the main branch, on the shelf, of records nobody holds: n = 1 (mod 20).
        pool = list(range(1021, args.items + 1, 20))
        random.Random().shuffle(pool)  # noqa: S311 - a different sample each run
        self.pool = pool
        self.used = 0

    def take(self, count: int) -> list:
        from catalog.models import Item

        ids = self.pool[self.used : self.used + count]
        self.used += count
        found = {i.pk: i for i in Item.objects.filter(pk__in=ids)}
        return [found[pk] for pk in ids]

    def repair(self) -> None:
        """A run stopped half-way leaves loans open: check those in (untimed)."""
        from catalog.models import Item
        from circulation import services
        from circulation.models import Loan

        open_ids = Loan.objects.filter(state="on_loan").values_list("item_id", flat=True)
        stray = [pk for pk in open_ids if pk == HOLD_ITEM or (pk > 1000 and pk % 20 == 1)]
        for item in Item.objects.filter(pk__in=stray):
            services.check_in(item, staff=self.librarian, branch=self.branch)
        if stray:
            print(f"  repaired {len(stray)} loans left open by an earlier run")

    def ready_hold(self):
        """The hold the going-round copy is set aside for; put it there first if need be."""
        from circulation import services
        from circulation.models import Hold

        hold = (
            Hold.objects.filter(record_id=HOLD_RECORD, state="ready", item_id=HOLD_ITEM)
            .select_related("member__category")
            .first()
        )
        if hold is None:
            services.check_out(
                self.hold_item, self.plain[-1], staff=self.librarian, branch=self.branch
            )
            services.check_in(self.hold_item, staff=self.librarian, branch=self.branch)
            hold = (
                Hold.objects.filter(record_id=HOLD_RECORD, state="ready", item_id=HOLD_ITEM)
                .select_related("member__category")
                .get()
            )
        return hold

    def top_up_holds(self) -> int:
        from circulation import services
        from circulation.models import Hold
        from circulation.states import ACTIVE_HOLD_STATES
        from patrons.models import Member

        active = Hold.objects.filter(record_id=HOLD_RECORD, state__in=ACTIVE_HOLD_STATES)
        holders = set(active.values_list("member_id", flat=True))
        missing = HOLDS - len(holders)
        for member in Member.objects.filter(pk__in=HOLD_MEMBERS).exclude(pk__in=holders):
            if missing <= 0:
                break
            services.place_hold(
                self.hold_record, member, pickup_branch=self.branch, staff=self.librarian
            )
            missing -= 1
        return active.count()

    def requeue(self, member) -> None:
        from circulation import services

        services.place_hold(
            self.hold_record, member, pickup_branch=self.branch, staff=self.librarian
        )


def service_runs(cases: Cases, repeat: int, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from circulation import services

    lib, branch = cases.librarian, cases.branch
    results: dict[tuple[str, str], dict] = {}

    def timed(fn):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000

    def cycle(item, member, after=None, *, capture=False):
        times = {}
        with CaptureQueriesContext(connection) if capture else _nothing() as queries:
            times["checkout"] = timed(
                lambda: services.check_out(item, member, staff=lib, branch=branch)
            )
            n_out = len(queries) if capture else 0
            times["check-in"] = timed(lambda: services.check_in(item, staff=lib, branch=branch))
            n_in = len(queries) - n_out if capture else 0
        if after:
            after()
        return times, {"checkout": n_out, "check-in": n_in}

    for case in ("plain", "500 loans", "50 holds"):
        samples = {"checkout": [], "check-in": []}
        cpu = {"checkout": [], "check-in": []}
        items = cases.take(warmup + repeat + 1) if case != "50 holds" else None
        for i in range(warmup + repeat + 1):
            capture = i == warmup + repeat
            if case == "plain":
                times, counts = cycle(items[i], cases.plain[i % len(cases.plain)], capture=capture)
            elif case == "500 loans":
                times, counts = cycle(items[i], cases.big, capture=capture)
            else:
                hold = cases.ready_hold()
                times, counts = cycle(
                    cases.hold_item,
                    hold.member,
                    lambda m=hold.member: cases.requeue(m),
                    capture=capture,
                )
            if warmup <= i < warmup + repeat:
                for op, (ms, cpu_ms) in times.items():
                    samples[op].append(ms)
                    cpu[op].append(cpu_ms)
        for op in samples:
            results[(case, op)] = {"ms": samples[op], "cpu": cpu[op], "queries": counts[op]}
    return results


class _nothing:
    def __enter__(self):
        return []

    def __exit__(self, *exc):
        return False


def desk_runs(cases: Cases, repeat: int, warmup: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    scan_url, finish_url = reverse("circulation:scan"), reverse("circulation:finish")
    htmx = {"HTTP_HX_REQUEST": "true"}

    def desk_client() -> Client:
        client = Client()
        client.force_login(cases.librarian)
        session = client.session
        session["desk_branch"] = cases.branch.pk
        session.save()
        return client

    lending, returning = desk_client(), desk_client()

    def post(client, url, data=None):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.post(url, data or {}, **htmx)
        ms = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
        body = response.content.decode()
        if response.status_code != 200 or 'class="result bad"' in body:
            raise RuntimeError(f"desk refused {data}: {response.status_code} {body[:600]}")
        return ms

    results: dict[tuple[str, str], dict] = {}
    for case in ("plain", "500 loans", "50 holds"):
        samples = {"card scan": [], "checkout": [], "check-in": []}
        cpu = {"card scan": [], "checkout": [], "check-in": []}
        counts = {}
        items = cases.take(warmup + repeat + 1) if case != "50 holds" else None
        for i in range(warmup + repeat + 1):
            capture = i == warmup + repeat
            if case == "plain":
                item, member = items[i], cases.plain[i % len(cases.plain)]
            elif case == "500 loans":
                item, member = items[i], cases.big
            else:
                item, member = cases.hold_item, cases.ready_hold().member
            post(lending, finish_url)
            times = {}
            with CaptureQueriesContext(connection) if capture else _nothing() as queries:
                times["card scan"] = post(lending, scan_url, {"code": member.number})
                n_card = len(queries) if capture else 0
                times["checkout"] = post(lending, scan_url, {"code": item.barcode})
                n_out = len(queries) - n_card if capture else 0
                times["check-in"] = post(returning, scan_url, {"code": item.barcode})
                n_in = len(queries) - n_card - n_out if capture else 0
            if case == "50 holds":
                cases.requeue(member)
            if capture:
                counts = {"card scan": n_card, "checkout": n_out, "check-in": n_in}
            elif i >= warmup:
                for op, (ms, cpu_ms) in times.items():
                    samples[op].append(ms)
                    cpu[op].append(cpu_ms)
        for op in samples:
            results[(case, op)] = {"ms": samples[op], "cpu": cpu[op], "queries": counts[op]}
    return results


def print_latencies(title: str, results: dict, ops: list[str]) -> list[str]:
    """Print one table; return the targets missed."""
    missed = []
    print()
    print(f"  {title}")
    print(
        f"  {'case':<11} {'operation':<10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'CPU p50':>8} {'queries':>8} {'p95 / plain':>12}"
    )
    for case in ("plain", "500 loans", "50 holds"):
        for op in ops:
            r = results[(case, op)]
            p95 = percentile(r["ms"], 95)
            base = percentile(results[("plain", op)]["ms"], 95)
            ratio = p95 / base if base else 0
            note = ""
            if case != "plain" and ratio > RATIO_TARGET:
                note = "  > 2x"
                missed.append(f"{title}: {case} {op} p95 {ratio:.1f}x plain")
            print(
                f"  {case:<11} {op:<10} {statistics.median(r['ms']):8.1f} {p95:8.1f} "
                f"{percentile(r['ms'], 99):8.1f} {statistics.median(r['cpu']):8.1f} "
                f"{r['queries']:8d} "
                f"{'' if case == 'plain' else f'{ratio:.2f}x':>12}{note}"
            )
    return missed


# ---------------------------------------------------------------------------------------------
# Throughput


def _throughput_worker(index: int, item_ids: list[int], start_at: float, seconds: float, out):
    from django.db import connections

    connections.close_all()
    from accounts.models import User
    from catalog.models import Item
    from circulation import services
    from core.models import Branch
    from patrons.models import Member

    librarian = User.objects.get(username="bench-desk")
    branch = Branch.objects.get(code="pusat")
    member = Member.objects.get(pk=WORKER_MEMBERS[index])
    items = list(Item.objects.filter(pk__in=item_ids))

    def cycle(item):
        services.check_out(item, member, staff=librarian, branch=branch)
        services.check_in(item, staff=librarian, branch=branch)

    done, latencies, n = 0, [], 0
    try:
        for item in items[:3]:
            cycle(item)
        time.sleep(max(0.0, start_at - time.time()))
        while time.time() < start_at + seconds:
            t0 = time.perf_counter()
            cycle(items[n % len(items)])
            latencies.append((time.perf_counter() - t0) * 1000)
            n += 1
            done += 2
    except Exception as error:  # report it rather than leave the parent waiting
        out.put((done, latencies, f"{type(error).__name__}: {error}"))
    else:
        out.put((done, latencies, None))
    finally:
        connections.close_all()


def throughput(cases: Cases, clients: int, seconds: float) -> dict:
    import multiprocessing

    from django.db import connections

    per_worker = min(400, (len(cases.pool) - cases.used) // clients)
    ids = [
        cases.pool[cases.used + k * per_worker : cases.used + (k + 1) * per_worker]
        for k in range(clients)
    ]
    cases.used += clients * per_worker
    connections.close_all()
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start_at = time.time() + 5
    workers = [
        context.Process(target=_throughput_worker, args=(k, ids[k], start_at, seconds, out))
        for k in range(clients)
    ]
    for w in workers:
        w.start()
    reports = [out.get(timeout=start_at - time.time() + seconds + 600) for _ in workers]
    for w in workers:
        w.join()
    errors = [r[2] for r in reports if r[2]]
    if errors:
        raise RuntimeError(f"{len(errors)} throughput workers failed: {errors[0]}")
    done = sum(r[0] for r in reports)
    latencies = [ms for r in reports for ms in r[1]]
    return {
        "tps": done / seconds,
        "cycles": len(latencies),
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
    }


def pgbench(url: str, clients: int, seconds: int) -> float | None:
    import glob

    import psycopg

    binary = shutil.which("pgbench") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))), None
    )
    if binary is None:
        print("  pgbench not found")
        return None
    parsed = urlparse(url)
    scratch = f"{parsed.path.lstrip('/')}_pgbench"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    where = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    where += ["-U", parsed.username or "postgres"]
    try:
        subprocess.run(  # noqa: S603
            [binary, "-i", "-s", "10", "-q", *where, scratch],
            env=env,
            check=True,
            capture_output=True,
        )
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CHECKPOINT")  # as before each of our phases: -i wrote ~300 MB of WAL
        run = subprocess.run(  # noqa: S603
            [binary, "-c", str(clients), "-j", "2", "-T", str(seconds), *where, scratch],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", run.stdout)
    return float(match.group(1)) if match else None


# ---------------------------------------------------------------------------------------------


def checkpoint() -> None:
    """Start each measured phase without a checkpoint pending from the one before (the
    previous run's `pgbench -i` alone writes ~300 MB of WAL): on PostgreSQL, CHECKPOINT now.
    pgbench gets the same between its `-i` and its timed run."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")


def measure(args) -> None:
    from django.conf import settings
    from django.db import connection

    cases = Cases(args)
    cases.repair()
    active = cases.top_up_holds()
    print(
        f"  record {HOLD_RECORD}: {active} active holds; member {BIG_MEMBER}: "
        f"{cases.big.loans.filter(state='on_loan').count()} loans"
    )

    with open(LOCK, "a") as lock:
        t0 = time.perf_counter()
        print(f"  waiting for {LOCK} …", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
        print(
            f"  lock taken after {time.perf_counter() - t0:.0f} s; load average "
            f"{os.getloadavg()[0]:.1f} (2 cores, shared)",
            flush=True,
        )
        if not args.throughput_only:
            checkpoint()
            service = service_runs(cases, args.repeat, args.warmup)
            checkpoint()
            desk = desk_runs(cases, args.repeat, args.warmup)
        checkpoint()
        tp = throughput(cases, args.clients, args.seconds)
        pg = None
        if connection.vendor == "postgresql" and not args.no_pgbench:
            url = os.environ["DATABASE_URL"]
            pg = pgbench(url, args.clients, args.pgbench_seconds)
        load = os.getloadavg()

    backend = f"{connection.vendor} {settings.DATABASES['default']['NAME']}"
    if args.no_index_follow:
        backend += ", search index not following"
    if args.throughput_only:
        service, desk = {}, {}
    missed = (
        []
        if args.throughput_only
        else print_latencies(
            f"service (circulation.services), {args.repeat} each, {backend}",
            service,
            ["checkout", "check-in"],
        )
    )
    desk_p95 = None
    if not args.throughput_only:
        missed += print_latencies(
            f"desk POST /staff/desk/scan/ (htmx, Django test client), {args.repeat} each",
            desk,
            ["card scan", "checkout", "check-in"],
        )
        desk_p95 = percentile(desk[("plain", "checkout")]["ms"], 95)
        if desk_p95 > P95_TARGET_MS:
            missed.append(f"desk checkout p95 {desk_p95:.1f} ms > {P95_TARGET_MS:.0f} ms")
    print()
    print(
        f"  throughput, {args.clients} processes x checkout + check-in through the services, "
        f"{args.seconds:.0f} s: {tp['tps']:,.0f} transactions/s ({tp['cycles']:,} cycles; "
        f"cycle p50 {tp['p50']:.0f} ms, p95 {tp['p95']:.0f} ms)"
    )
    if pg is not None:
        share = tp["tps"] / pg
        print(
            f"  pgbench TPC-B-like, -s 10 -c {args.clients} -j 2 -T {args.pgbench_seconds}: "
            f"{pg:,.0f} tps; circulation / pgbench = {share:.2f} (target >= {TPS_SHARE_TARGET})"
        )
        if share < TPS_SHARE_TARGET:
            missed.append(f"throughput {share:.2f} of pgbench's")
    print(f"  load average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print()
    if missed:
        print("  targets missed: " + "; ".join(missed))
    elif args.throughput_only:
        print("  throughput target met (latencies not measured in this run: --throughput-only)")
    else:
        print(
            f"  targets met: desk checkout p95 {desk_p95:.1f} ms <= {P95_TARGET_MS:.0f} ms; "
            "500 loans and 50 holds within 2x of plain"
            + (f"; throughput >= {TPS_SHARE_TARGET} of pgbench" if pg is not None else "")
        )


def worker(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"{connection.vendor}: {connection.settings_dict['NAME']}", flush=True)
    if args.no_index_follow:
        from catalog.signals import copies_changing, records_changed

        records_changed.disconnect(dispatch_uid="search.follow_catalogue")
        copies_changing.disconnect(dispatch_uid="search.queue_copies_update")
        print("  the search index does not follow checkouts in this run (--no-index-follow)")
    build(args)
    if not args.build_only:
        measure(args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", default="sqlite", help="'sqlite' or a postgres:// URL (default sqlite)"
    )
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench-circulation"))
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--copies", type=int, default=4, help="items per record")
    parser.add_argument("--past-loans", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=200, help="timed cycles per case")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--no-pgbench", action="store_true")
    parser.add_argument(
        "--no-index-follow",
        action="store_true",
        help="disconnect the search index from circulation (shows what updating it costs)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--build-only", action="store_true", help="build, do not measure")
    parser.add_argument(
        "--throughput-only",
        action="store_true",
        help="measure only the 8-client throughput beside pgbench, not the latencies",
    )
    parser.add_argument("--rebuild", action="store_true", help="build again from scratch")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        worker(args)
        return
    base = Path(args.dir)
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
    postgres = args.database.startswith(("postgres://", "postgresql://"))
    if postgres:
        env["DATABASE_URL"] = args.database
    elif args.database != "sqlite":
        parser.error("--database takes 'sqlite' or a postgres:// URL")
    if args.rebuild:
        _drop(args.database, base)
    command = [sys.executable, __file__, "--worker", *sys.argv[1:]]
    for _attempt in range(2):
        if postgres:
            _create_database(args.database)
        done = subprocess.run(command, env=env, check=False)  # noqa: S603
        if done.returncode != REBUILD_EXIT:
            sys.exit(done.returncode)
        print("  building a new library of the size asked for")
        _drop(args.database, base)
    sys.exit(1)


def _drop(database: str, base: Path) -> None:
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (base / f"db.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = database.rsplit("/", 1)[1]
    with psycopg.connect(database.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
