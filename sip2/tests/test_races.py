"""Kiosks at once, on PostgreSQL (real row locks): one item, two kiosks, exactly one loan."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from circulation.models import Loan
from sip2.tests.conftest import PIN, RawClient, sip_now

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]


def at_once(clients, requests) -> list[str]:
    start = threading.Barrier(len(clients))
    replies: list[str] = [""] * len(clients)

    def run(index: int) -> None:
        start.wait()
        replies[index] = clients[index].ask(requests[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return replies


def login(port: int) -> RawClient:
    client = RawClient(port)
    assert client.ask("9300CNkiosk|COkiosk|CPpusat|") == "941"
    return client


def test_two_kiosks_checking_out_one_item_make_exactly_one_loan(
    sip_server, make_member, item, library
):
    from django.contrib.auth import get_user_model

    from patrons.services.pins import set_pin

    admin = get_user_model().objects.create_superuser("root-race", "root-race@example.org", "x")
    members = [set_pin(make_member(), PIN, by=admin) for _ in range(2)]
    for _round in range(3):
        clients = [login(sip_server.port) for _ in members]
        requests = [
            f"11NN{sip_now()}{' ' * 18}AOpusat|AA{m.number}|AB{item.barcode}|AD{PIN}|"
            for m in members
        ]
        replies = at_once(clients, requests)
        assert sorted(reply[:3] for reply in replies) == ["120", "121"]
        assert Loan.objects.filter(item=item, state="on_loan").count() == 1
        # back in for the next round
        assert (
            clients[0].ask(f"09N{sip_now()}{sip_now()}APpusat|AOpusat|AB{item.barcode}|")[:3]
            == "101"
        )
        for client in clients:
            client.close()


def test_twenty_kiosks_at_once(sip_server, item):
    clients = [login(sip_server.port) for _ in range(20)]
    replies = at_once(clients, [f"17{sip_now()}AOpusat|AB{item.barcode}|"] * 20)
    assert all(reply.startswith("1803") for reply in replies)
    for client in clients:
        client.close()
