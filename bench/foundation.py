"""Foundation benchmark: demo build rate, page weight and server time of the shell pages.

    .venv/bin/python bench/foundation.py [--members 100000] [--requests 200]

Builds a fresh library in a temporary var/ directory (SQLite, production settings), then prints:
- how fast `pustaka demo` adds members (the benchmark library needs 100,000);
- the bytes a first visit transfers for each shell page (gzip HTML + its CSS and JS, as
  WhiteNoise serves them), against the 60 KB budget;
- server time per page (p50 / p95 over N requests through the whole middleware stack),
  against a baseline view that returns "ok" through the same stack in the same run.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BUDGET = 60 * 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200)
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
    from django.conf import settings
    from django.core.management import call_command
    from django.http import HttpResponse
    from django.test import Client
    from django.urls import clear_url_caches, path

    import config.urls

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    call_command("demo", members=args.members, stdout=open(os.devnull, "w"))  # noqa: SIM115
    build = time.perf_counter() - started
    print(f"database: {settings.DATABASES['default']['ENGINE']} in {var}")
    rate = args.members / build
    print(
        f"demo build: {args.members:,} members in {build:.1f} s ({rate:,.0f} members/s; "
        f"100,000 would take ~{100_000 / rate:.0f} s)"
    )

    config.urls.urlpatterns.append(path("bench-baseline/", lambda request: HttpResponse("ok")))
    clear_url_caches()

    client = Client()
    staff = Client()
    from accounts.models import User

    staff.force_login(User.objects.get(username="pustakawan"))

    pages = [
        ("baseline (HttpResponse 'ok')", client, "/bench-baseline/"),
        ("home", client, "/"),
        ("opening hours", client, "/hours/"),
        ("catalogue search", client, "/catalogue/?q=sejarah"),
        ("sign-in", client, "/account/login/"),
        ("staff home (librarian)", staff, "/staff/"),
        ("member list (librarian)", staff, "/staff/members/"),
        ("member search (librarian)", staff, "/staff/members/?q=siti"),
    ]
    static_root = Path(settings.STATIC_ROOT)
    print()
    print(f"{'page':30} {'first visit':>12} {'budget':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for name, who, url in pages:
        response = who.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content
        weight = len(gzip.compress(html))
        for asset in re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
            compressed = static_root / (asset.decode() + ".gz")
            weight += compressed.stat().st_size
        timings = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            who.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        ok = "ok" if weight < BUDGET else "OVER"
        print(f"{name:30} {weight / 1024:9.1f} KB {ok:>7} {p50:8.2f} {p95:8.2f}")


if __name__ == "__main__":
    main()
