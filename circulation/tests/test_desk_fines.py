"""Fines at the desk: the ledger, payments (bad amounts get the service's clear message and
nothing changes), receipts, waivers for the head only with a reason, damage charges."""

from __future__ import annotations

import pytest
from django.urls import reverse

from circulation import services
from circulation.models import FineEntry
from circulation.selectors import fine_balance
from circulation.tests.test_desk import desk_client
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(make_user, library):
    return make_user("kepala", roles={"head"}, totp=True)


@pytest.fixture
def owing(member, librarian):
    services.charge(member, 12500, kind="damaged", reason="halaman sobek", staff=librarian)
    return member


@pytest.fixture
def desk(librarian, branches):
    return desk_client(librarian, branches[0])


def test_the_ledger_shows_charges_payments_and_the_balance(desk, owing, librarian):
    services.pay(owing, 2500, method="transfer", staff=librarian)
    page = desk.get(reverse("circulation:fines", args=[owing.pk])).content.decode()
    assert "halaman sobek" in page and "Damaged item" in page
    assert "Bank transfer" in page and "Rp\xa010.000" in page
    assert "Take a payment" in page and 'id="waive-title"' not in page  # head only


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "The amount must be more than Rp 0."),
        ("-500", "The amount must be more than Rp 0."),
        ("12.501", "The amount Rp\xa012.501 is more than the Rp\xa012.500 owed."),
        ("dua ribu", "Enter the amount in whole Rupiah"),
        ("12,5", "Enter the amount in whole Rupiah"),
    ],
)
def test_a_bad_payment_amount_gets_a_clear_message_and_nothing_changes(desk, owing, typed, message):
    response = desk.post(
        reverse("circulation:pay", args=[owing.pk]), {"amount": typed, "method": "cash"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert fine_balance(owing) == 12500 and FineEntry.objects.count() == 1


def test_a_payment_typed_the_indonesian_way_is_taken_with_a_receipt(desk, owing):
    response = desk.post(
        reverse("circulation:pay", args=[owing.pk]), {"amount": "Rp 10.000", "method": "qris"}
    )
    entry = FineEntry.objects.get(kind="payment")
    assert response.status_code == 302 and response["Location"].endswith(f"?paid={entry.pk}")
    page = desk.get(response["Location"]).content.decode()
    assert f"Print receipt {entry.receipt_number}" in page
    assert reverse("circulation:payment-receipt", args=[entry.pk]) in page
    assert fine_balance(owing) == 2500


def test_only_the_head_waives_and_must_give_a_reason(desk, owing, head, branches):
    url = reverse("circulation:waive", args=[owing.pk])
    assert desk.post(url, {"amount": "2500", "reason": "banjir"}).status_code == 403
    head_desk = desk_client(head, branches[0])
    page = head_desk.get(reverse("circulation:fines", args=[owing.pk])).content.decode()
    assert "Amount to waive" in page
    response = head_desk.post(url, {"amount": "2500", "reason": ""})
    assert "Give a reason" in response.content.decode()
    assert fine_balance(owing) == 12500
    response = head_desk.post(url, {"amount": "2500", "reason": "bencana banjir"})
    assert response.status_code == 302
    assert fine_balance(owing) == 10000
    assert AuditEntry.objects.get(action="circulation.waiver").details["reason"] == "bencana banjir"


def test_a_damaged_item_is_charged_its_price_by_default(desk, member, item, librarian):
    loan = services.check_out(item, member, staff=librarian).loan
    url = reverse("circulation:charge", args=[member.pk])
    response = desk.post(url, {"barcode": item.barcode, "amount": "", "reason": "basah"})
    assert response.status_code == 302
    entry = FineEntry.objects.get()
    assert entry.amount == 50000 and entry.loan == loan and entry.kind == "damaged"
    assert entry.reason == f"{item.barcode}: basah"
    response = desk.post(url, {"barcode": "NOPE", "amount": "1000", "reason": "x"})
    assert "No item has the barcode “NOPE”." in response.content.decode()
    response = desk.post(url, {"barcode": "", "amount": "-5", "reason": "x"})
    assert "A charge must be more than Rp 0." in response.content.decode()
    assert FineEntry.objects.count() == 1


def test_a_cataloguer_cannot_see_or_take_fines(make_user, branches, owing):
    client = desk_client(make_user("katalog", roles={"cataloguer"}), branches[0])
    assert client.get(reverse("circulation:fines", args=[owing.pk])).status_code == 403
    response = client.post(
        reverse("circulation:pay", args=[owing.pk]), {"amount": "100", "method": "cash"}
    )
    assert response.status_code == 403
    assert fine_balance(owing) == 12500
