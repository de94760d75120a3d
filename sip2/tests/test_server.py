"""Raw frames over TCP: error detection, retries, bad input, framing, several kiosks."""

from __future__ import annotations

import time

import pytest
from pysip2.codec import decode_message

from circulation.models import Loan
from sip2.protocol import checksum
from sip2.tests.conftest import PIN, sip_now

pytestmark = pytest.mark.django_db(transaction=True)


def signed(text: str) -> str:
    return text + checksum(text.encode())


def checkout(member, item, seq="3") -> str:
    return signed(
        f"11NN{sip_now()}{' ' * 18}AOpusat|AA{member.number}|AB{item.barcode}|AC|AD{PIN}|"
        f"BON|BIN|AY{seq}AZ"
    )


def valid(reply: str) -> bool:
    decode_message((reply + "\r").encode(), encoding="utf-8")
    return True


def test_reply_echoes_sequence_and_checksum(raw):
    client = raw()
    reply = client.ask(signed("9900802.00AY5AZ"))
    assert reply.startswith("98") and "|AY5AZ" in reply
    assert valid(reply)


def test_bad_checksum_gets_96(raw):
    client = raw()
    assert client.ask("9900802.00AY1AZ0000") == "96"
    # the connection goes on
    assert client.ask(signed("9900802.00AY2AZ")).startswith("98")


def test_no_checksum_gets_a_reply_without_one(raw):
    client = raw()
    reply = client.ask("9900802.00")
    assert reply.startswith("98") and "AZ" not in reply


def test_a_retry_is_answered_with_the_first_reply_and_lends_once(raw, pin_member, make_item):
    item = make_item()
    client = raw()
    request = checkout(pin_member, item)
    first = client.ask(request)
    assert first.startswith("121")
    time.sleep(1.1)  # a real retry comes later; the reply must still be the first one
    again = client.ask(request)
    assert again == first
    assert Loan.objects.filter(item=item).count() == 1
    assert Loan.objects.get(item=item).events.count() == 1


def test_97_resends_the_last_reply(raw):
    client = raw()
    first = client.ask(signed("9900802.00AY1AZ"))
    assert client.ask(signed("97AZ")) == first


def test_message_before_login_is_refused_and_closed(raw):
    client = raw(login=False)
    assert client.ask("9900802.00") == "940"
    assert client.closed()


def test_failed_login_after_a_good_one_clears_the_session(raw):
    client = raw()
    assert client.ask("9300CNkiosk|COwrong|") == "940"
    assert client.closed()


@pytest.mark.parametrize(
    "garbage",
    [b"\x00\xff\xfe garbage", b"hello world", b"ZZ", b"6", b"42|||", b"\xc3\x28"],
)
def test_garbage_gets_96_and_the_kiosk_beside_keeps_working(raw, garbage):
    bad, good = raw(), raw()
    bad.send(garbage + b"\r")
    assert bad.reply() == b"96"
    assert good.ask("9900802.00").startswith("98")


def test_tls_hello_on_the_plain_port_is_closed(raw):
    client = raw(login=False)
    client.send(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03")
    assert client.closed()


def test_empty_patron_and_item_identifiers(raw, pin_member):
    client = raw()
    reply = client.ask(f"11NN{sip_now()}{' ' * 18}AOpusat|AA|AB|AD|")
    assert reply.startswith("120")
    reply = client.ask(f"09N{sip_now()}{sip_now()}APpusat|AOpusat|AB|")
    assert reply.startswith("100")
    reply = client.ask(f"63000{sip_now()}          AOpusat|AA|AD|")
    assert reply.startswith("64") and "BLN" in reply


def test_split_across_reads_and_several_in_one_read(raw):
    client = raw()
    client.send(b"99008")
    time.sleep(0.1)
    client.send(b"02.00\r")
    assert client.reply().startswith(b"98")
    client.send(b"9900802.00\r9900802.00\r\n9900802.00\n")
    assert all(client.reply().startswith(b"98") for _ in range(3))


def test_dropped_mid_message_leaves_no_loan(raw, pin_member, item, sip_server):
    client = raw()
    client.send(checkout(pin_member, item)[:30].encode())
    client.close()
    time.sleep(0.2)
    assert not Loan.objects.exists()
    assert raw().ask("9900802.00").startswith("98")


def test_checkin_routing_for_a_sorter(raw, pin_member, make_item, branches, make_member):
    from circulation import services
    from patrons.services.pins import set_pin  # noqa: F401

    home, other = branches
    item = make_item(branch=other)  # belongs to the other branch: checked in here, it travels
    services.check_out(item, pin_member, staff=None, channel="sip2")
    client = raw()
    reply = client.ask(f"09N{sip_now()}{sip_now()}APpusat|AOpusat|AB{item.barcode}|")
    assert reply.startswith("101YNY")
    assert f"CT{other.code}|" in reply and "CV04|" in reply


def test_checkin_of_an_item_not_on_loan(raw, item):
    client = raw()
    reply = client.ask(f"09N{sip_now()}{sip_now()}APpusat|AOpusat|AB{item.barcode}|")
    assert reply.startswith("100YNY")


def test_item_with_whitespace_and_by_rfid(raw, make_item):
    item = make_item(rfid_tag="E200341201")
    client = raw()
    assert f"AB{item.barcode}|" in client.ask(
        f"17{sip_now()}AOpusat|AB {item.barcode[:2]} {item.barcode[2:]} |"
    )  # noqa: E501
    assert f"AB{item.barcode}|" in client.ask(f"17{sip_now()}AOpusat|ABE200341201|")


def test_disallowed_operation(raw, account, item):
    from sip2 import services

    services.update_account(account, {"operations": ["63"]}, by=None)
    client = raw()
    reply = client.ask(f"17{sip_now()}AOpusat|AB{item.barcode}|")
    assert reply.startswith("1801")


def test_required_error_detection_refuses_frames_without_trailer(raw, account):
    from sip2 import services

    services.update_account(account, {"error_detection": "required"}, by=None)
    client = raw()
    assert client.ask("9900802.00") == "96"
    assert client.ask(signed("9900802.00AY1AZ")).startswith("98")


def test_cp850_account(raw, account, record, make_item):
    from sip2 import services

    record.title = "Pièges"
    record.save()
    item = make_item()
    services.update_account(account, {"encoding": "cp850"}, by=None)
    client = raw()
    reply = client.ask(f"17{sip_now()}AOpusat|AB{item.barcode}|", encoding="cp850")
    assert "AJPièges|" in reply


def test_idle_timeout_closes(sip_server, account, raw):
    from sip2 import services

    services.update_account(account, {"timeout_seconds": 1}, by=None)
    client = raw()
    time.sleep(1.6)
    assert client.closed()


def connected(account) -> int:
    from sip2.selectors import accounts_with_activity

    return accounts_with_activity().get(pk=account.pk).connections


def test_activity_is_recorded_for_the_staff_screen(raw, sip_server, account):
    from sip2.models import SipDailyCount

    client = raw()
    assert connected(account) == 1
    client.ask("9900802.00")
    client.ask("9900802.00AY1AZ0000")  # bad checksum: an error
    client.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not SipDailyCount.objects.filter(code="99").exists():
        time.sleep(0.05)
    counts = {row.code: (row.count, row.errors) for row in SipDailyCount.objects.all()}
    assert counts["93"] == (1, 0) and counts["99"] == (1, 0) and counts["96"] == (1, 1)
    account.refresh_from_db()
    assert account.last_seen_at is not None and connected(account) == 0


@pytest.fixture
def tls_server(account, tmp_path):
    import shutil
    import ssl
    import subprocess

    from django.utils import timezone

    from core.selectors import get_library
    from sip2.server import tls_context
    from sip2.tests.conftest import RunningServer

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    with timezone.override(get_library().zone):
        running = RunningServer(ssl_context=tls_context(str(cert), str(key)))
    yield running, cert, ssl
    running.stop()


def test_tls(tls_server):
    import socket

    running, cert, ssl = tls_server
    context = ssl.create_default_context(cafile=str(cert))
    plain = socket.create_connection(("127.0.0.1", running.port), timeout=10)
    with context.wrap_socket(plain, server_hostname="127.0.0.1") as sock:
        sock.sendall(b"9300CNkiosk|COkiosk|\r")
        assert sock.recv(100) == b"941\r"
        sock.sendall(b"9900802.00\r")
        assert sock.recv(4096).startswith(b"98")
