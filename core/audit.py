"""The audit log: who did what, to whom, when and from where.

Every service that acts on member data (or on the library's configuration, or on accounts)
calls `record(...)`. Entries are never changed or deleted by the application.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.context import current_request_meta
from core.models import AuditEntry

# Every action code with the sentence the audit screen shows for it. Apps add theirs with
# `register_actions` in their AppConfig.ready() (or at import of their services module).
ACTIONS: dict[str, Promise | str] = {}


def register_actions(actions: dict[str, Promise | str]) -> None:
    ACTIONS.update(actions)


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


register_actions(
    {
        "library.update": _("Changed the library profile"),
        "branch.create": _("Added a branch"),
        "branch.update": _("Changed a branch"),
        "branch.hours": _("Changed a branch's opening hours"),
        "closed_day.create": _("Added a closed day"),
        "closed_day.delete": _("Removed a closed day"),
        "audit.search": _("Searched the audit log"),
    }
)


def record(
    action: str,
    *,
    actor: Any,
    subject: models.Model | None = None,
    subject_repr: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `actor` is the signed-in user or None (a kiosk, an anonymous visitor)."""
    meta = current_request_meta()
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    entry = AuditEntry(
        actor=actor_obj,
        actor_name=(actor_obj.get_username() if actor_obj else ""),
        action=action,
        ip_address=meta.ip_address,
        user_agent=meta.user_agent[:200],
        path=meta.path[:300],
        details=details or {},
    )
    if subject is not None:
        entry.object_type = subject._meta.label_lower
        entry.object_id = str(subject.pk)
        entry.object_repr = (subject_repr or str(subject))[:200]
    else:
        entry.object_repr = subject_repr[:200]
    entry.save()
    return entry
