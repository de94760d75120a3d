"""The real PyPI `sip2` client over TCP against our server; replies decoded by `pysip2` too."""

from __future__ import annotations

import pytest
from pysip2.codec import decode_message

from circulation.models import Hold, Loan, LoanEvent
from sip2.tests.conftest import PIN

pytestmark = pytest.mark.django_db(transaction=True)


def strict(reply: str) -> object:
    """pysip2 decodes and validates the frame (checksum included)."""
    return decode_message((reply.rstrip("\r") + "\r").encode("utf-8"), encoding="utf-8")


def hold_request(client, mode, item):
    return client.sip_hold_request(mode, holdType=2, itemIdentifier=item.barcode)


def patron(client, member, pin=PIN):
    client.patron = member.number
    client.patronpwd = pin


def test_login_and_status(make_client):
    client = make_client()
    reply = client.get_response(client.sip_sc_status_request())
    strict(reply)
    parsed = client.sip_sc_status_response(reply)
    fixed = parsed["fixed"]
    assert fixed["OnlineStatus"] == "Y"
    assert fixed["CheckinOk"] == "Y" and fixed["CheckoutOk"] == "Y"
    assert fixed["TimeoutPeriod"] == "300"
    assert fixed["ProtocolVersion"] == "2.00"
    assert parsed["variable"]["BX"][0][:3] == "YYY"
    assert parsed["variable"]["AY"] == ["1"]  # our reply echoes the request's sequence number


def test_wrong_password_is_refused(make_client):
    client = make_client(login=False)
    reply = client.get_response(client.sip_login_request("kiosk", "wrong"))
    assert client.sip_login_response(reply)["fixed"]["Ok"] == "0"


def test_tls_probe_on_the_plain_port_falls_back(make_client):
    # The client's default: a TLS hello first. We close; it reconnects in plain TCP.
    client = make_client(tls=True)
    reply = client.get_response(client.sip_sc_status_request())
    assert reply.startswith("98")


def test_patron_information(make_client, pin_member, item):
    from circulation import services

    services.check_out(item, pin_member, staff=None, channel="sip2")
    client = make_client()
    patron(client, pin_member)
    reply = client.get_response(client.sip_patron_information_request("charged", "1", "5"))
    strict(reply)
    parsed = client.sip_patron_information_response(reply)
    variable = parsed["variable"]
    assert variable["BL"] == ["Y"] and variable["CQ"] == ["Y"]
    assert variable["AE"] == [pin_member.full_name]
    assert variable["AU"] == [item.barcode]
    assert parsed["fixed"]["ChargedItemsCount"] == "0001"


def test_patron_information_wrong_pin(make_client, pin_member):
    client = make_client()
    patron(client, pin_member, pin="9999")
    reply = client.get_response(client.sip_patron_information_request("none"))
    strict(reply)
    variable = client.sip_patron_information_response(reply)["variable"]
    assert variable["BL"] == ["Y"] and variable["CQ"] == ["N"]
    assert variable["AE"] == [""]


def test_unknown_patron(make_client, library):
    client = make_client()
    client.patron, client.patronpwd = "NOBODY", "1"
    reply = client.get_response(client.sip_patron_information_request("none"))
    strict(reply)
    parsed = client.sip_patron_information_response(reply)
    assert parsed["variable"]["BL"] == ["N"]
    assert parsed["variable"]["AF"][0]
    assert parsed["fixed"]["PatronStatus"][0] == "Y"


def test_checkout_checkin_renew_hold_end_session(make_client, pin_member, make_item, branches):
    item = make_item()
    other = make_item()
    client = make_client()
    patron(client, pin_member)

    reply = client.get_response(client.sip_checkout_request(item.barcode))
    strict(reply)
    parsed = client.sip_checkout_response(reply)
    assert parsed["fixed"]["Ok"] == "1"
    assert parsed["variable"]["AH"][0]
    loan = Loan.objects.get(item=item, state="on_loan")
    assert loan.channel == "sip2" and loan.member_id == pin_member.pk
    assert LoanEvent.objects.filter(loan=loan, kind="checkout", channel="sip2").exists()

    # Renewing the same day does not move the due date: accepted, nothing used up.
    reply = client.get_response(client.sip_renew_request(itemIdentifier=item.barcode))
    strict(reply)
    assert reply[2] == "1"

    reply = client.get_response(hold_request(client, "+", other))
    strict(reply)
    # Placing a hold on a title the member already has on loan is refused by the services.
    assert reply.startswith("160")

    reply = client.get_response(client.sip_checkin_request(item.barcode))
    strict(reply)
    parsed = client.sip_checkin_response(reply)
    assert parsed["fixed"]["Ok"] == "1"
    loan.refresh_from_db()
    assert loan.state == "returned"
    assert LoanEvent.objects.filter(loan=loan, kind="checkin", channel="sip2").exists()

    reply = client.get_response(hold_request(client, "+", other))
    strict(reply)
    assert reply.startswith("161")
    assert Hold.objects.get(member=pin_member).channel == "sip2"
    assert "BR1|" in reply

    reply = client.get_response(hold_request(client, "-", other))
    assert reply.startswith("161")
    assert Hold.objects.get(member=pin_member).state == "cancelled"

    reply = client.get_response(client.sip_end_patron_session_request())
    strict(reply)
    assert client.sip_end_patron_session_response(reply)["fixed"]["EndSession"] == "Y"


def test_checkout_with_a_wrong_pin_makes_no_loan(make_client, pin_member, item):
    client = make_client()
    patron(client, pin_member, pin="0000")
    reply = client.get_response(client.sip_checkout_request(item.barcode))
    assert reply.startswith("120")
    assert not Loan.objects.exists()


def test_renew_all_from_the_client_without_a_date(make_client, pin_member, make_item):
    from circulation import services

    for _ in range(2):
        services.check_out(make_item(), pin_member, staff=None, channel="sip2")
    client = make_client()
    patron(client, pin_member)
    reply = client.get_response(client.sip_renew_all_request())
    assert reply.startswith("661")
    assert reply[3:11] == "00020000"


def test_item_information(make_client, item):
    client = make_client()
    reply = client.get_response(client.sip_item_information_request(item.barcode))
    strict(reply)
    parsed = client.sip_item_information_response(reply)
    assert parsed["fixed"]["CirculationStatus"] == "03"
    assert parsed["variable"]["AJ"] == [item.record.title]


def test_checkout_in_english(make_client, pin_member, item):
    client = make_client()
    patron(client, pin_member)
    client.language = "001"
    reply = client.get_response(client.sip_patron_information_request("none"))
    assert "Welcome" in reply


def test_hold_place_modify_cancel_with_queue_positions(
    make_client, pin_member, make_member, item, branches
):
    from circulation import services

    services.place_hold(item.record, make_member(), pickup_branch=branches[0])
    client = make_client()
    patron(client, pin_member)
    reply = client.get_response(hold_request(client, "+", item))
    strict(reply)
    assert reply.startswith("161N") and "BR2|BSpusat|" in reply

    # The client's 16 parser reads from a fixed offset (its bug): read the fields ourselves.
    request = client.sip_hold_request(
        "*", holdType=2, itemIdentifier=item.barcode, pickupLocation="cabang"
    )
    reply = client.get_response(request)
    strict(reply)
    assert reply.startswith("161N") and "BR2|BScabang|" in reply
    assert Hold.objects.get(member=pin_member).pickup_branch == branches[1]

    reply = client.get_response(hold_request(client, "-", item))
    strict(reply)
    assert reply.startswith("161N") and "BR2|BScabang|" in reply
    assert Hold.objects.get(member=pin_member).state == "cancelled"


def test_item_status_update_then_item_information(make_client, item):
    client = make_client()
    reply = client.get_response(client.sip_item_status_update_request(item.barcode, "bin 7"))
    strict(reply)
    parsed = client.sip_item_status_update_response(reply)
    assert parsed["fixed"]["ItemPropertiesOk"] == "1"
    assert parsed["variable"]["CH"] == ["bin 7"]
    reply = client.get_response(client.sip_item_information_request(item.barcode))
    strict(reply)
    assert client.sip_item_information_response(reply)["variable"]["CH"] == ["bin 7"]
