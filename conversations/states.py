"""The question lifecycle ("ask a librarian"). Only `conversations.services` calls `transition`.

```
NEW ──► OPEN (claimed or assigned) ──► WAITING (for the patron) ──► OPEN (the patron answers)
 │        │                               │
 │        └──────────► ANSWERED ◄─────────┘
 └──────────────────►    │   └──► OPEN (the patron writes back)
                         ▼
 (any of these) ──► CLOSED ──► OPEN (staff reopen)
```

A staff reply either answers the question (ANSWERED) or asks the patron something (WAITING).
The asker may rate an ANSWERED or CLOSED question.

Feedback and complaints (saran dan pengaduan):

```
RECEIVED ──► IN_PROGRESS (first response) ──► RESOLVED ──► IN_PROGRESS (reopened)
   │              └──► CLOSED (no action, with a reason) ──► IN_PROGRESS
   ├──► RESOLVED
   └──► CLOSED
```

Deadlines (first response in 3 working days, resolution per category) are dates set at
submission; "past its deadline" is derived, and the daily job escalates such feedback to the
head of library once (`escalated_at`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

if TYPE_CHECKING:
    from conversations.models import Question, QuestionEvent


class QuestionState(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for the patron")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


S = QuestionState

TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.OPEN, S.WAITING, S.ANSWERED, S.CLOSED}),
    S.OPEN: frozenset({S.WAITING, S.ANSWERED, S.CLOSED}),
    S.WAITING: frozenset({S.OPEN, S.ANSWERED, S.CLOSED}),
    S.ANSWERED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset({S.OPEN}),
}

RATEABLE_STATES = frozenset({S.ANSWERED, S.CLOSED})


class InvalidTransitionError(DomainError):
    code = "invalid_transition"
    message = _("A question that is “%(source)s” cannot become “%(target)s”.")


def transition(
    question: Question, to: str, *, by, at: dt.datetime | None = None, reason: str = ""
) -> QuestionEvent:
    from conversations.models import QuestionEvent

    source = question.state
    if to not in TRANSITIONS[source]:
        raise InvalidTransitionError(source=S(source).label, target=S(to).label)
    question.state = to
    question.save(update_fields=["state", "updated_at"])
    return QuestionEvent.objects.create(
        question=question,
        from_state=source,
        to_state=to,
        by=by if getattr(by, "pk", None) else None,
        at=at or timezone.now(),
        reason=reason[:300],
    )


class FeedbackState(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("Being handled")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed without action")


F = FeedbackState

FEEDBACK_TRANSITIONS: dict[str, frozenset[str]] = {
    F.RECEIVED: frozenset({F.IN_PROGRESS, F.RESOLVED, F.CLOSED}),
    F.IN_PROGRESS: frozenset({F.RESOLVED, F.CLOSED}),
    F.RESOLVED: frozenset({F.IN_PROGRESS}),
    F.CLOSED: frozenset({F.IN_PROGRESS}),
}

# Feedback still owed a response or a resolution (its deadlines count).
FEEDBACK_OPEN_STATES = frozenset({F.RECEIVED, F.IN_PROGRESS})


class InvalidFeedbackTransitionError(DomainError):
    code = "invalid_transition"
    message = _("Feedback that is “%(source)s” cannot become “%(target)s”.")


def transition_feedback(feedback, to: str, *, by, at: dt.datetime | None = None, reason: str = ""):
    from conversations.models import FeedbackEvent

    source = feedback.state
    if to not in FEEDBACK_TRANSITIONS[source]:
        raise InvalidFeedbackTransitionError(source=F(source).label, target=F(to).label)
    feedback.state = to
    feedback.save(update_fields=["state", "updated_at"])
    return FeedbackEvent.objects.create(
        feedback=feedback,
        from_state=source,
        to_state=to,
        by=by if getattr(by, "pk", None) else None,
        at=at or timezone.now(),
        reason=reason[:300],
    )
