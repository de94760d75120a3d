"""Members (anggota) and their categories.

A category carries the rules of its members (how long a membership lasts, whether a guardian must
consent, when unpaid fines or overdue items block borrowing); loan periods and limits per category
live in circulation's loan policies."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Replace, Right
from django.utils.translation import gettext_lazy as _


class CategoryCode(models.TextChoices):
    """The categories every library starts with (a data migration creates them)."""

    GENERAL = "general", _("General public")
    SCHOOL_STUDENT = "school_student", _("School student")
    UNIVERSITY_STUDENT = "university_student", _("University student")
    CHILD = "child", _("Child")
    SENIOR = "senior", _("Senior")
    INSTITUTION = "institution", _("Institution")


class MemberCategory(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    membership_months = models.PositiveSmallIntegerField(
        _("membership lasts (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: membership does not expire."),
    )
    requires_guardian = models.BooleanField(
        _("needs a guardian's consent"),
        default=False,
        help_text=_("For children (UU PDP No. 27/2022): a parent or guardian consents."),
    )
    max_age = models.PositiveSmallIntegerField(
        _("up to age"), null=True, blank=True, help_text=_("Members older than this move on.")
    )
    is_institution = models.BooleanField(_("institution (a school, a community)"), default=False)
    fine_block_limit = models.PositiveIntegerField(
        _("blocked when unpaid fines exceed (Rp)"), null=True, blank=True
    )
    overdue_block_count = models.PositiveSmallIntegerField(
        _("blocked with this many overdue items"), null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("member category")
        verbose_name_plural = _("member categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class MemberStatus(models.TextChoices):
    """pending (registered online, not yet confirmed) -> active -> merged | closed."""

    PENDING = "pending", _("Waiting for confirmation")
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged into another member")
    CLOSED = "closed", _("Closed")


# Statuses of a member who still counts: one NIK each, can be confirmed, renewed, merged into.
CURRENT_STATUSES = frozenset({MemberStatus.PENDING, MemberStatus.ACTIVE})


class RegistrationChannel(models.TextChoices):
    DESK = "desk", _("At the desk")
    ONLINE = "online", _("Online")


class Gender(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")


def member_photo_path(instance: Member, filename: str) -> str:
    """A random name: a photo is personal data, so its address must not be guessable (and it
    never carries the member's name or number)."""
    return f"members/{uuid.uuid4().hex}.jpg"


def _without(expression, characters: str):
    for char in characters:
        expression = Replace(expression, models.Value(char), models.Value(""))
    return expression


class Member(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("sign-in account"),
    )
    number = models.CharField(_("member number"), max_length=20, unique=True)
    full_name = models.CharField(_("full name"), max_length=150, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    category = models.ForeignKey(
        MemberCategory,
        on_delete=models.PROTECT,
        to_field="code",
        db_column="category",
        default=CategoryCode.GENERAL.value,
        related_name="members",
        verbose_name=_("category"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    registered_via = models.CharField(
        _("registered"),
        max_length=10,
        choices=RegistrationChannel.choices,
        default=RegistrationChannel.DESK,
    )
    nik = models.CharField(
        _("NIK"), max_length=16, blank=True, help_text=_("The 16-digit national identity number.")
    )
    institution = models.CharField(_("school or institution"), max_length=200, blank=True)
    photo = models.ImageField(_("photo"), upload_to=member_photo_path, blank=True)
    guardian_name = models.CharField(_("guardian's name"), max_length=150, blank=True)
    guardian_relationship = models.CharField(_("relationship"), max_length=50, blank=True)
    guardian_phone = models.CharField(_("guardian's telephone"), max_length=30, blank=True)
    guardian_consent_at = models.DateTimeField(_("guardian consented on"), null=True, blank=True)
    preferred_language = models.CharField(
        _("language for notices"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    notify_by_email = models.BooleanField(_("send notices by e-mail"), default=True)
    # A PIN for self-check kiosks (SIP2), hashed like a password; empty: no PIN set.
    pin_hash = models.CharField(_("kiosk PIN"), max_length=128, blank=True, editable=False)
    manual_block_reason = models.CharField(_("blocked because"), max_length=300, blank=True)
    blocked_at = models.DateTimeField(_("blocked on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    address = models.TextField(_("address"), blank=True)
    city = models.CharField(_("city or regency"), max_length=100, blank=True)
    home_branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("home branch"),
    )
    joined_on = models.DateField(_("member since"))
    expires_on = models.DateField(_("membership expires"), null=True, blank=True)
    keep_reading_history = models.BooleanField(
        _("keep my reading history"),
        default=False,
        help_text=_("Only when the member chooses it; off by default."),
    )
    confirmed_at = models.DateTimeField(_("confirmed on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed or merged on"), null=True, blank=True)
    # Keys for finding duplicates, kept by the database (so bulk imports get them too): the name
    # in lower case without spaces and punctuation; the last nine digits of the telephone number
    # (so 0812-3456-7890 and +62 812 3456 7890 meet).
    name_key = models.GeneratedField(
        expression=Lower(_without(models.F("full_name"), " .,'-")),
        output_field=models.CharField(max_length=150),
        db_persist=True,
    )
    phone_key = models.GeneratedField(
        expression=Right(_without(models.F("phone"), " .-()+/"), 9),
        output_field=models.CharField(max_length=30),
        db_persist=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["nik"],
                condition=~models.Q(nik="") & models.Q(status__in=["pending", "active"]),
                name="one_active_member_per_nik",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in MemberStatus]),
                name="member_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=MemberStatus.MERGED)
                | models.Q(merged_into__isnull=False),
                name="merged_member_has_target",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")),
                name="member_not_merged_into_itself",
            ),
        ]
        indexes = [
            models.Index(fields=["nik"]),
            models.Index(fields=["status", "expires_on"]),
            models.Index(fields=["name_key", "birth_date"]),
            models.Index(fields=["phone_key"]),
            models.Index(Lower("email"), name="patrons_member_email_lower"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.number})"

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES


class SignupCounter(models.Model):
    """Online registrations tried per network address per hour (kept in the database so that
    every web process agrees; rows older than a day are removed as new ones come)."""

    address = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address", "window_start"], name="one_signup_counter_per_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.address} {self.window_start:%Y-%m-%d %H}: {self.count}"
