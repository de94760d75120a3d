"""Per-account field options (Koha's hide_fields, format_due_date, home library…), applied in
one place to every reply: what an account hides is absent from the bytes on the wire."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from pysip2.codec import decode_message

from circulation.models import FineEntry
from circulation.tests.conftest import MONDAY
from circulation.tests.test_desk import desk_client
from sip2 import acs
from sip2 import services as sip_services
from sip2.models import SipAccount
from sip2.protocol import checksum
from sip2.tests.conftest import PIN

pytestmark = pytest.mark.django_db
D = "20261123    100000"
BLANK = " " * 18


def session_for(account, **options) -> acs.Session:
    from core.selectors import get_library

    sip_services.update_account(account, {"language": "en", **options}, by=None)
    session = acs.Session(peer="test", zone=get_library().zone)
    assert acs.respond(session, b"9300CNkiosk|COkiosk|") == b"941\r"
    return session


def ask(session, text: str) -> bytes:
    data = text + "AY1AZ"
    reply = acs.respond(session, (data + checksum(data.encode())).encode())
    decode_message(reply, encoding="utf-8")
    return reply


def patron_info(session, member) -> bytes:
    return ask(session, f"63001{D}          AOpusat|AA{member.number}|AD{PIN}|")


@pytest.fixture
def moment():
    with time_machine.travel(MONDAY, tick=False), translation.override("en"):
        yield


def test_personal_fields_only_when_the_account_sends_them(account, pin_member, moment):
    pin_member.phone = "0812345678"
    pin_member.save()
    reply = patron_info(session_for(account), pin_member)
    assert b"|BE" not in reply and b"|BF" not in reply and b"|BD" not in reply
    reply = patron_info(session_for(account, optional_fields=["BE", "BF"]), pin_member)
    assert f"|BE{pin_member.email}|".encode() in reply and b"|BF0812345678|" in reply
    assert b"|BD" not in reply


def test_hidden_amount_and_expiry_are_absent_from_the_bytes(account, pin_member, moment):
    FineEntry.objects.create(member=pin_member, kind="overdue", amount=1500, at=MONDAY)
    reply = patron_info(session_for(account), pin_member)
    assert b"|BV1500|" in reply and b"|BHIDR|" in reply and b"|PE" in reply
    session = session_for(account, hidden_fields=["BV", "PE"])
    for reply in (
        patron_info(session, pin_member),
        ask(session, f"23001{D}AOpusat|AA{pin_member.number}|AD{PIN}|"),
    ):
        assert b"BV" not in reply and b"BH" not in reply and b"PE2" not in reply
        assert b"|AERina|" in reply


def test_due_date_formats(account, pin_member, make_item, moment):
    item = make_item()
    checkout = f"11NN{D}{BLANK}AOpusat|AA{pin_member.number}|AB{item.barcode}|AD{PIN}|"
    renew = f"29NN{D}{BLANK}AOpusat|AA{pin_member.number}|AB{item.barcode}|AD{PIN}|"
    assert b"|AH20261207    235959|" in ask(session_for(account), checkout)
    assert b"|AH2026-12-07|" in ask(session_for(account, due_date_format="iso"), renew)
    assert b"|AH07/12/2026|" in ask(session_for(account, due_date_format="local"), renew)
    info = ask(session_for(account, due_date_format="local"), f"17{D}AB{item.barcode}|")
    assert b"|AH07/12/2026|" in info


def test_home_branch_in_aq_or_in_the_screen_message(account, pin_member, moment):
    reply = patron_info(session_for(account), pin_member)
    assert b"|AQ" not in reply
    reply = patron_info(session_for(account, home_branch_field="AQ"), pin_member)
    assert b"|AQpusat|" in reply
    session = session_for(account, home_branch_field="AF")
    reply = ask(session, f"23001{D}AOpusat|AA{pin_member.number}|AD{PIN}|").decode()
    assert f"AFWelcome, Rina. Home branch: {pin_member.home_branch.name}.|" in reply
    # Not for a wrong PIN: nothing about the member then.
    reply = ask(session, f"23001{D}AOpusat|AA{pin_member.number}|AD0000|").decode()
    assert "Home branch" not in reply


def test_screen_message_prefix(account, pin_member, moment):
    session = session_for(account, screen_message_prefix="[Pusat]")
    reply = ask(session, f"23001{D}AOpusat|AA{pin_member.number}|AD{PIN}|")
    assert b"|AF[Pusat] Welcome, Rina.|" in reply
    reply = ask(session, f"17{D}ABnothing|")
    assert b"|AF[Pusat] Item not recognised.|" in reply


def test_the_staff_screen_saves_the_options(librarian, branches, account):
    from sip2.tests.test_views import form_data

    client = desk_client(librarian, branches[0])
    url = reverse("sip2:account-edit", args=[account.pk])
    page = client.get(url).content.decode()
    assert 'name="hidden_fields"' in page and 'name="due_date_format"' in page
    data = form_data(
        branches[0],
        password="",
        hidden_fields=["BV", "AV"],
        optional_fields=["BE"],
        due_date_format="local",
        home_branch_field="AQ",
        screen_message_prefix="Kiosk 1:",
    )
    assert client.post(url, data).status_code == 302
    account.refresh_from_db()
    assert account.hidden_fields == ["BV", "AV"] and account.optional_fields == ["BE"]
    assert account.due_date_format == "local" and account.home_branch_field == "AQ"
    assert account.screen_message_prefix == "Kiosk 1:"


def test_the_command_sets_the_options(account):
    call_command(
        "sip2_account",
        "kiosk",
        "--hide-fields=bv,pe",
        "--send-fields=BD",
        "--due-date-format=iso",
        "--home-branch=AF",
        "--screen-prefix=Lantai 2:",
    )
    account = SipAccount.objects.get(pk=account.pk)
    assert account.hidden_fields == ["BV", "PE"] and account.optional_fields == ["BD"]
    assert account.due_date_format == "iso" and account.home_branch_field == "AF"
    assert account.screen_message_prefix == "Lantai 2:"
    call_command("sip2_account", "kiosk", "--hide-fields=none", "--home-branch=none")
    account.refresh_from_db()
    assert account.hidden_fields == [] and account.home_branch_field == ""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("sip2_account", "kiosk", "--hide-fields=XX")
