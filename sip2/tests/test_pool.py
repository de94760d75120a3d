"""`pustaka sip2 --processes 2` as it runs in production: its own process tree on the test
database, kiosks on raw sockets. What a kiosk or the staff screen sees must not depend on which
process holds a connection."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from circulation.models import Loan
from sip2.models import SipConnection, SipDailyCount
from sip2.protocol import checksum
from sip2.tests.conftest import PIN, RawClient, sip_now

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


class Pool:
    """One `pustaka sip2 --processes 2` process tree and the raw kiosks connected to it."""

    def __init__(self, tmp_path, env: dict):
        self.port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "PUSTAKA_VAR_DIR": str(tmp_path),
            **env,
        }
        env.pop("REDIS_URL", None)
        command = [sys.executable, str(ROOT / "manage.py"), "sip2", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--processes", "2", "--threads", "2"]
        self.server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - ours
        self.clients: list[RawClient] = []
        assert wait_for(self.reachable, 30), "the SIP2 server did not start"

    def reachable(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def connect(self, login: bool = True) -> RawClient:
        client = RawClient(self.port)
        self.clients.append(client)
        if login:
            assert client.ask("9300CNkiosk|COkiosk|CPpusat|") == "941"
        return client

    def stop(self) -> int:
        for client in self.clients:
            client.close()
        self.server.send_signal(signal.SIGTERM)
        return self.server.wait(20)


@pytest.fixture
def start_pool(account, tmp_path):
    pools: list[Pool] = []

    def start(**env) -> Pool:
        pools.append(Pool(tmp_path, env))
        return pools[-1]

    yield start
    for each in pools:
        assert each.stop() == 0  # stopped cleanly by SIGTERM


@pytest.fixture
def pool(start_pool):
    return start_pool().connect


def processes_holding() -> dict[str, int]:
    rows: dict[str, int] = {}
    for server in SipConnection.objects.values_list("server", flat=True):
        rows[server] = rows.get(server, 0) + 1
    return rows


def answers(kiosk: RawClient) -> bool:
    try:
        return kiosk.ask("9900802.00").startswith("98")
    except OSError:  # ConnectionError, or reset
        return False


def connected(account) -> int:
    from sip2.selectors import accounts_with_activity

    return accounts_with_activity().get(pk=account.pk).connections


def test_connections_are_shared_out_and_the_staff_screen_counts_them_all(pool, account):
    kiosks = [pool() for _ in range(4)]
    # Two processes, two connections each; the staff screen sees all four.
    assert sorted(processes_holding().values()) == [2, 2]
    assert connected(account) == 4
    for kiosk in kiosks:
        assert kiosk.ask("9900802.00").startswith("98")
        assert kiosk.ask("9900802.00").startswith("98")
    for kiosk in kiosks[:2]:
        kiosk.close()
    assert wait_for(lambda: connected(account) == 2)
    for kiosk in kiosks[2:]:
        kiosk.close()
    # Today's counts add up what every process answered (4 logins, 8 status requests).
    assert wait_for(lambda: connected(account) == 0)
    assert wait_for(lambda: SipDailyCount.objects.filter(code="99", count=8).exists())
    assert SipDailyCount.objects.get(code="93").count == 4


def test_checkout_in_one_process_check_in_in_the_other(pool, pin_member, make_item):
    item = make_item()
    first, second = pool(), pool()
    assert len(processes_holding()) == 2
    lend = f"11NN{sip_now()}{' ' * 18}AOpusat|AA{pin_member.number}|AB{item.barcode}|AD{PIN}|"
    assert first.ask(lend).startswith("121")
    assert second.ask(f"17{sip_now()}AOpusat|AB{item.barcode}|").startswith("1804")
    back = f"09N{sip_now()}{sip_now()}APpusat|AOpusat|AB{item.barcode}|"
    assert second.ask(back).startswith("101")
    assert first.ask(f"17{sip_now()}AOpusat|AB{item.barcode}|").startswith("1803")
    assert Loan.objects.get(item=item).state == "returned"


def test_a_retry_and_a_resend_are_answered_by_the_process_holding_the_connection(
    pool, pin_member, make_item
):
    item = make_item()
    kiosks = [pool(), pool()]
    text = f"11NN{sip_now()}{' ' * 18}AOpusat|AA{pin_member.number}|AB{item.barcode}|AD{PIN}|AY4AZ"
    request = text + checksum(text.encode())
    for kiosk in kiosks:  # one connection in each process
        kiosk.ask("9900802.00")
    first = kiosks[1].ask(request)
    assert first.startswith("121")
    assert kiosks[1].ask(request) == first  # the retry: the first reply, not a second act
    assert kiosks[1].ask("97AZ" + checksum(b"97AZ")) == first
    assert Loan.objects.filter(item=item).count() == 1
    assert Loan.objects.get(item=item).events.count() == 1


def test_wrong_pins_count_towards_the_lock_in_every_process(pool, pin_member):
    from patrons.services.pins import MAX_FAILURES

    kiosks = [pool(), pool()]
    assert len(processes_holding()) == 2

    def patron(kiosk, pin: str) -> str:
        return kiosk.ask(f"63000{sip_now()}          AOpusat|AA{pin_member.number}|AD{pin}|")

    for attempt in range(MAX_FAILURES):  # spread over both processes
        assert "CQN" in patron(kiosks[attempt % 2], "9999")
    assert "CQN" in patron(kiosks[0], PIN) and "CQN" in patron(kiosks[1], PIN)


def test_a_process_that_dies_is_replaced_and_its_connections_no_longer_count(pool, account):
    kiosks = [pool() for _ in range(4)]
    holding = processes_holding()
    victim = next(iter(holding))
    os.kill(int(victim.rsplit(":", 1)[1]), signal.SIGKILL)
    assert wait_for(lambda: victim not in processes_holding())
    assert connected(account) == 2
    survivors = [kiosk for kiosk in kiosks if answers(kiosk)]
    assert len(survivors) == 2
    # New kiosks are taken by the new process as well as the survivor.
    fresh = [pool() for _ in range(2)]
    assert all(kiosk.ask("9900802.00").startswith("98") for kiosk in fresh)
    assert wait_for(lambda: len(processes_holding()) == 2 and connected(account) == 4)


@pytest.fixture
def certificate(tmp_path):
    import shutil

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_tls_in_the_processes(start_pool, certificate):
    """The children, not the parent, do the TLS handshake of the connections they are given."""
    import ssl

    cert, key = certificate
    running = start_pool(PUSTAKA_SIP2_TLS_CERT=str(cert), PUSTAKA_SIP2_TLS_KEY=str(key))
    context = ssl.create_default_context(cafile=str(cert))
    sockets = []
    try:
        for _ in range(2):  # one in each process
            plain = socket.create_connection(("127.0.0.1", running.port), timeout=10)
            sock = context.wrap_socket(plain, server_hostname="127.0.0.1")
            sockets.append(sock)
            sock.sendall(b"9300CNkiosk|COkiosk|\r")
            assert sock.recv(100) == b"941\r"
            sock.sendall(b"9900802.00\r")
            assert sock.recv(4096).startswith(b"98")
        assert len(processes_holding()) == 2
    finally:
        for sock in sockets:
            sock.close()
