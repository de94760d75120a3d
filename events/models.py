"""Programmes and events: events (one session each), series that generate sessions, speakers,
partner organisations, custom questions and registrations (members, guests, groups)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.states import ACTIVE_STATES, RegistrationState


class EventKind(models.TextChoices):
    BOOK_DISCUSSION = "book_discussion", _("Book discussion")
    WORKSHOP = "workshop", _("Workshop")
    SEMINAR = "seminar", _("Seminar")
    TRAINING = "training", _("Training")
    SCREENING = "screening", _("Film screening")
    EXHIBITION = "exhibition", _("Exhibition")
    WEBINAR = "webinar", _("Webinar")
    COMPETITION = "competition", _("Competition")
    QUIZ = "quiz", _("Quiz")
    BAZAAR = "bazaar", _("Book bazaar")
    FESTIVAL = "festival", _("Festival")
    CLASS_VISIT = "class_visit", _("Class visit")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    CHILDREN = "children", _("Children")
    TEENS = "teens", _("Teenagers")
    ADULTS = "adults", _("Adults")
    SENIORS = "seniors", _("Older people")
    FAMILIES = "families", _("Families")
    STUDENTS = "students", _("Students")
    TEACHERS = "teachers", _("Teachers")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly (the same weekday of the month)")


class Partner(models.Model):
    """A co-hosting organisation. A simple record until the community app owns partners."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Speaker(models.Model):
    name = models.CharField(_("name"), max_length=150)
    bio = models.TextField(_("short biography"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("speaker or facilitator")
        verbose_name_plural = _("speakers and facilitators")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """A regular programme (Baca Bersama every Saturday): it generated its sessions, which are
    ordinary events pointing here."""

    title = models.CharField(_("title"), max_length=200)
    frequency = models.CharField(_("repeats"), max_length=10, choices=Frequency.choices)
    interval = models.PositiveSmallIntegerField(
        _("every"), default=1, help_text=_("1 = every week (or month), 2 = every other one.")
    )
    starts_on = models.DateField(_("first session"))
    until = models.DateField(_("last possible session"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["starts_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    age_min = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="id"
    )
    speakers = models.ManyToManyField(
        Speaker, blank=True, related_name="events", verbose_name=_("speakers and facilitators")
    )
    partners = models.ManyToManyField(
        Partner, blank=True, related_name="events", verbose_name=_("co-hosting partners")
    )
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    space = models.ForeignKey(
        "spaces.Space",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("room"),
        help_text=_("A room of the branch: it is booked for the event's whole time."),
    )
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("Or a place by name (a hall, a school, a park), e.g. 'Aula lt. 2'."),
    )
    online_url = models.URLField(
        _("online link"), blank=True, help_text=_("Shown only to people who registered.")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    registration_required = models.BooleanField(_("registration needed"), default=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: when it starts.")
    )
    max_group_size = models.PositiveSmallIntegerField(
        _("largest group"),
        default=1,
        help_text=_("How many people one registration may bring (a teacher with a class)."),
    )
    cost = models.PositiveIntegerField(_("cost (Rupiah)"), default=0)
    accessibility = models.TextField(_("accessibility"), blank=True)
    image = models.ImageField(_("image"), upload_to="events/%Y/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    tags = models.CharField(
        _("tags"), max_length=300, blank=True, help_text=_("Separated by commas.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("series"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of (festival)"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by events.services in the same transactions as the registrations they count (never
    # edited by hand): people holding seats (CONFIRMED, OFFERED, ATTENDED; a group counts its
    # size), registrations waiting, and the last waiting-list number given. A registration
    # takes its seat or its number in one UPDATE of this row (`services.register`).
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    registrations_waiting = models.PositiveIntegerField(default=0, editable=False)
    last_waitlist_number = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "cancelled"]),
                name="event_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(max_group_size__gte=1), name="event_group_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    COUNTERS = ("seats_taken", "registrations_waiting", "last_waitlist_number")

    def save(self, *args, **kwargs) -> None:
        """Saving a changed event never writes its seat counters: an instance read before a
        registration came in would put back old counts. Only the services change them."""
        adding = self._state.adding or kwargs.get("force_insert")
        if not adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.COUNTERS
            ]
        super().save(*args, **kwargs)

    @property
    def venue(self) -> str:
        """Where it is held, as people read it: the room booked for it and/or the place named."""
        room = self.space.name if self.space_id else ""
        return ", ".join(part for part in (room, self.place) if part)

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    @property
    def is_online(self) -> bool:
        return self.kind == EventKind.WEBINAR or bool(self.online_url)

    @property
    def closes_at(self):
        return self.registration_closes_at or self.starts_at


class Question(models.Model):
    """A question the organisers ask everyone who registers (school, t-shirt size …)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=200)
    required = models.BooleanField(_("answer required"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


def new_code() -> str:
    """The registration's code: in the QR, in the links. 20 unguessable characters."""
    return secrets.token_urlsafe(15)


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey(
        "patrons.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("member"),
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    group_name = models.CharField(
        _("group"), max_length=200, blank=True, help_text=_("A school class or organisation.")
    )
    seats = models.PositiveSmallIntegerField(_("people"), default=1)
    state = models.CharField(_("state"), max_length=12, choices=RegistrationState.choices)
    waitlist_number = models.PositiveIntegerField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("confirm before"), null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    code = models.CharField(max_length=32, unique=True, default=new_code)
    series_booking = models.CharField(max_length=32, blank=True, db_index=True)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, default="id")

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["event", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=Q(member__isnull=False, state__in=list(ACTIVE_STATES)),
                name="one_active_registration_per_member",
            ),
            # A guest is the same person by e-mail address or telephone number: registering
            # again (a double submit) cannot make a second live registration.
            models.UniqueConstraint(
                F("event"),
                Lower("email"),
                condition=Q(member__isnull=True, state__in=list(ACTIVE_STATES)) & ~Q(email=""),
                name="one_active_registration_per_guest_email",
            ),
            models.UniqueConstraint(
                fields=["event", "phone"],
                condition=Q(member__isnull=True, state__in=list(ACTIVE_STATES)) & ~Q(phone=""),
                name="one_active_registration_per_guest_phone",
            ),
            models.UniqueConstraint(
                fields=["event", "waitlist_number"],
                condition=Q(waitlist_number__isnull=False),
                name="unique_waitlist_number",
            ),
            models.CheckConstraint(
                condition=Q(state__in=list(RegistrationState.values)),
                name="registration_state_valid",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="registration_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.event}"


class CertificateRole(models.TextChoices):
    ATTENDEE = "attendee", _("Attendance")
    SPEAKER = "speaker", _("Speaker")


CERTIFICATE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to type


def new_certificate_code() -> str:
    """12 unguessable characters in three groups (ABCD-EFGH-JKLM): on the PDF, typed to verify."""
    raw = "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class Certificate(models.Model):
    """A certificate of attendance (sertifikat) for someone who came, or for a speaker. Its
    code is printed on the PDF and verified on a public page."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="certificates")
    role = models.CharField(_("for"), max_length=10, choices=CertificateRole.choices)
    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    speaker = models.ForeignKey(
        Speaker, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["event", "role", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "registration"],
                condition=Q(registration__isnull=False),
                name="one_certificate_per_registration",
            ),
            models.UniqueConstraint(
                fields=["event", "speaker"],
                condition=Q(speaker__isnull=False),
                name="one_certificate_per_speaker",
            ),
            models.CheckConstraint(
                condition=Q(role="attendee", registration__isnull=False, speaker__isnull=True)
                | Q(role="speaker", speaker__isnull=False, registration__isnull=True),
                name="certificate_for_one_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def save(self, *args, **kwargs) -> None:
        if not self.code:
            self.code = new_certificate_code()
        super().save(*args, **kwargs)


class Competition(models.Model):
    """A competition (lomba menulis …) held as an event: people who registered upload an entry
    before the deadline; judges score each entry on the rubric; the ranking is published."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="competition")
    entries_close_at = models.DateTimeField(_("entries close"))
    max_file_mb = models.PositiveSmallIntegerField(_("largest file (MB)"), default=5)
    winners = models.PositiveSmallIntegerField(_("places announced"), default=3)
    judges = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="judged_competitions"
    )
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)

    class Meta:
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")

    def __str__(self) -> str:
        return str(self.event)


class Criterion(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=100)
    max_points = models.PositiveSmallIntegerField(_("most points"), default=10)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_points__gte=1, max_points__lte=100), name="criterion_points_range"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Entry(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="entries")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="entries")
    title = models.CharField(_("title of the entry"), max_length=200)
    file = models.FileField(_("file"), upload_to="competitions/%Y/")
    file_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "registration"], name="one_entry_per_registration"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Review(models.Model):
    """One judge's scores (criterion id → points) and feedback on one entry."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="reviews")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.JSONField(default=dict)
    total = models.PositiveIntegerField(default=0)
    feedback = models.TextField(_("feedback for the entrant"), blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge"], name="one_review_per_judge")
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.total}"


class QuizAnswersShown(models.TextChoices):
    AFTER_SUBMIT = "after_submit", _("As soon as the quiz is submitted")
    AFTER_CLOSE = "after_close", _("When the quiz closes")


class QuizLayout(models.TextChoices):
    ONE_PAGE = "one_page", _("All questions on one page")
    ONE_PER_PAGE = "one_per_page", _("One question per page")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One right choice")
    MULTIPLE = "multiple", _("Several right choices")
    SHORT = "short", _("Short answer")


class Quiz(models.Model):
    """An online quiz (kuis) held as an event: people registered for it answer a question set,
    within a time limit when there is one; scored on submit; a leaderboard for the event."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="quiz")
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Empty: no time limit.")
    )
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts per person"), default=1)
    layout = models.CharField(
        _("layout"), max_length=12, choices=QuizLayout.choices, default=QuizLayout.ONE_PAGE
    )
    answers_shown = models.CharField(
        _("show the score and right answers"),
        max_length=12,
        choices=QuizAnswersShown.choices,
        default=QuizAnswersShown.AFTER_SUBMIT,
    )
    members_only = models.BooleanField(_("members only"), default=False)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=Q(attempts_allowed__gte=1, attempts_allowed__lte=20),
                name="quiz_attempts_range",
            ),
            models.CheckConstraint(
                condition=Q(time_limit_minutes__isnull=True) | Q(time_limit_minutes__gte=1),
                name="quiz_time_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(self.event)

    @property
    def opens(self):
        return self.opens_at or self.event.starts_at

    @property
    def closes(self):
        return self.closes_at or self.event.ends_at


class QuizQuestion(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    kind = models.CharField(
        _("kind of answer"), max_length=10, choices=QuestionKind.choices, default="single"
    )
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    accepted_answers = models.TextField(
        _("accepted answers"),
        blank=True,
        help_text=_("Short answer: every accepted answer, one per line (case does not matter)."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=1, points__lte=100), name="quiz_question_points_range"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["single", "multiple", "short"]),
                name="quiz_question_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def accepted(self) -> list[str]:
        return [a.strip() for a in self.accepted_answers.splitlines() if a.strip()]


class QuizChoice(models.Model):
    question = models.ForeignKey(QuizQuestion, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("choice"), max_length=300)
    is_right = models.BooleanField(_("right"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


def new_attempt_code() -> str:
    return secrets.token_urlsafe(12)


class QuizAttempt(models.Model):
    """One go at a quiz by one registration. `deadline` (server time) is what counts for a
    timed quiz; answers arrive in one submit and are scored then (a second submit changes
    nothing)."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    member = models.ForeignKey(
        "patrons.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    number = models.PositiveSmallIntegerField(default=1)
    code = models.CharField(max_length=24, unique=True, default=new_attempt_code)
    display_name = models.CharField(_("name on the leaderboard"), max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    points = models.JSONField(default=dict, blank=True)  # question id → points earned
    score = models.PositiveIntegerField(default=0)
    max_score = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "registration", "number"], name="quiz_attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["quiz", "registration"],
                condition=Q(submitted_at__isnull=True),
                name="one_open_quiz_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} · {self.score}/{self.max_score}"

    @property
    def seconds_taken(self) -> int | None:
        if self.submitted_at is None:
            return None
        return max(0, int((self.submitted_at - self.started_at).total_seconds()))
