"""SIP2 under load: K kiosks over loopback for S seconds, latency per message type.

    .venv/bin/python bench/sip2.py [--kiosks 20] [--seconds 60]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pustaka_d .venv/bin/python bench/sip2.py

Builds a small demo library in a temporary var/ (production settings; SQLite unless
DATABASE_URL names a PostgreSQL database: empty, or built by an earlier run), gives K members
the kiosk PIN and each kiosk its own ten items on the main branch's shelves, starts `pustaka
sip2` as its own process, then runs K kiosk threads, each on its own persistent connection,
logged in as `kiosk`: status (99) and patron information (63) once per cycle, then item
information (17), checkout (11) and check-in (09) for each of its items. Prints p50/p95/p99 per
message type against the targets (p99 <= 100 ms for 11, 09, 17 and 63; <= 20 ms for 99).
Not a timed test.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS_MS = {"99": 20, "17": 100, "11": 100, "09": 100, "63": 100}
PIN = "1234"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Kiosk:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def ask(self, text: str) -> str:
        self.sock.sendall(text.encode() + b"\r")
        while b"\r" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r")
        return line.decode()


def build(kiosks: int) -> tuple[list[str], list[list[str]]]:
    """The demo library; K members with PINs, ten shelf items per kiosk."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sip2.models import SipAccount

    if not SipAccount.objects.filter(login="kiosk").exists():  # else: built by an earlier run
        call_command(
            "demo", "--members", str(max(200, kiosks * 5)), "--records", "400", verbosity=0
        )

    from catalog.models import Item, ItemStatus
    from circulation.selectors import member_blocks
    from patrons.models import Member, MemberStatus
    from patrons.services.pins import hash_pin

    members = []
    for member in (
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .exclude(category_id="institution")
        .select_related("category")
    ):
        if not member_blocks(member) and not member.loans.filter(state="on_loan").exists():
            members.append(member)
        if len(members) == kiosks:
            break
    if len(members) < kiosks:
        raise SystemExit(f"only {len(members)} members free to borrow")
    Member.objects.filter(pk__in=[m.pk for m in members]).update(pin_hash=hash_pin(PIN))
    shelf = list(
        Item.objects.filter(status=ItemStatus.AVAILABLE, branch__is_main=True)
        .exclude(record__holds__state__in=["waiting", "ready", "in_transit"])
        .values_list("barcode", flat=True)
        .distinct()[: kiosks * 10]
    )
    if len(shelf) < kiosks * 10:
        raise SystemExit(f"only {len(shelf)} shelf items for {kiosks} kiosks")
    return [m.number for m in members], [shelf[i * 10 : (i + 1) * 10] for i in range(kiosks)]


def run_kiosk(port, number, items, start, gate, results, lock) -> None:
    def now() -> str:
        return time.strftime("%Y%m%d    %H%M%S")

    latencies: dict[str, list[float]] = {code: [] for code in TARGETS_MS}
    refused: dict[str, int] = dict.fromkeys(TARGETS_MS, 0)
    kiosk = Kiosk(port)
    assert kiosk.ask("9300CNkiosk|COkiosk|CPpusat|") == "941"
    blank = " " * 18
    gate.wait()  # every kiosk logged in
    start.wait()
    deadline = start.deadline

    def timed(code: str, text: str, ok_prefix: str) -> None:
        began = time.perf_counter()
        reply = kiosk.ask(text)
        latencies[code].append(time.perf_counter() - began)
        if not reply.startswith(ok_prefix):
            refused[code] += 1

    while time.monotonic() < deadline:
        timed("99", "9900802.00", "98Y")
        timed("63", f"63000{now()}          AOpusat|AA{number}|AD{PIN}|", "64")
        for barcode in items:
            if time.monotonic() >= deadline:
                break
            timed("17", f"17{now()}AOpusat|AB{barcode}|", "18")
            timed("11", f"11NN{now()}{blank}AOpusat|AA{number}|AB{barcode}|AD{PIN}|", "121")
            timed("09", f"09N{now()}{now()}APpusat|AOpusat|AB{barcode}|", "101")
    with lock:
        for code, values in latencies.items():
            results["latencies"][code].extend(values)
            results["refused"][code] += refused[code]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="pustaka-bench-sip2-")
    os.environ.update(
        {
            "PUSTAKA_VAR_DIR": var,
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "PUSTAKA_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from config.cli import activate_library_time_zone

    began = time.perf_counter()
    numbers, item_sets = build(args.kiosks)
    activate_library_time_zone()
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"library built in {time.perf_counter() - began:.1f} s ({database}, {var})")

    port = free_port()
    command = [sys.executable, str(ROOT / "manage.py"), "sip2", "--host", "127.0.0.1"]
    server = subprocess.Popen(  # noqa: S603 - our own command
        [*command, "--port", str(port)],
        cwd=ROOT,
        env=dict(os.environ),
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        results = {
            "latencies": {code: [] for code in TARGETS_MS},
            "refused": dict.fromkeys(TARGETS_MS, 0),
        }
        lock = threading.Lock()
        gate = threading.Barrier(args.kiosks + 1)
        start = threading.Event()
        threads = [
            threading.Thread(
                target=run_kiosk, args=(port, number, items, start, gate, results, lock)
            )
            for number, items in zip(numbers, item_sets, strict=True)
        ]
        for thread in threads:
            thread.start()
        gate.wait()
        started = time.monotonic()
        start.deadline = started + args.seconds
        start.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(15)

    total = sum(len(v) for v in results["latencies"].values())
    print(
        f"{args.kiosks} kiosks, {elapsed:.0f} s, {total:,} messages "
        f"({total / elapsed:,.0f}/s); server: one `pustaka sip2` process"
    )
    header = f"{'message':<22}{'count':>8}{'refused':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(header + "  target")
    names = {
        "99": "99 SC status",
        "63": "63 patron info",
        "17": "17 item info",
        "11": "11 checkout",
        "09": "09 check-in",
    }  # noqa: E501
    for code in ("99", "63", "17", "11", "09"):
        values = results["latencies"][code]
        if not values:
            continue
        p50, p95, p99 = (percentile(values, q) * 1000 for q in (0.5, 0.95, 0.99))
        verdict = "ok" if p99 <= TARGETS_MS[code] else "MISSED"
        print(
            f"{names[code]:<22}{len(values):>8}{results['refused'][code]:>9}"
            f"{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}  p99 <= {TARGETS_MS[code]} ms {verdict}"
        )


if __name__ == "__main__":
    main()
