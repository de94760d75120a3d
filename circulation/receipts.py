"""Receipts: what a member took home (items and due dates) and what they paid.

Printed on an 80 mm thermal printer from a page with its own print stylesheet, or e-mailed in
the member's language through the background e-mail task once the request's work is
committed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from circulation.models import FineEntry, Loan
from core.models import Branch
from core.selectors import get_library
from core.tasks import send_email
from patrons.models import Member


@dataclass(frozen=True)
class CheckoutReceipt:
    member: Member
    loans: list[Loan]
    branch: Branch | None
    printed_at: dt.datetime
    staff_name: str = ""

    @property
    def first_due(self) -> dt.datetime | None:
        return min((loan.due_at for loan in self.loans), default=None)


def checkout_receipt(
    member: Member, loans: list[Loan], *, branch: Branch | None, staff=None
) -> CheckoutReceipt:
    return CheckoutReceipt(
        member=member,
        loans=loans,
        branch=branch,
        printed_at=timezone.now(),
        staff_name=staff.get_username() if staff is not None else "",
    )


def email_checkout_receipt(receipt: CheckoutReceipt) -> bool:
    """Queue the receipt to the member's e-mail address after commit. False: no address."""
    member = receipt.member
    if not member.email or not receipt.loans:
        return False
    with translation.override(member.preferred_language or "id"):
        text = render_to_string(
            "circulation/email/checkout_receipt.txt",
            {"receipt": receipt, "library": get_library()},
        )
    subject, _separator, body = text.strip().partition("\n")
    recipient = member.email
    transaction.on_commit(
        lambda: send_email.enqueue(subject.strip()[:200], body.strip(), [recipient])
    )
    return True


@dataclass(frozen=True)
class PaymentReceipt:
    entry: FineEntry
    member: Member
    amount: int
    balance_after: int


def payment_receipt(entry: FineEntry) -> PaymentReceipt:
    from circulation.selectors import balance_after

    return PaymentReceipt(
        entry=entry, member=entry.member, amount=-entry.amount, balance_after=balance_after(entry)
    )
