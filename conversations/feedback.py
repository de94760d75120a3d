"""Feedback and complaints (saran dan pengaduan): submitting, the first response, resolving,
closing without action, publishing on "you said, we did", and the daily escalation of items past
their deadline to the head of library. Staff actions need `conversations.handle_feedback` and are
audited; mail goes out after commit as background tasks."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.deadlines import deadlines_for
from conversations.errors import BadRatingError
from conversations.models import Feedback, FeedbackCategory
from conversations.moderation import check_public_text
from conversations.services import clean_text
from conversations.states import FEEDBACK_OPEN_STATES, FeedbackState, transition_feedback
from core import audit
from core.errors import DomainError
from core.permissions import require

F = FeedbackState
PERMISSION = "conversations.handle_feedback"

audit.register_actions(
    {
        "feedback.respond": _("Responded to feedback"),
        "feedback.resolve": _("Resolved feedback"),
        "feedback.close": _("Closed feedback without action"),
        "feedback.reopen": _("Reopened feedback"),
        "feedback.publish": _("Published feedback on “you said, we did”"),
        "feedback.escalate": _("Feedback past its deadline escalated to the head of library"),
    }
)


class UnknownCategoryError(DomainError):
    code = "unknown_category"
    message = _("Choose a category.")


class NotResolvedError(DomainError):
    code = "not_resolved"
    message = _("Only resolved feedback can be published.")


def _today() -> dt.date:
    from core.selectors import get_library

    return timezone.localdate(timezone=get_library().zone)


def _notify(feedback: Feedback, kind: str) -> None:
    if not feedback.email:
        return
    from conversations.tasks import send_feedback_mail

    pk = feedback.pk
    transaction.on_commit(lambda: send_feedback_mail.enqueue(pk, kind))


def submit(
    category: str,
    body: str,
    *,
    rating: int | None = None,
    is_anonymous: bool = False,
    name: str = "",
    email: str = "",
    photo=None,
    user=None,
    language: str = "id",
    on: dt.date | None = None,
) -> Feedback:
    """Store feedback with its deadlines. Anonymous feedback keeps no name, e-mail or account:
    the person follows it through the private link only."""
    if category not in FeedbackCategory.values:
        raise UnknownCategoryError()
    body = clean_text(body)
    check_public_text(body, name)
    if rating is not None and not (isinstance(rating, int) and 1 <= rating <= 5):
        raise BadRatingError()
    response_due, resolution_due = deadlines_for(category, on or _today())
    with transaction.atomic():
        feedback = Feedback(
            category=category,
            body=body,
            rating=rating,
            is_anonymous=is_anonymous,
            name="" if is_anonymous else (name or "").strip()[:120],
            email="" if is_anonymous else (email or "").strip(),
            submitter=None if is_anonymous or not getattr(user, "pk", None) else user,
            language=language or "id",
            response_due_on=response_due,
            resolution_due_on=resolution_due,
        )
        if photo is not None:
            feedback.photo.save("photo.jpg", photo, save=False)
        feedback.save()
    return feedback


def _lock(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update().get(pk=feedback.pk)


def respond(feedback: Feedback, text: str, *, staff, at: dt.datetime | None = None) -> Feedback:
    """The first (or a further) response to the person: the feedback is being handled."""
    require(staff, PERMISSION)
    text = clean_text(text)
    at = at or timezone.now()
    with transaction.atomic():
        feedback = _lock(feedback)
        feedback.response = text
        fields = ["response", "updated_at"]
        if feedback.first_response_at is None:
            feedback.first_response_at = at
            fields.append("first_response_at")
        feedback.save(update_fields=fields)
        if feedback.state != F.IN_PROGRESS:
            transition_feedback(feedback, F.IN_PROGRESS, by=staff, at=at)
        audit.record("feedback.respond", actor=staff, subject=feedback)
        _notify(feedback, "response")
    return feedback


def resolve(feedback: Feedback, action_taken: str, *, staff, at: dt.datetime | None = None):
    require(staff, PERMISSION)
    action_taken = clean_text(action_taken)
    at = at or timezone.now()
    with transaction.atomic():
        feedback = _lock(feedback)
        transition_feedback(feedback, F.RESOLVED, by=staff, at=at)
        feedback.action_taken = action_taken
        feedback.resolved_at = at
        if feedback.first_response_at is None:
            feedback.first_response_at = at
        feedback.save(
            update_fields=["action_taken", "resolved_at", "first_response_at", "updated_at"]
        )
        audit.record("feedback.resolve", actor=staff, subject=feedback)
        _notify(feedback, "resolved")
    return feedback


def close(feedback: Feedback, reason: str, *, staff, at: dt.datetime | None = None) -> Feedback:
    """Closed without action (a duplicate, not the library's, abusive), with a reason."""
    require(staff, PERMISSION)
    reason = clean_text(reason, limit=300)
    at = at or timezone.now()
    with transaction.atomic():
        feedback = _lock(feedback)
        transition_feedback(feedback, F.CLOSED, by=staff, at=at, reason=reason)
        feedback.is_published = False
        feedback.save(update_fields=["is_published", "updated_at"])
        audit.record("feedback.close", actor=staff, subject=feedback, details={"reason": reason})
    return feedback


def reopen(feedback: Feedback, *, staff) -> Feedback:
    require(staff, PERMISSION)
    with transaction.atomic():
        feedback = _lock(feedback)
        transition_feedback(feedback, F.IN_PROGRESS, by=staff)
        feedback.resolved_at = None
        feedback.is_published = False
        feedback.save(update_fields=["resolved_at", "is_published", "updated_at"])
        audit.record("feedback.reopen", actor=staff, subject=feedback)
    return feedback


def publish(feedback: Feedback, summary: str, *, staff, published: bool = True) -> Feedback:
    """Show (or hide) resolved feedback on "you said, we did", in a summary staff write (no
    names)."""
    require(staff, PERMISSION)
    summary = clean_text(summary, limit=1000) if published else (summary or "").strip()
    with transaction.atomic():
        feedback = _lock(feedback)
        if published and feedback.state != F.RESOLVED:
            raise NotResolvedError()
        feedback.public_summary = summary
        feedback.is_published = published
        feedback.save(update_fields=["public_summary", "is_published", "updated_at"])
        audit.record(
            "feedback.publish", actor=staff, subject=feedback, details={"published": published}
        )
    return feedback


def overdue(on: dt.date):
    """Open feedback past a deadline on day `on`: no first response by its response date, or
    not resolved by its resolution date."""
    return Feedback.objects.filter(state__in=FEEDBACK_OPEN_STATES).filter(
        Q(first_response_at__isnull=True, response_due_on__lt=on) | Q(resolution_due_on__lt=on)
    )


def escalate_overdue(*, on: dt.date | None = None, at: dt.datetime | None = None) -> int:
    """The daily job: feedback newly past a deadline is escalated once to the head of library
    (one e-mail listing them). Returns how many were escalated."""
    on = on or _today()
    at = at or timezone.now()
    with transaction.atomic():
        items = list(overdue(on).filter(escalated_at__isnull=True).select_for_update())
        for feedback in items:
            feedback.escalated_at = at
            feedback.save(update_fields=["escalated_at", "updated_at"])
            audit.record("feedback.escalate", actor=None, subject=feedback)
        if items:
            from conversations.tasks import send_escalation_mail

            ids = [f.pk for f in items]
            transaction.on_commit(lambda: send_escalation_mail.enqueue(ids))
    return len(items)
