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
