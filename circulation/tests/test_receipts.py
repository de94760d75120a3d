"""Receipts: a printable 80 mm loan receipt, the same e-mailed after commit in the member's
language, and a printable payment receipt with the balance right after the payment."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from circulation import receipts, services
from circulation.tests.conftest import MONDAY
from circulation.tests.test_desk import HTMX, desk_client, scan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def desk(librarian, branches):
    return desk_client(librarian, branches[0])


def test_the_printed_receipt_lists_this_sessions_items_and_due_dates(
    desk, member, make_item, librarian
):
    earlier = make_item()
    services.check_out(earlier, member, staff=librarian)
    today = make_item()
    scan(desk, member.number)
    html = scan(desk, today.barcode)
    loan_id = desk.session["desk_loans"][0]
    url = f"{reverse('circulation:receipt', args=[member.pk])}?loan={loan_id}"
    assert url in html.replace("&amp;", "&")
    page = desk.get(url).content.decode()
    assert "Loan receipt" in page and "Rina" in page and "M00001" in page
    assert today.barcode in page and "due 7 December 2026" in page
    assert earlier.barcode not in page  # only what was borrowed in this visit
    assert "circulation/receipt.css" in page and "Perpustakaan Uji" in page
    # Without loan ids: every current loan.
    page = desk.get(reverse("circulation:receipt", args=[member.pk])).content.decode()
    assert earlier.barcode in page and today.barcode in page


def test_the_receipt_of_another_members_loan_shows_nothing_of_it(
    desk, member, make_member, item, librarian
):
    other = make_member("Budi")
    loan = services.check_out(item, other, staff=librarian).loan
    page = desk.get(
        reverse("circulation:receipt", args=[member.pk]), {"loan": loan.pk}
    ).content.decode()
    assert item.barcode not in page and "Nothing on loan." in page


def test_the_receipt_is_e_mailed_after_commit_in_the_members_language(
    desk, make_member, item, mailoutbox, django_capture_on_commit_callbacks
):
    reader = make_member("Siti", preferred_language="en")
    scan(desk, reader.number)
    scan(desk, item.barcode)
    url = reverse("circulation:email-receipt", args=[reader.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        html = desk.post(url, {"loan": desk.session["desk_loans"]}, **HTMX).content.decode()
    assert len(callbacks) == 1
    assert f"on its way to {reader.email}" in html
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [reader.email]
    assert mail.subject == "Your loans from Perpustakaan Uji"
    assert "Laskar pelangi (I00001): due 7 December 2026" in mail.body


def test_a_member_without_e_mail_is_told_to_print(desk, make_member, item, mailoutbox):
    reader = make_member(email="")
    scan(desk, reader.number)
    scan(desk, item.barcode)
    html = desk.post(
        reverse("circulation:email-receipt", args=[reader.pk]), **HTMX
    ).content.decode()
    assert "no e-mail address" in html and mailoutbox == []


def test_the_payment_receipt_shows_the_amount_method_and_what_is_still_owed(
    desk, member, librarian
):
    services.charge(member, 12500, kind="damaged", reason="sobek", staff=librarian)
    entry = services.pay(member, 10000, method="qris", staff=librarian)
    services.pay(member, 2500, method="cash", staff=librarian)  # later: not on this receipt
    page = desk.get(reverse("circulation:payment-receipt", args=[entry.pk])).content.decode()
    assert entry.receipt_number in page and "Rp\xa010.000" in page and "QRIS" in page
    assert "Rp\xa02.500" in page  # owed right after this payment
    assert receipts.payment_receipt(entry).balance_after == 2500


def test_slips_and_receipts_need_desk_permissions(make_user, branches, member, librarian):
    entry = services.charge(member, 500, kind="damaged", reason="x", staff=librarian)
    payment = services.pay(member, 500, method="cash", staff=librarian)
    client = desk_client(make_user("katalog", roles={"cataloguer"}), branches[0])
    assert client.get(reverse("circulation:receipt", args=[member.pk])).status_code == 403
    assert client.get(reverse("circulation:payment-receipt", args=[payment.pk])).status_code == 403
    assert entry.pk != payment.pk
