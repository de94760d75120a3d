"""Event registration under load on PostgreSQL: N attempts for M seats, W at a time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pustaka_e \
        flock /tmp/pustaka-bench.lock .venv/bin/python bench/events.py \
        [--attempts 500] [--seats 50] [--workers 50] [--processes 1] [--as-served]

Builds (in the database given) a library with one published event of `--seats` seats, then
`--workers` threads (split over `--processes`, as gunicorn workers are), each on its own
connection (opened before the start, as a gunicorn thread keeps its own: CONN_MAX_AGE) and
released together, make `--attempts` registrations through `events.services.register` (the
seat taken in one statement under the event's lock, the confirmation or waiting-list e-mail
queued in the same transaction in the database task queue), every tenth of them submitted
twice. `--as-served` splits them as `pustaka serve` does: PUSTAKA_WEB_WORKERS processes of
PUSTAKA_WEB_THREADS threads (2 × 4 unless set); the other attempts of the burst wait for a
free thread, as requests wait in gunicorn's queue.

Prints exactly how many were confirmed and waitlisted (it must be M and N - M, in order), the
latency of each attempt p50/p95/p99 (target: p99 <= 500 ms), the attempt rate, and how long
after the burst began the answers came (the wait for a free thread included).
The event and its registrations are removed afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_share(event_pk: int, share: list[int], workers: int, gate) -> tuple:
    """Register `share` (attempt numbers) with `workers` threads released together."""
    from django.db import connections

    from events import services
    from events.models import Event

    event = Event.objects.get(pk=event_pk)
    connections.close_all()
    latencies: list[float] = []
    answered: list[float] = []  # time.time() of each answer
    counts = {"new": 0, "again": 0}
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(workers)
    cursor = iter(share)
    if gate is not None:
        gate.wait()

    def worker() -> None:
        # Connected before the start, as a gunicorn thread is (CONN_MAX_AGE keeps its
        # connection between requests): the burst measures registering, not connecting.
        connections["default"].ensure_connection()
        barrier.wait()
        try:
            while True:
                with lock:
                    n = next(cursor, None)
                if n is None:
                    return
                began = time.perf_counter()
                try:
                    made = services.register(
                        event, name=f"Peserta {n}", email=f"p{n}@bench.example"
                    )
                except Exception as error:  # noqa: BLE001 - counted and shown
                    with lock:
                        failures.append(repr(error))
                    continue
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    answered.append(time.time())
                    counts["new" if made.created else "again"] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, counts["new"], counts["again"], failures, answered


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--workers", type=int, default=50, help="threads in all")
    parser.add_argument("--processes", type=int, default=1, help="split the threads over them")
    parser.add_argument(
        "--as-served",
        action="store_true",
        help="processes and threads as `pustaka serve` runs gunicorn (settings)",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (row locks are the point).")
    os.environ.update(
        {
            "PUSTAKA_VAR_DIR": tempfile.mkdtemp(prefix="pustaka-bench-"),
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
            "PUSTAKA_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from core.models import Branch, Library
    from events.models import Event, Registration

    if args.as_served:
        from django.conf import settings

        args.processes = settings.PUSTAKA_WEB_WORKERS
        args.workers = settings.PUSTAKA_WEB_WORKERS * settings.PUSTAKA_WEB_THREADS
    call_command("migrate", verbosity=0)
    if not Library.objects.exists():
        Library.objects.create(name="Bench", time_zone="Asia/Makassar")
    branch = Branch.objects.filter(code="bench").first() or Branch.objects.create(
        code="bench", name="Bench"
    )
    start = timezone.now() + dt.timedelta(days=7)
    event = Event.objects.create(
        title="Bench: lokakarya",
        kind="workshop",
        branch=branch,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=args.seats,
        status="published",
    )

    jobs = list(range(args.attempts))
    jobs += [n for n in range(0, args.attempts, 10)]  # double submissions
    connections.close_all()  # each process and thread opens its own
    wall = time.perf_counter()
    began = time.time()
    if args.processes == 1:
        latencies, new, again, failures, answered = run_share(event.pk, jobs, args.workers, None)
    else:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        gate = context.Barrier(args.processes)
        results = context.Queue()
        per_process = max(1, args.workers // args.processes)
        processes = [
            context.Process(
                target=lambda share: results.put(run_share(event.pk, share, per_process, gate)),
                args=(jobs[p :: args.processes],),
            )
            for p in range(args.processes)
        ]
        for process in processes:
            process.start()
        latencies, new, again, failures, answered = [], 0, 0, [], []
        for _ in processes:
            part = results.get()
            latencies += part[0]
            new, again, failures = new + part[1], again + part[2], failures + part[3]
            answered += part[4]
        for process in processes:
            process.join()
    wall = time.perf_counter() - wall
    created = {"new": new, "again": again}

    registrations = Registration.objects.filter(event=event)
    confirmed = registrations.filter(state="confirmed").count()
    waiting = list(
        registrations.filter(state="waitlisted")
        .order_by("waitlist_number")
        .values_list("waitlist_number", flat=True)
    )
    in_order = waiting == list(range(1, len(waiting) + 1))
    ms = [t * 1000 for t in latencies]
    print(
        f"{len(jobs)} attempts ({args.attempts} people, {len(jobs) - args.attempts} submitted "
        f"twice) for {args.seats} seats, {args.workers} at a time in {args.processes} "
        f"process(es), on PostgreSQL"
    )
    print(
        f"confirmed {confirmed}, waitlisted {len(waiting)} (numbers 1..{len(waiting)} "
        f"{'in order' if in_order else 'NOT IN ORDER'}), duplicates answered with the first "
        f"registration {created['again']}, errors {len(failures)}"
    )
    print(
        f"latency ms: p50 {percentile(ms, 0.50):.1f}  p95 {percentile(ms, 0.95):.1f}  "
        f"p99 {percentile(ms, 0.99):.1f}  max {max(ms):.1f}  mean {statistics.mean(ms):.1f}"
    )
    print(f"rate: {len(jobs) / wall:.0f} attempts/s over {wall:.2f} s")
    since = [(t - began) * 1000 for t in answered]
    print(
        f"answered after the burst began (waiting for a thread included): "
        f"p50 {percentile(since, 0.50):.0f} ms  p99 {percentile(since, 0.99):.0f} ms"
    )
    ok = confirmed == args.seats and len(waiting) == args.attempts - args.seats and in_order
    fast = percentile(ms, 0.99) <= 500
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"never overbooked: {'yes' if ok and not failures else 'NO'}; p99 <= 500 ms: "
        f"{'yes' if fast else 'no'} (load average {load} on {os.cpu_count()} CPUs)"
    )
    registrations.delete()
    event.delete()
    if failures:
        print("first error:", failures[0])
    sys.exit(0 if ok and not failures else 1)


if __name__ == "__main__":
    main()
