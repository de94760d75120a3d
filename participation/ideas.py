"""Programme ideas: members propose, vote (one vote per member per idea; voting again takes the
vote back) and comment; staff set the status (with a reason for "not now"), link the event that
came of it, and hide a comment with a reason."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from conversations.moderation import check_public_text
from conversations.services import clean_text
from core import audit
from core.errors import DomainError
from core.permissions import require
from participation.models import Comment, Idea, IdeaKind, Vote
from participation.states import IDEA_TRANSITIONS, VOTING_STATES, IdeaStatus

PERMISSION = "participation.manage_ideas"

audit.register_actions(
    {
        "idea.status": _("Changed the status of an idea"),
        "idea.comment_hide": _("Hid a comment on an idea"),
    }
)


class IdeaClosedError(DomainError):
    code = "idea_closed"
    message = _("Voting on this idea has ended.")


class InvalidIdeaStatusError(DomainError):
    code = "invalid_transition"
    message = _("An idea that is “%(source)s” cannot become “%(target)s”.")


class ReasonRequiredError(DomainError):
    code = "reason_required"
    message = _("Give the reason: members will read it.")


def propose(member, *, kind: str, title: str, body: str) -> Idea:
    if kind not in IdeaKind.values:
        raise DomainError(_("Choose what the idea is for."))
    title, body = clean_text(title, limit=200), clean_text(body)
    check_public_text(title, body)
    return Idea.objects.create(member=member, kind=kind, title=title, body=body)


def toggle_vote(idea: Idea, member) -> bool:
    """Vote for the idea, or take the vote back. Returns whether the member now votes for it."""
    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=idea.pk)
        existing = Vote.objects.filter(idea=idea, member=member)
        if existing.exists():
            existing.delete()
            Idea.objects.filter(pk=idea.pk).update(votes_count=F("votes_count") - 1)
            return False
        if idea.status not in VOTING_STATES:
            raise IdeaClosedError()
        try:
            with transaction.atomic():
                Vote.objects.create(idea=idea, member=member)
        except IntegrityError:  # a double click raced us: the vote is there
            return True
        Idea.objects.filter(pk=idea.pk).update(votes_count=F("votes_count") + 1)
        return True


def comment(idea: Idea, member, body: str) -> Comment:
    body = clean_text(body, limit=2000)
    check_public_text(body)
    return Comment.objects.create(idea=idea, member=member, body=body)


def set_status(idea: Idea, to: str, *, staff, reason: str = "", event=None) -> Idea:
    require(staff, PERMISSION)
    if to not in IdeaStatus.values:
        raise DomainError(_("Choose a status."))
    reason = (reason or "").strip()
    if to == IdeaStatus.NOT_NOW and not reason:
        raise ReasonRequiredError()
    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=idea.pk)
        if to != idea.status and to not in IDEA_TRANSITIONS[idea.status]:
            raise InvalidIdeaStatusError(
                source=IdeaStatus(idea.status).label, target=IdeaStatus(to).label
            )
        idea.status = to
        idea.status_reason = reason[:500]
        if event is not None:
            idea.event = event
        idea.save(update_fields=["status", "status_reason", "event", "updated_at"])
        audit.record("idea.status", actor=staff, subject=idea, details={"to": to})
    return idea


def hide_comment(comment_obj: Comment, reason: str, *, staff) -> Comment:
    require(staff, PERMISSION)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    comment_obj.is_hidden = True
    comment_obj.hidden_reason = reason[:300]
    comment_obj.save(update_fields=["is_hidden", "hidden_reason"])
    audit.record("idea.comment_hide", actor=staff, subject=comment_obj)
    return comment_obj


def board(*, sort: str = "votes"):
    qs = Idea.objects.all()
    return (
        qs.order_by("-votes_count", "-created_at")
        if sort == "votes"
        else qs.order_by("-created_at")
    )
