from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from participation.states import SuggestionState


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
