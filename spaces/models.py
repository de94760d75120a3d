"""Spaces (rooms, corners, an auditorium) and equipment of a branch, the rules for booking
them, and bookings.

A booking holds one space *or* one piece of equipment over `[starts_at, blocked_until)`, where
`blocked_until` is the end plus the buffer the rules ask for. Equipment booked with a room is
its own booking, attached to the room's (`with_booking`), and follows it.
Overlapping active bookings of one space or one piece of equipment are refused by the database:
an exclusion constraint on PostgreSQL, triggers on SQLite (migration 0002).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spaces.states import ACTIVE_STATES, BookingState


def new_code() -> str:
    return secrets.token_urlsafe(12)


class SpaceKind(models.TextChoices):
    DISCUSSION_ROOM = "discussion_room", _("Discussion room")
    CREATIVE_SPACE = "creative_space", _("Creative and maker space")
    AUDITORIUM = "auditorium", _("Auditorium")
    COMPUTER_CORNER = "computer_corner", _("Computer corner")
    READING_AREA = "reading_area", _("Reading area")


class Feature(models.TextChoices):
    PROJECTOR = "projector", _("Projector")
    WIFI = "wifi", _("Wi-Fi")
    ACCESSIBLE = "accessible", _("Accessible entrance")
    WHITEBOARD = "whiteboard", _("Whiteboard")
    SOUND = "sound", _("Sound system")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
    COMPUTERS = "computers", _("Computers")
    POWER = "power", _("Power sockets")


class Space(models.Model):
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="spaces", verbose_name=_("branch")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SpaceKind.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"), default=6)
    features = models.JSONField(_("features"), default=list, blank=True)
    location = models.CharField(_("where in the building"), max_length=120, blank=True)
    is_bookable = models.BooleanField(_("can be booked"), default=True)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    door_code = models.CharField(max_length=32, default=new_code, unique=True, editable=False)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["branch__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="space_name_unique_in_branch"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="space_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def feature_labels(self) -> list[str]:
        labels = dict(Feature.choices)
        return [str(labels.get(code, code)) for code in self.features]


class SpacePhoto(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="spaces/")
    caption = models.CharField(_("description of the photo"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("photo of a space")
        verbose_name_plural = _("photos of spaces")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption


class EquipmentKind(models.TextChoices):
    PROJECTOR = "projector", _("Projector")
    LAPTOP = "laptop", _("Laptop")
    SOUND_SYSTEM = "sound_system", _("Sound system")
    CAMERA = "camera", _("Camera")
    OTHER = "other", _("Other")


class Equipment(models.Model):
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="equipment", verbose_name=_("branch")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EquipmentKind.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    bookable_alone = models.BooleanField(
        _("can be booked without a room"),
        default=True,
        help_text=_("Otherwise it can only be added to a room booking."),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["branch__position", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name"], name="equipment_name_unique_in_branch"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WhoMayBook(models.TextChoices):
    MEMBERS = "members", _("members")
    PARTNERS = "partners", _("partner organisations")
    STAFF = "staff", _("library staff only")


class BookingRule(models.Model):
    """One cell of the rule matrix: space (or kind of space) x member category. Every value is
    optional; for each value the most specific rule that sets it wins (a space counts more than
    a kind, a category more than none), else Pustaka's default (`spaces.policies`)."""

    name = models.CharField(_("name"), max_length=120)
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("space")
    )
    space_kind = models.CharField(
        _("kind of space"), max_length=20, choices=SpaceKind.choices, blank=True
    )
    member_category = models.ForeignKey(
        "patrons.MemberCategory",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("member category"),
    )
    who_may_book = models.CharField(
        _("who may book"), max_length=10, choices=WhoMayBook.choices, blank=True
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), null=True, blank=True
    )
    min_minutes = models.PositiveSmallIntegerField(
        _("shortest booking (minutes)"), null=True, blank=True
    )
    max_minutes = models.PositiveSmallIntegerField(
        _("longest booking (minutes)"), null=True, blank=True
    )
    days_ahead = models.PositiveSmallIntegerField(_("days ahead"), null=True, blank=True)
    max_active = models.PositiveSmallIntegerField(
        _("upcoming bookings at once"), null=True, blank=True
    )
    max_hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"), null=True, blank=True
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer after each booking (minutes)"), null=True, blank=True
    )
    needs_approval = models.BooleanField(_("staff approve each booking"), null=True, blank=True)
    cancel_hours_before = models.PositiveSmallIntegerField(
        _("cancel or change up to (hours before)"), null=True, blank=True
    )
    check_in_minutes = models.PositiveSmallIntegerField(
        _("check-in window after the start (minutes)"), null=True, blank=True
    )
    no_show_limit = models.PositiveSmallIntegerField(
        _("unused bookings before booking is paused"), null=True, blank=True
    )
    no_show_days = models.PositiveSmallIntegerField(
        _("counting unused bookings over (days)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("booking rule")
        verbose_name_plural = _("booking rules")

    def __str__(self) -> str:
        return self.name


class BookingKind(models.TextChoices):
    BOOKING = "booking", _("Booking")
    BLOCK = "block", _("Blocked by the library")


class Purpose(models.TextChoices):
    STUDY = "study", _("Study group")
    READING_GROUP = "reading_group", _("Reading group")
    MEETING = "meeting", _("Community meeting")
    TRAINING = "training", _("Training or workshop")
    DISCUSSION = "discussion", _("Panel or discussion")
    CREATIVE = "creative", _("Creative work")
    COMPUTER = "computer", _("Computer use")
    OTHER = "other", _("Other")


class BookingSeries(models.Model):
    """A weekly booking of a group (a reading group every Thursday 16:00-17:30)."""

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="series")
    member = models.ForeignKey(
        "patrons.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    group_name = models.CharField(_("group"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("weekly booking")
        verbose_name_plural = _("weekly bookings")

    def __str__(self) -> str:
        return self.group_name or str(self.space)


class Booking(models.Model):
    code = models.CharField(max_length=32, default=new_code, unique=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=10, choices=BookingKind.choices, default=BookingKind.BOOKING
    )
    space = models.ForeignKey(
        Space, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    with_booking = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attached",
        help_text=_("The room booking this equipment comes with."),
    )
    series = models.ForeignKey(
        BookingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    member = models.ForeignKey(
        "patrons.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="space_bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=BookingState.choices, default=BookingState.PENDING
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    blocked_until = models.DateTimeField(_("blocked until (end plus buffer)"))
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.STUDY
    )
    title = models.CharField(_("what for"), max_length=200, blank=True)
    people = models.PositiveSmallIntegerField(_("number of people"), default=1)
    source = models.CharField(
        _("source"),
        max_length=60,
        blank=True,
        help_text=_("Who asked for it: web, desk, maintenance, event:<id> …"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    rules = models.JSONField(_("rules at booking time"), default=dict, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "pk"]
        permissions = [
            ("manage_bookings", _("Can approve, decline, check in and book spaces for members")),
            ("block_space", _("Can block spaces and equipment")),
        ]
        indexes = [
            models.Index(fields=["space", "starts_at"], name="booking_space_start"),
            models.Index(fields=["equipment", "starts_at"], name="booking_equipment_start"),
            models.Index(fields=["member", "state", "starts_at"], name="booking_member_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(space__isnull=False) & Q(equipment__isnull=True))
                | (Q(space__isnull=True) & Q(equipment__isnull=False)),
                name="booking_one_resource",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at"))
                & Q(blocked_until__gte=models.F("ends_at")),
                name="booking_range_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in BookingState]), name="booking_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def resource(self) -> Space | Equipment:
        return self.space if self.space_id else self.equipment

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class BookingEvent(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=12, choices=BookingState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=BookingState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"
