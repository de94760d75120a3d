"""Ask a librarian: questions, the messages of their thread (with staff-only notes), the moves
of their state machine, saved replies and the public FAQ made from answered questions."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from conversations.states import FeedbackState, QuestionState

MAX_TEXT = 5000


def new_code() -> str:
    return secrets.token_urlsafe(12)


class QuestionTopic(models.TextChoices):
    """What a question is about: the asker may say, staff may correct it; response times are
    reported per topic."""

    COLLECTION = "collection", _("Finding a book or material")
    LOANS = "loans", _("Membership, loans and holds")
    RESEARCH = "research", _("Research and reference")
    SERVICES = "services", _("Services, rooms and facilities")
    PROGRAMMES = "programmes", _("Programmes and events")
    OTHER = "other", _("Something else")


class Question(models.Model):
    code = models.CharField(max_length=32, unique=True, default=new_code, editable=False)
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions_asked",
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(max_length=10, default="id")
    page_url = models.CharField(_("asked from"), max_length=500, blank=True)
    topic = models.CharField(
        _("topic"), max_length=20, choices=QuestionTopic.choices, default=QuestionTopic.OTHER
    )
    state = models.CharField(
        max_length=20, choices=QuestionState.choices, default=QuestionState.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions_assigned",
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        permissions = [("answer_question", _("Can work the ask-a-librarian queue"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=QuestionState.values), name="question_valid_state"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="question_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    @property
    def first_message(self) -> Message | None:
        return self.messages.filter(kind=Message.Kind.QUESTION).first()


class Message(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        PATRON = "patron", _("From the patron")
        REPLY = "reply", _("Reply from the library")
        NOTE = "note", _("Internal note")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE


class QuestionEvent(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=QuestionState.choices)
    to_state = models.CharField(max_length=20, choices=QuestionState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"


class SavedReply(models.Model):
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["title"]
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")

    def __str__(self) -> str:
        return self.title


class FaqEntry(models.Model):
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="faq_entries"
    )
    question_text = models.TextField(_("question"))
    answer_text = models.TextField(_("answer"))
    is_published = models.BooleanField(_("published"), default=True)
    # The analysed terms of question and answer (search.analysis), space-separated with a space
    # at each end, so that the site search finds an entry by " term " (conversations.faq_search).
    search_terms = models.TextField(blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question_text[:60]

    def save(self, *args, **kwargs) -> None:
        from conversations.faq_search import entry_terms

        self.search_terms = entry_terms(self.question_text, self.answer_text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_terms" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_terms"]
        super().save(*args, **kwargs)


class InboundMail(models.Model):
    """An e-mail received for a thread (`pustaka receive_mail`), kept by its Message-ID so that a
    message delivered or processed twice adds the reply once."""

    class Outcome(models.TextChoices):
        ADDED = "added", _("Added to the thread")
        UNKNOWN_THREAD = "unknown_thread", _("No thread for this address")
        WRONG_SENDER = "wrong_sender", _("Not from the asker's address")
        AUTO_REPLY = "auto_reply", _("An automatic reply")
        EMPTY = "empty", _("No text of its own")
        REFUSED = "refused", _("Refused by the thread's rules")

    message_id = models.CharField(max_length=255, unique=True)
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mail"
    )
    sender = models.CharField(max_length=254, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    detail = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")

    def __str__(self) -> str:
        return f"{self.message_id} ({self.outcome})"


class FeedbackCategory(models.TextChoices):
    SERVICE = "service", _("Service")
    FACILITY = "facility", _("Facility")
    COLLECTION = "collection", _("Collection")
    STAFF = "staff", _("Staff")
    PROGRAMME = "programme", _("Programme")


def feedback_photo_path(instance: Feedback, filename: str) -> str:
    return f"feedback/{instance.code}.jpg"


class Feedback(models.Model):
    """A suggestion or complaint (saran dan pengaduan)."""

    code = models.CharField(max_length=32, unique=True, default=new_code, editable=False)
    category = models.CharField(_("category"), max_length=20, choices=FeedbackCategory.choices)
    body = models.TextField(_("your feedback"))
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    name = models.CharField(_("name"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_given",
    )
    language = models.CharField(max_length=10, default="id")
    photo = models.ImageField(_("photo"), upload_to=feedback_photo_path, blank=True)
    state = models.CharField(
        max_length=20, choices=FeedbackState.choices, default=FeedbackState.RECEIVED, db_index=True
    )
    response_due_on = models.DateField()
    resolution_due_on = models.DateField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("response to the person"), blank=True)
    action_taken = models.TextField(_("what we did"), blank=True)
    is_published = models.BooleanField(_("published on “you said, we did”"), default=False)
    public_summary = models.TextField(_("what you said (public summary)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        permissions = [("handle_feedback", _("Can handle feedback and complaints"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=FeedbackState.values), name="feedback_valid_state"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=FeedbackCategory.values),
                name="feedback_valid_category",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"

    @property
    def display_name(self) -> str:
        return "" if self.is_anonymous else self.name


class FeedbackEvent(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=FeedbackState.choices)
    to_state = models.CharField(max_length=20, choices=FeedbackState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"
