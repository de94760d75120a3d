"""The fines ledger: payments and waivers, clear refusals for bad amounts, receipts."""

import pytest

from circulation import services
from circulation.errors import InvalidPaymentError, OverrideReasonRequiredError
from circulation.models import FineEntry
from circulation.selectors import fine_balance
from core.errors import PermissionDeniedError
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def owing(member, librarian):
    services.charge(member, 12500, kind="damaged", reason="halaman sobek", staff=librarian)
    return member


def test_payment_reduces_the_balance_and_gets_a_receipt(owing, librarian):
    entry = services.pay(owing, 10000, method="cash", staff=librarian)
    assert entry.receipt_number.startswith("R")
    assert fine_balance(owing) == 2500
    assert AuditEntry.objects.filter(action="circulation.payment").exists()


@pytest.mark.parametrize("amount", [0, -500, 12501])
def test_zero_negative_or_oversized_payments_are_refused(owing, librarian, amount):
    with pytest.raises(InvalidPaymentError):
        services.pay(owing, amount, method="cash", staff=librarian)
    assert fine_balance(owing) == 12500
    assert FineEntry.objects.count() == 1


def test_only_the_head_waives_and_must_say_why(owing, librarian, head):
    with pytest.raises(PermissionDeniedError):
        services.waive(owing, 2500, reason="x", staff=librarian)
    with pytest.raises(OverrideReasonRequiredError):
        services.waive(owing, 2500, reason="", staff=head)
    services.waive(owing, 2500, reason="bencana banjir", staff=head)
    assert fine_balance(owing) == 10000


def test_lost_item_charges_its_price(item, member, librarian):
    loan = services.check_out(item, member, staff=librarian).loan
    services.mark_lost(loan, staff=librarian)
    assert fine_balance(member) == item.price
    item.refresh_from_db()
    assert item.status == "lost"
