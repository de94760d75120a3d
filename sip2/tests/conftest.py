"""SIP2 fixtures: the circulation library, a kiosk account, the server in-process on a free
port (its own event loop in a thread), and the real PyPI `sip2` client pointed at it."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading

import pytest

from circulation.tests.conftest import (  # noqa: F401 - fixtures
    branches,
    item,
    librarian,
    make_item,
    make_member,
    member,
    record,
)

PIN = "1234"
ALL_OPERATIONS = ["63", "23", "11", "09", "29", "65", "17", "15", "37", "35", "01", "25", "19"]


@pytest.fixture
def account(branches, member_categories):  # noqa: F811
    from sip2 import services

    return services.create_account(
        "kiosk", "kiosk", by=None, branch=branches[0], operations=ALL_OPERATIONS
    )


@pytest.fixture
def pin_member(member):  # noqa: F811
    from django.contrib.auth import get_user_model

    from patrons.services.pins import set_pin

    admin = get_user_model().objects.create_superuser("root-pin", "root-pin@example.org", "x")
    return set_pin(member, PIN, by=admin)


class RunningServer:
    def __init__(self, **options):
        from django.utils import timezone

        from sip2.server import Sip2Server

        self.loop = asyncio.new_event_loop()
        self.server = Sip2Server(
            host="127.0.0.1", port=0, keep_connections=False, flush_every=0, **options
        )
        self.server.zone = timezone.get_current_timezone()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        self.port = self.server.port

    def call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def stop(self):
        self.call(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def sip_server(account):
    from django.utils import timezone

    from core.selectors import get_library

    with timezone.override(get_library().zone):
        running = RunningServer()
    yield running
    running.stop()


@pytest.fixture
def make_client(sip_server, tmp_path):
    from Sip2.sip2 import Sip2

    clients = []

    def factory(*, tls=False, login=True, password="kiosk"):
        client = Sip2()
        client.hostName = "127.0.0.1"
        client.hostPort = sip_server.port
        client.tlsEnable = tls
        client.socketTimeout = 10
        client.institutionId = "pusat"
        client.logfile_path = str(tmp_path)
        client.scLocation = "pusat"
        client.connect()
        clients.append(client)
        if login:
            reply = client.get_response(client.sip_login_request("kiosk", password))
            assert client.sip_login_response(reply)["fixed"]["Ok"] == "1"
        return client

    yield factory
    for client in clients:
        try:
            client.disconnect()
        except OSError:
            pass


class RawClient:
    """A plain socket that sends exact bytes and reads one reply up to its CR."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def reply(self) -> bytes:
        while b"\r" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r")
        return line

    def ask(self, text: str, encoding: str = "utf-8") -> str:
        self.send(text.encode(encoding) + b"\r")
        return self.reply().decode(encoding)

    def closed(self) -> bool:
        try:
            return self.sock.recv(1) == b""
        except (ConnectionError, TimeoutError):
            return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw(sip_server):
    clients = []

    def factory(*, login=True):
        client = RawClient(sip_server.port)
        clients.append(client)
        if login:
            assert client.ask("9300CNkiosk|COkiosk|CPpusat|") == "941"
        return client

    yield factory
    for client in clients:
        client.close()


def sip_now() -> str:
    from django.utils import timezone

    return timezone.localtime().strftime("%Y%m%d    %H%M%S")


@pytest.fixture
def today():
    return dt.date.today()
