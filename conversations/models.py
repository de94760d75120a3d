"""Ask a librarian: questions, the messages of their thread (with staff-only notes), the moves
of their state machine, saved replies and the public FAQ made from answered questions."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from conversations.states import QuestionState

MAX_TEXT = 5000


def new_code() -> str:
    return secrets.token_urlsafe(12)


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
