from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from participation.states import IdeaStatus, SuggestionState


class Suggestion(models.Model):
    """A member's purchase suggestion (usulan koleksi)."""

    member = models.ForeignKey(
        "patrons.Member", on_delete=models.CASCADE, related_name="suggestions"
    )
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    author = models.CharField(_("author"), max_length=300, blank=True)
    note = models.CharField(_("why the library should have it"), max_length=1000, blank=True)
    state = models.CharField(
        max_length=20,
        choices=SuggestionState.choices,
        default=SuggestionState.SUBMITTED,
        db_index=True,
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    record = models.ForeignKey(
        "catalog.Record", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hold = models.ForeignKey(
        "circulation.Hold", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("book suggestion")
        verbose_name_plural = _("book suggestions")
        permissions = [("handle_suggestions", _("Can decide on book suggestions"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=SuggestionState.values),
                name="suggestion_valid_state",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class IdeaKind(models.TextChoices):
    PROGRAMME = "programme", _("Programme")
    SERVICE = "service", _("Service")
    COLLECTION = "collection", _("Collection")


class Idea(models.Model):
    """A member's idea for a programme, service or collection; others vote and comment."""

    member = models.ForeignKey("patrons.Member", on_delete=models.CASCADE, related_name="ideas")
    kind = models.CharField(_("kind"), max_length=20, choices=IdeaKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("the idea"))
    status = models.CharField(
        max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.OPEN, db_index=True
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    record = models.ForeignKey(
        "catalog.Record",
        verbose_name=_("title bought"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The catalogue record of what the library bought because of the idea."),
    )
    votes_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        permissions = [("manage_ideas", _("Can set the status of ideas and hide comments"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=IdeaStatus.values), name="idea_valid_status"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Vote(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey("patrons.Member", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "member"], name="one_vote_per_member_per_idea")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} -> {self.idea_id}"


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    member = models.ForeignKey("patrons.Member", on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("comment"))
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:40]


class ReportReason(models.TextChoices):
    OFFENSIVE = "offensive", _("Offensive or hateful")
    SPAM = "spam", _("Advertising or spam")
    PERSONAL = "personal", _("Personal details of someone")
    OFF_TOPIC = "off_topic", _("Not about the idea")
    OTHER = "other", _("Something else")


class CommentReport(models.Model):
    """A member tells staff a comment should not be there (one report per member per comment).
    Staff handle every open report of a comment at once: hide it (with a reason) or keep it."""

    class Outcome(models.TextChoices):
        HIDDEN = "hidden", _("Comment hidden")
        KEPT = "kept", _("Comment kept")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    member = models.ForeignKey("patrons.Member", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    note = models.CharField(_("more about it (optional)"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report of a comment")
        verbose_name_plural = _("reports of comments")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "member"], name="one_report_per_member_per_comment"
            ),
            models.CheckConstraint(
                condition=models.Q(reason__in=ReportReason.values), name="report_valid_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} reports {self.comment_id}"
