"""Stocktake (stock opname): a session per branch (optionally a collection or a shelf range),
the codes seen in it, and the items its closing marked missing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Collection, ItemStatus


class SessionState(models.TextChoices):
    OPEN = "open", _("Open: scanning")
    CLOSED = "closed", _("Closed")


class StocktakeSession(models.Model):
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    collection = models.CharField(
        _("collection"),
        max_length=20,
        choices=Collection.choices,
        blank=True,
        help_text=_("Empty: every collection."),
    )
    shelf_from = models.CharField(
        _("shelf locations from"),
        max_length=100,
        blank=True,
        help_text=_("Shelf locations compare letter by letter: 'A' comes before 'B-02'."),
    )
    shelf_to = models.CharField(
        _("shelf locations to"),
        max_length=100,
        blank=True,
        help_text=_("Inclusive: 'C' also covers 'C-12'."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=SessionState.choices, default=SessionState.OPEN
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_missing_count = models.PositiveIntegerField(_("marked missing at closing"), default=0)

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "closed"]), name="stocktake_state_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name or f"{self.branch_id} {self.started_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.state == SessionState.OPEN


class ScanOutcome(models.TextChoices):
    FOUND = "found", _("Found")
    MISPLACED = "misplaced", _("Misplaced (another branch, collection or shelf range)")
    ON_LOAN = "on_loan", _("On loan but seen")
    OTHER_STATUS = "other_status", _("Seen, but not a shelf copy (in transit, hold shelf …)")
    UNKNOWN = "unknown", _("Unknown code")


class ScanSource(models.TextChoices):
    SCAN = "scan", _("Scanned")
    FILE = "file", _("Reader file")


class StocktakeScan(models.Model):
    """One code seen in a session; a code, and an item, count once per session."""

    session = models.ForeignKey(StocktakeSession, on_delete=models.CASCADE, related_name="scans")
    code = models.CharField(_("code"), max_length=64)
    item = models.ForeignKey(
        "catalog.Item", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=ScanOutcome.choices)
    item_status = models.CharField(_("status when seen"), max_length=20, blank=True)
    restored = models.BooleanField(
        _("was missing"), default=False, help_text=_("Marked missing before; available again.")
    )
    source = models.CharField(max_length=10, choices=ScanSource.choices, default=ScanSource.SCAN)
    scanned_at = models.DateTimeField(_("seen"), default=timezone.now)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("stocktake scan")
        verbose_name_plural = _("stocktake scans")
        constraints = [
            models.UniqueConstraint(fields=["session", "code"], name="stocktake_code_once"),
            models.UniqueConstraint(
                fields=["session", "item"],
                condition=Q(item__isnull=False),
                name="stocktake_item_once",
            ),
        ]
        indexes = [models.Index(fields=["session", "outcome"])]

    def __str__(self) -> str:
        return self.code

    @property
    def item_status_label(self) -> str:
        return str(ItemStatus(self.item_status).label) if self.item_status else ""


class StocktakeMissing(models.Model):
    """An item that closing this session marked missing (reopening puts it back)."""

    session = models.ForeignKey(
        StocktakeSession, on_delete=models.CASCADE, related_name="marked_missing"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "item"], name="stocktake_missing_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.item_id}"
