"""Byte-exact exchanges, one per message type, at a fixed moment (Monday 23 November 2026,
10:00 WITA), straight through `acs.respond` (no TCP). Each reply is also decoded by pysip2."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import translation
from pysip2.codec import decode_message

from circulation.tests.conftest import MONDAY
from sip2 import acs
from sip2.protocol import checksum

D = "20261123    100000"
BLANK = " " * 18


def signed(text: str) -> bytes:
    return (text + checksum(text.encode())).encode()


@pytest.fixture
def kiosk(account, pin_member, make_item, librarian):
    from core.selectors import get_library
    from sip2 import services

    # English screen messages: the Indonesian catalogue is compiled later by the lead.
    services.update_account(account, {"acting_user": librarian, "language": "en"}, by=None)
    session = acs.Session(peer="test", zone=get_library().zone)
    with time_machine.travel(MONDAY, tick=False), translation.override("en"):
        assert acs.respond(session, b"9300CNkiosk|COkiosk|CPpusat|AY0AZ") is not None
        yield session


def exchange(session, request: str) -> str:
    reply = acs.respond(session, signed(request))
    assert reply.endswith(b"\r")
    decode_message(reply, encoding="utf-8")  # strict, independent codec
    return reply.decode()[:-1]


# (request, reply) with {m} the member number, {b} the item barcode; checksums are added.
GOLDEN = [
    (
        "9900802.00AY1AZ",
        "98YYYYYY300003{D}2.00AOpusat|AMPerpustakaan Uji|BXYYYYYYYYYYYYYYYY|ANkiosk|AF|AG|AY1AZ",
    ),
    (
        "63001{D}  Y       AOpusat|AA{m}|AD1234|BP1|BQ5|AY2AZ",
        "64              001{D}000000000000000000000000AOpusat|AA{m}|AERina|BLY|CQY|BHIDR|"
        "BV1500|CA0005|CB0005|CC50000|PE20271231    000000|AFWelcome, Rina.|AY2AZ",
    ),
    (
        "23001{D}AOpusat|AA{m}|AD1234|AY3AZ",
        "24              001{D}AOpusat|AA{m}|AERina|BLY|CQY|BHIDR|BV1500|AFWelcome, Rina.|AY3AZ",
    ),
    (
        "17{D}AOpusat|AB{b}|AY4AZ",
        "18030001{D}CF0|AB{b}|AJLaskar pelangi|AQpusat|APpusat|CK001|AFAvailable|AY4AZ",
    ),
    (
        "11NN{D}{BLANK}AOpusat|AA{m}|AB{b}|AC|AD1234|BON|BIN|AY5AZ",
        "121NNY{D}AOpusat|AA{m}|AB{b}|AJLaskar pelangi|AH20261207    235959|CK001|"
        "AFDue back Dec. 7, 2026.|AGDue back Dec. 7, 2026.|AY5AZ",
    ),
    (
        "29NN{D}{BLANK}AOpusat|AA{m}|AD1234|AB{b}|BON|AY6AZ",
        "301YNN{D}AOpusat|AA{m}|AB{b}|AJLaskar pelangi|AH20261207    235959|CK001|"
        "AFRenewed, due back Dec. 7, 2026.|AGRenewed, due back Dec. 7, 2026.|AY6AZ",
    ),
    (
        "65AOpusat|AA{m}|AD1234|BON|AY7AZ",  # as the sip2 client sends it: no date
        "6610001000020261123    100000AOpusat|BM{b}|AF1 renewed, 0 not renewed.|AY7AZ",
    ),
    (
        "09N{D}{D}APpusat|AOpusat|AB{b}|AC|AY8AZ",
        "101YNN{D}AOpusat|AB{b}|AQpusat|AJLaskar pelangi|AFThank you. The item is returned.|"
        "AGThank you. The item is returned.|AY8AZ",
    ),
    (
        "15+{D}BY2|AOpusat|AA{m}|AD1234|AB{b}|BON|AY9AZ",
        "161N{D}BR1|BSpusat|AOpusat|AA{m}|AB{b}|AJLaskar pelangi|"
        "AFHold placed: you are number 1 in the queue.|AY9AZ",
    ),
    (
        "15-{D}AOpusat|AA{m}|AD1234|AB{b}|AY0AZ",
        "161N{D}BR1|BSpusat|AOpusat|AA{m}|AB{b}|AJLaskar pelangi|AFHold cancelled.|AY0AZ",
    ),
    (
        "37{D}0100IDRAOpusat|AA{m}|AD1234|BV1500|AY1AZ",
        "38Y{D}AOpusat|AA{m}|BKR00000001|AFPayment received. Receipt R00000001.|AY1AZ",
    ),
    (
        "01N{D}AOpusat|AL card retained|AA{m}|AC|AY2AZ",
        "24YYYY          000{D}AOpusat|AA{m}|AERina|BLY|CQY|BHIDR|BV0|"
        "AFYou may not borrow now: blocked: SIP2: card retained|AY2AZ",
    ),
    (
        "25{D}AOpusat|AA{m}|AD1234|AY3AZ",
        "26              000{D}AOpusat|AA{m}|AERina|BLY|CQY|BHIDR|BV0|AFWelcome, Rina.|AY3AZ",
    ),
    (
        "19{D}AOpusat|AB{b}|CHxx|AY4AZ",
        "201{D}AB{b}|AJLaskar pelangi|CHxx|AFItem properties saved.|AY4AZ",
    ),
    (
        "35{D}AOpusat|AA{m}|AD1234|AY5AZ",
        "36Y{D}AOpusat|AA{m}|AFThank you. Goodbye!|AY5AZ",
    ),
    ("97AZ", None),  # the last reply again, byte for byte
]


def test_golden_exchanges(kiosk, pin_member, make_item):
    from circulation.models import FineEntry

    item = make_item()
    FineEntry.objects.create(member=pin_member, kind="overdue", amount=1500, at=MONDAY)
    values = {"D": D, "BLANK": BLANK, "m": pin_member.number, "b": item.barcode}
    previous = None
    for request, expected in GOLDEN:
        reply = exchange(kiosk, request.format(**values))
        if expected is None:
            assert reply == previous
            continue
        text = expected.format(**values)
        assert reply == signed(text).decode(), request
        previous = reply


def test_unknown_patron_and_item(kiosk):
    assert (
        exchange(kiosk, f"23001{D}AOpusat|AAnobody|AD1|AY1AZ")
        == signed(
            f"24YYYY          001{D}AOpusat|AAnobody|AE|BLN|CQN|"
            "AFMember card not recognised. Please ask at the desk.|AY1AZ"
        ).decode()
    )
    assert (
        exchange(kiosk, f"17{D}AOpusat|ABnothing|AY2AZ")
        == signed(f"18010001{D}ABnothing|AJ|AFItem not recognised.|AY2AZ").decode()
    )
    reply = exchange(kiosk, f"11NN{D}{BLANK}AOpusat|AAnobody|ABx|AD1|AY3AZ")
    assert reply.startswith("120NUN")
