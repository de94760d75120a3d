"""The book-suggestion lifecycle (usulan koleksi). Only `participation.services` calls
`transition`.

```
SUBMITTED ──► ACCEPTED ──► ORDERED ──► AVAILABLE (a copy catalogued: the suggester is told and
    │            │                                placed first in the hold queue)
    └──► DECLINED (with a reason) ◄──┘
```
A suggestion for a title the library already holds is stored as AVAILABLE at once, linked to
the record.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class SuggestionState(models.TextChoices):
    SUBMITTED = "submitted", _("Suggested")
    ACCEPTED = "accepted", _("Accepted")
    ORDERED = "ordered", _("Ordered")
    AVAILABLE = "available", _("In the collection")
    DECLINED = "declined", _("Declined")


S = SuggestionState

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.ACCEPTED, S.DECLINED, S.ORDERED, S.AVAILABLE}),
    S.ACCEPTED: frozenset({S.ORDERED, S.DECLINED, S.AVAILABLE}),
    S.ORDERED: frozenset({S.AVAILABLE, S.DECLINED}),
    S.AVAILABLE: frozenset(),
    S.DECLINED: frozenset(),
}

OPEN_STATES = (S.SUBMITTED, S.ACCEPTED, S.ORDERED)


class InvalidTransitionError(DomainError):
    code = "invalid_transition"
    message = _("A suggestion that is “%(source)s” cannot become “%(target)s”.")


def transition(suggestion, to: str, *, by, reason: str = "") -> None:
    source = suggestion.state
    if to not in TRANSITIONS[source]:
        raise InvalidTransitionError(source=S(source).label, target=S(to).label)
    suggestion.state = to
    suggestion.decided_by = by if getattr(by, "pk", None) else suggestion.decided_by
    suggestion.decided_at = timezone.now()
    if reason:
        suggestion.reason = reason[:500]
    suggestion.save(update_fields=["state", "decided_by", "decided_at", "reason", "updated_at"])


class IdeaStatus(models.TextChoices):
    OPEN = "open", _("Open for votes")
    UNDER_REVIEW = "under_review", _("Under review")
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    NOT_NOW = "not_now", _("Not now")


I = IdeaStatus  # noqa: E741

IDEA_TRANSITIONS: dict[str, frozenset[str]] = {
    I.OPEN: frozenset({I.UNDER_REVIEW, I.PLANNED, I.NOT_NOW}),
    I.UNDER_REVIEW: frozenset({I.PLANNED, I.NOT_NOW, I.OPEN}),
    I.PLANNED: frozenset({I.DONE, I.NOT_NOW}),
    I.DONE: frozenset(),
    I.NOT_NOW: frozenset({I.UNDER_REVIEW}),
}

VOTING_STATES = (I.OPEN, I.UNDER_REVIEW, I.PLANNED)
