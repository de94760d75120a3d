"""Loan rules, loans, holds, transfers, the fines ledger and sent notices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circulation.states import (
    ACTIVE_HOLD_STATES,
    TRAPPED_HOLD_STATES,
    Channel,
    HoldState,
    LoanState,
)

# ---------------------------------------------------------------------------------------------
# Loan rules


class LoanPolicy(models.Model):
    """One cell of the loan-rule matrix: member category x material type x branch, each of them
    optional (empty = any). For every rule value, the most specific policy that sets it wins;
    values left empty are inherited from less specific policies (`circulation.policies`)."""

    name = models.CharField(_("name"), max_length=100)
    member_category = models.ForeignKey(
        "patrons.MemberCategory",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        to_field="code",
        verbose_name=_("member category"),
        help_text=_("Empty: every category."),
    )
    material_type = models.CharField(
        _("material type"),
        max_length=20,
        blank=True,
        help_text=_("Empty: every material type."),
    )
    branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("branch"),
        help_text=_("Empty: every branch."),
    )
    loan_days = models.PositiveSmallIntegerField(_("loan period (days)"), null=True, blank=True)
    max_items = models.PositiveSmallIntegerField(_("items at once"), null=True, blank=True)
    max_renewals = models.PositiveSmallIntegerField(_("renewals"), null=True, blank=True)
    fine_per_day = models.PositiveIntegerField(
        _("fine per open day overdue (Rp)"), null=True, blank=True
    )
    grace_days = models.PositiveSmallIntegerField(_("grace days"), null=True, blank=True)
    max_fine = models.PositiveIntegerField(_("largest fine per item (Rp)"), null=True, blank=True)
    holds_allowed = models.BooleanField(_("holds allowed"), null=True, blank=True)
    hold_pickup_days = models.PositiveSmallIntegerField(
        _("open days to collect a hold"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("loan rule")
        verbose_name_plural = _("loan rules")
        constraints = [
            # Empty means "any": compare empties as equal on SQLite and PostgreSQL alike.
            models.UniqueConstraint(
                Coalesce("member_category", Value("")),
                "material_type",
                Coalesce("branch", Value(0)),
                name="one_policy_per_cell",
            )
        ]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------------
# Loans


class Loan(models.Model):
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="loans")
    # Emptied when the loan is returned and settled, unless the member keeps a reading history.
    # Not indexed alone: the (member, state) index and the open-loans index lead with it.
    member = models.ForeignKey(
        "patrons.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
        db_index=False,
    )
    member_category = models.CharField(
        _("member category"), max_length=30, help_text=_("Kept for statistics.")
    )
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("lent at")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=LoanState.choices, default=LoanState.ON_LOAN
    )
    checked_out_at = models.DateTimeField(_("checked out"), default=timezone.now)
    # Read by state (overdue, due soon) or by member, never alone: (state, due_at) and the
    # open-loans index serve it; every index here is written again when a loan is returned.
    due_at = models.DateTimeField(_("due"))
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned at"),
        db_index=False,  # nothing looks loans up by where they came back
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    rules = models.JSONField(
        _("rules at checkout"),
        default=dict,
        help_text=_("The loan rule values in force when the item was lent (fines follow them)."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state__in=[LoanState.ON_LOAN, LoanState.CLAIMED_RETURNED]),
                name="one_active_loan_per_item",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in LoanState]), name="loan_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "state"]),
            models.Index(fields=["state", "due_at"]),
            # Every checkout counts the member's open loans, and every check-in finds the copy's
            # unreturned loan: neither may grow with years of returned loans (reading history).
            # Due first: the desk's panel reads a school's first 50 of 500 without a sort, and
            # the overdue ones are a range of it.
            models.Index(
                fields=["member", "due_at", "id"],
                condition=Q(state__in=[LoanState.ON_LOAN, LoanState.CLAIMED_RETURNED]),
                name="open_loans_by_member",
            ),
            models.Index(
                fields=["item"],
                condition=Q(
                    state__in=[LoanState.ON_LOAN, LoanState.CLAIMED_RETURNED, LoanState.LOST]
                ),
                name="unreturned_loans_by_item",
            ),
        ]
        permissions = [
            ("override_rules", _("Can override circulation warnings (with a reason)")),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.member}"


class LoanEvent(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=30)
    from_state = models.CharField(max_length=20, choices=LoanState.choices)
    to_state = models.CharField(max_length=20, choices=LoanState.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("loan event")
        verbose_name_plural = _("loan events")
        ordering = ["loan", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------
# Holds

# Constraint conditions list states in a fixed order: iterating the frozensets in states.py
# gives a different order per process (string hashing), and makemigrations would then see a
# changed constraint on every run.
_ACTIVE_HOLD_VALUES = ["waiting", "ready", "in_transit", "suspended"]
_TRAPPED_HOLD_VALUES = ["in_transit", "ready"]
assert set(_ACTIVE_HOLD_VALUES) == {s.value for s in ACTIVE_HOLD_STATES}  # noqa: S101
assert set(_TRAPPED_HOLD_VALUES) == {s.value for s in TRAPPED_HOLD_STATES}  # noqa: S101


class Hold(models.Model):
    """A member's place in a record's queue. `queue_number` grows per record in order of
    placement (assigned under the record's lock); the position shown is the rank among the
    active holds, so it has no gaps."""

    # Not indexed alone: (record, queue_number) is unique, and the queue has its own index.
    record = models.ForeignKey(
        "catalog.Record", on_delete=models.CASCADE, related_name="holds", db_index=False
    )
    member = models.ForeignKey("patrons.Member", on_delete=models.CASCADE, related_name="holds")
    pickup_branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("pickup branch")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=HoldState.choices, default=HoldState.WAITING
    )
    queue_number = models.PositiveIntegerField()
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    item = models.ForeignKey(
        "catalog.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item set aside"),
    )
    ready_at = models.DateTimeField(_("ready since"), null=True, blank=True)
    pickup_deadline = models.DateField(_("collect by"), null=True, blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["record", "queue_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "member"],
                condition=Q(state__in=_ACTIVE_HOLD_VALUES),
                name="one_active_hold_per_member_and_record",
            ),
            models.UniqueConstraint(
                fields=["record", "queue_number"], name="queue_number_unique_per_record"
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state__in=_TRAPPED_HOLD_VALUES),
                name="item_set_aside_for_one_hold",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in HoldState]), name="hold_state_valid"
            ),
        ]
        indexes = [
            # The queue in order, without the title's past holds: every check-in asks for the
            # first waiting hold, and positions count the active ones ahead. A popular title
            # gathers thousands of fulfilled holds over the years; none of them is read.
            models.Index(
                fields=["record", "queue_number"],
                condition=Q(state__in=_ACTIVE_HOLD_VALUES),
                name="active_holds_in_queue_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} #{self.queue_number} {self.member}"


class HoldEvent(models.Model):
    hold = models.ForeignKey(Hold, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=HoldState.choices)
    to_state = models.CharField(max_length=20, choices=HoldState.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    reason = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["hold", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state}→{self.to_state}"


# ---------------------------------------------------------------------------------------------
# Transfers between branches


class TransferReason(models.TextChoices):
    RETURN_HOME = "return_home", _("Going back to its home branch")
    HOLD = "hold", _("For a hold at another branch")


class Transfer(models.Model):
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="transfers")
    from_branch = models.ForeignKey("core.Branch", on_delete=models.PROTECT, related_name="+")
    to_branch = models.ForeignKey("core.Branch", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=TransferReason.choices)
    hold = models.ForeignKey(Hold, on_delete=models.SET_NULL, null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(received_at__isnull=True),
                name="one_open_transfer_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.from_branch_id}→{self.to_branch_id}"


# ---------------------------------------------------------------------------------------------
# Fines: a ledger. Charges are positive, payments and waivers negative; the balance is the sum.


class FineKind(models.TextChoices):
    OVERDUE = "overdue", _("Overdue fine")
    LOST = "lost", _("Lost item")
    DAMAGED = "damaged", _("Damaged item")
    PAYMENT = "payment", _("Payment")
    WAIVER = "waiver", _("Waiver")


CHARGE_KINDS = frozenset({FineKind.OVERDUE, FineKind.LOST, FineKind.DAMAGED})
_CHARGE_KIND_VALUES = ["overdue", "damaged", "lost"]  # fixed order, as above


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    QRIS = "qris", _("QRIS")
    OTHER = "other", _("Other")


class FineEntry(models.Model):
    member = models.ForeignKey("patrons.Member", on_delete=models.PROTECT, related_name="fines")
    loan = models.ForeignKey(
        Loan, on_delete=models.SET_NULL, null=True, blank=True, related_name="fines"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FineKind.choices)
    amount = models.BigIntegerField(_("amount (Rp)"))
    method = models.CharField(
        _("paid by"), max_length=10, choices=PaymentMethod.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    receipt_number = models.CharField(_("receipt"), max_length=20, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("fine entry")
        verbose_name_plural = _("fines ledger")
        ordering = ["member", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=_CHARGE_KIND_VALUES, amount__gt=0)
                    | Q(kind__in=[FineKind.PAYMENT, FineKind.WAIVER], amount__lt=0)
                ),
                name="fine_sign_follows_kind",
            ),
            models.UniqueConstraint(
                fields=["loan", "kind"],
                condition=Q(kind=FineKind.OVERDUE),
                name="one_overdue_charge_per_loan",
            ),
        ]
        indexes = [models.Index(fields=["member", "at"])]
        permissions = [("waive_fine", _("Can waive fines (with a reason)"))]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


# ---------------------------------------------------------------------------------------------
# Notices


class NoticeKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE_1 = "overdue_1", _("Overdue (first notice)")
    OVERDUE_2 = "overdue_2", _("Overdue (second notice)")
    OVERDUE_3 = "overdue_3", _("Overdue (third notice)")
    HOLD_READY = "hold_ready", _("Hold ready for pickup")
    HOLD_EXPIRING = "hold_expiring", _("Hold about to expire")
    MEMBERSHIP_EXPIRING = "membership_expiring", _("Membership about to expire")
    RECEIPT = "receipt", _("Receipt")


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent (no address or the member opted out)")


class Notice(models.Model):
    """One notice to one member. `key` makes each notice exist once (e.g. 'overdue_1:loan:42'),
    so a restarted worker or a second run of the daily job sends no duplicate."""

    member = models.ForeignKey("patrons.Member", on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    key = models.CharField(max_length=120, unique=True)
    channel = models.CharField(_("channel"), max_length=20, default="email")
    language = models.CharField(max_length=8, default="id")
    recipient = models.CharField(_("to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    loan = models.ForeignKey(Loan, on_delete=models.SET_NULL, null=True, blank=True)
    hold = models.ForeignKey(Hold, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["member", "-created_at"])]

    def __str__(self) -> str:
        return self.key


# ---------------------------------------------------------------------------------------------
# A member's request to delete their account (UU PDP No. 27/2022: the right to erasure)


class DeletionRequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for staff")
    DONE = "done", _("Account deleted")
    DECLINED = "declined", _("Declined")


class AccountDeletionRequest(models.Model):
    """A member asked, from their own account, to have it deleted. Staff act on it (return of
    items and fines come first; the membership itself is closed or removed in patrons) and mark
    it handled; the request outlives the member row so that the handling stays on record."""

    member = models.ForeignKey(
        "patrons.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deletion_requests",
        verbose_name=_("member"),
    )
    member_number = models.CharField(_("member number"), max_length=20)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    reason = models.TextField(_("member's note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeletionRequestStatus.choices,
        default=DeletionRequestStatus.OPEN,
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff_note = models.CharField(_("staff note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("account deletion request")
        verbose_name_plural = _("account deletion requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="open"),
                name="one_open_deletion_request_per_member",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "done", "declined"]),
                name="deletion_request_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_number} {self.status}"
