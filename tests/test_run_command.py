"""The README's run command end to end: gunicorn + WhiteNoise + the task worker on SQLite under
a fresh var/ directory, compressed responses, a page budget, and Ctrl-C stopping everything."""

from __future__ import annotations

import gzip
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE_BUDGET_BYTES = 60 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pustaka(env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "PUSTAKA_VAR_DIR": str(var),
            "PYTHONUNBUFFERED": "1",
        }
    )
    pustaka(env, "migrate", "--noinput")
    pustaka(env, "collectstatic", "--noinput", "--verbosity", "0")
    first = pustaka(env, "demo", "--if-empty", "--members", "5", "--records", "30")
    assert "Demo library ready" in first.stdout
    return env, var


def test_second_start_keeps_the_data(installed):
    env, var = installed
    again = pustaka(env, "demo", "--if-empty", "--members", "5", "--records", "30")
    assert "not rebuilt" in again.stdout
    assert (var / "db.sqlite3").exists()
    assert (var / "secret_key").read_text().strip()


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str, *, gzip_ok: bool = True):
        request = urllib.request.Request(self.base + path)
        if gzip_ok:
            request.add_header("Accept-Encoding", "gzip")
        with self.opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()

    def post(self, path: str, data: dict):
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Referer", self.base + path)
        with self.opener.open(request, timeout=10) as response:
            return response.status, response.read()


def test_run_serves_compressed_pages_runs_the_worker_and_stops_on_ctrl_c(installed):
    env, var = installed
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "serve", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    browser = Browser(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = browser.get("/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)

        # A production server, compressing the page.
        assert status == 200
        assert headers["Server"].startswith("gunicorn")
        assert headers.get("Content-Encoding") == "gzip"
        html = gzip.decompress(body).decode()
        assert '<html lang="id">' in html
        assert "Perpustakaan Umum Kota Samarinda" in html

        # Static files by WhiteNoise: hashed names, compressed, cached for long.
        assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
        assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
        transferred = len(body)
        for asset in assets:
            a_status, a_headers, a_body = browser.get(asset)
            assert a_status == 200
            assert a_headers.get("Content-Encoding") == "gzip", asset
            assert "max-age" in a_headers.get("Cache-Control", "")
            transferred += len(a_body)
        assert transferred < PAGE_BUDGET_BYTES, f"first visit transfers {transferred} bytes"

        # The worker runs beside the web server: a password reset e-mail is sent by it.
        browser.get("/account/password/reset/")
        token = next(c.value for c in browser.jar if c.name == "csrftoken")
        browser.post(
            "/account/password/reset/",
            {"csrfmiddlewaretoken": token, "email": "anggota@demo.pustaka.example"},
        )
        mail_dir = var / "mail"
        deadline = time.monotonic() + 20
        while not (mail_dir.exists() and any(mail_dir.iterdir())):
            assert time.monotonic() < deadline, "the worker did not send the e-mail"
            time.sleep(0.3)
        sent = next(mail_dir.iterdir()).read_text()
        assert "/account/password/reset/" in sent
    finally:
        # Ctrl-C: SIGINT to the whole foreground group, as a terminal does.
        os.killpg(server.pid, signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert server.returncode == 0, output
    with pytest.raises(ProcessLookupError):
        os.killpg(server.pid, 0)  # nothing it started is left running
