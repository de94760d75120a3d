"""The library itself: its profile, branches, opening hours and closed days, and the audit log."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TimeZone(models.TextChoices):
    WIB = "Asia/Jakarta", _("WIB: Western Indonesia Time (Asia/Jakarta)")
    WITA = "Asia/Makassar", _("WITA: Central Indonesia Time (Asia/Makassar)")
    WIT = "Asia/Jayapura", _("WIT: Eastern Indonesia Time (Asia/Jayapura)")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Library(models.Model):
    """The installation's own profile. There is exactly one row, with primary key 1."""

    SINGLETON_PK = 1

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=60, blank=True, help_text=_("Shown where space is short.")
    )
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    city = models.CharField(_("city or regency"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    postal_code = models.CharField(
        _("postal code"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("A postal code has five digits."))],
    )
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    whatsapp = models.CharField(_("WhatsApp"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="library/", blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=40, choices=TimeZone.choices, default=TimeZone.WIB
    )
    observe_public_holidays = models.BooleanField(
        _("closed on national public holidays"), default=True
    )
    observe_joint_holidays = models.BooleanField(
        _("closed on joint leave days (cuti bersama)"),
        default=True,
        help_text=_("The government's cuti bersama days, as published for civil servants."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("library profile")
        verbose_name_plural = _("library profile")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="library_is_singleton"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Branch(models.Model):
    code = models.SlugField(
        _("code"), max_length=20, unique=True, help_text=_("A short code, e.g. 'pusat'.")
    )
    name = models.CharField(_("name"), max_length=150)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_main = models.BooleanField(_("main library"), default=False)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive branch is closed every day.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_main"], condition=Q(is_main=True), name="one_main_branch"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningPeriod(models.Model):
    """One span of opening on one weekday; a day may have several (a lunch break)."""

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="opening_periods", verbose_name=_("branch")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens"))
    closes_at = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening period")
        verbose_name_plural = _("opening hours")
        ordering = ["branch", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="opening_period_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="opening_period_valid_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class ClosureKind(models.TextChoices):
    JOINT_HOLIDAY = "joint_holiday", _("Joint leave day (cuti bersama)")
    REGIONAL_HOLIDAY = "regional_holiday", _("Regional holiday")
    LOCAL_CLOSURE = "local_closure", _("Library closure")
    OTHER = "other", pgettext_lazy("closure kind", "Other")


class ClosedDay(models.Model):
    """Days the library (every branch) or one branch is closed, beyond the national holidays."""

    branch = models.ForeignKey(
        Branch,
        on_delete=models.CASCADE,
        related_name="closed_days",
        null=True,
        blank=True,
        verbose_name=_("branch"),
        help_text=_("Leave empty to close every branch."),
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=ClosureKind.choices, default=ClosureKind.LOCAL_CLOSURE
    )
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="closed_day_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"])]

    def __str__(self) -> str:
        return self.reason


class AuditEntry(models.Model):
    """One staff action (or security event). Append-only: written by `core.audit.record` only."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_name = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("record type"), max_length=60, blank=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_repr = models.CharField(_("whom or what"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    path = models.CharField(_("page"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"]),
            models.Index(fields=["actor", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class Sequence(models.Model):
    """Named counters for human-facing numbers (member numbers, receipt numbers…).

    Numbers are reserved in blocks under a row lock (`core.sequences.reserve`), so two desks
    never hand out the same number and bulk imports take a block at once.
    """

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    value = models.PositiveBigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
