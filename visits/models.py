"""The visitor log (buku tamu): who came in, when, to which branch, and why; and the items
used in the library without borrowing (baca di tempat)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    READING = "reading", _("Reading")
    BORROWING = "borrowing", _("Borrowing or returning books")
    STUDYING = "studying", _("Studying")
    RESEARCH = "research", _("Research")
    EVENT = "event", _("An event or activity")
    COMPUTERS = "computers", _("Using computers or Wi-Fi")
    OTHER = "other", _("Something else")


class VisitorKind(models.TextChoices):
    MEMBER = "member", _("Member")
    GUEST = "guest", _("Guest")


GUEST_CATEGORY = "guest"


class Visit(models.Model):
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("visitor"), max_length=10, choices=VisitorKind.choices)
    member = models.ForeignKey(
        "patrons.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    # The member's category at the time of the visit, or "guest": kept for the statistics.
    category = models.CharField(_("category"), max_length=30)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, blank=True)
    guest_name = models.CharField(_("name"), max_length=150, blank=True)
    guest_institution = models.CharField(_("institution"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["branch", "at"]), models.Index(fields=["at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="member") | ~Q(guest_name=""), name="guest_visit_has_name"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["member", "guest"]), name="visit_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class InLibraryUse(models.Model):
    """An item a reader used inside the library and left on a table (baca di tempat)."""

    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    item = models.ForeignKey(
        "catalog.Item", on_delete=models.CASCADE, related_name="+", verbose_name=_("item")
    )
    collection = models.CharField(_("collection"), max_length=20, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("in-library use")
        verbose_name_plural = _("in-library uses")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["branch", "at"]), models.Index(fields=["item", "at"])]

    def __str__(self) -> str:
        return f"{self.item_id} {self.at:%Y-%m-%d %H:%M}"
