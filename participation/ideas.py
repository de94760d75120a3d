"""Programme ideas: members propose, vote (one vote per member per idea; voting again takes the
vote back) and comment; staff set the status (with a reason for "not now"), link the event that
came of it, and hide a comment with a reason."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.moderation import check_public_text
from conversations.services import clean_text
from core import audit
from core.errors import DomainError
from core.permissions import require
from participation.models import Comment, CommentReport, Idea, IdeaKind, ReportReason, Vote
from participation.states import IDEA_TRANSITIONS, VOTING_STATES, IdeaStatus

PERMISSION = "participation.manage_ideas"

audit.register_actions(
    {
        "idea.status": _("Changed the status of an idea"),
        "idea.comment_hide": _("Hid a comment on an idea"),
        "idea.comment_keep": _("Kept a reported comment on an idea"),
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
    return set_vote(idea, member, not Vote.objects.filter(idea=idea, member=member).exists())


def set_vote(idea: Idea, member, voted: bool) -> bool:
    """The member votes for the idea (voted) or not; asking for what is already so changes
    nothing (an app that resends). Taking a vote back is allowed whatever the idea's status;
    a new vote only while the idea is open for votes. Returns whether the member now votes."""
    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=idea.pk)
        existing = Vote.objects.filter(idea=idea, member=member)
        if not voted:
            if existing.delete()[0]:
                Idea.objects.filter(pk=idea.pk).update(votes_count=F("votes_count") - 1)
            return False
        if existing.exists():
            return True
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


def set_status(idea: Idea, to: str, *, staff, reason: str = "", event=None, record=None) -> Idea:
    """Staff set the idea's status and may link the event or the catalogue record (the
    purchase) that came of it; the proposer is told of a change."""
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
        changed = (
            to != idea.status
            or (event is not None and event.pk != idea.event_id)
            or (record is not None and record.pk != idea.record_id)
        )
        idea.status = to
        idea.status_reason = reason[:500]
        if event is not None:
            idea.event = event
        if record is not None:
            idea.record = record
        idea.save(update_fields=["status", "status_reason", "event", "record", "updated_at"])
        audit.record("idea.status", actor=staff, subject=idea, details={"to": to})
        if changed:
            _notify_proposer(idea)
    return idea


def _notify_proposer(idea: Idea) -> None:
    """After commit, the member who proposed the idea is told its new status by e-mail."""
    if not idea.member.email:
        return
    from participation.tasks import send_idea_status_mail

    pk = idea.pk
    transaction.on_commit(lambda: send_idea_status_mail.enqueue(pk))


def hide_comment(comment_obj: Comment, reason: str, *, staff) -> Comment:
    require(staff, PERMISSION)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    with transaction.atomic():
        comment_obj.is_hidden = True
        comment_obj.hidden_reason = reason[:300]
        comment_obj.save(update_fields=["is_hidden", "hidden_reason"])
        _close_reports(comment_obj, CommentReport.Outcome.HIDDEN, staff=staff)
        audit.record("idea.comment_hide", actor=staff, subject=comment_obj)
    return comment_obj


class AlreadyReportedError(DomainError):
    code = "already_reported"
    message = _("You have already reported this comment. The library will look at it.")


class InvalidReportReasonError(DomainError):
    code = "invalid_reason"
    message = _("Choose why the comment should not be there.")


class CommentHiddenError(DomainError):
    code = "comment_hidden"
    message = _("This comment has already been hidden.")


def report_comment(comment_obj: Comment, member, reason: str, *, note: str = "") -> CommentReport:
    """A member reports a comment to staff, once. The comment stays visible until staff
    decide; staff see it in "reported comments"."""
    if reason not in ReportReason.values:
        raise InvalidReportReasonError()
    if comment_obj.is_hidden:
        raise CommentHiddenError()
    note = (note or "").strip()[:300]
    if note:
        check_public_text(note)
    try:
        with transaction.atomic():
            return CommentReport.objects.create(
                comment=comment_obj, member=member, reason=reason, note=note
            )
    except IntegrityError:
        raise AlreadyReportedError() from None


def keep_comment(comment_obj: Comment, *, staff) -> int:
    """Staff looked at the reports of a comment and keep it: the reports are closed."""
    require(staff, PERMISSION)
    with transaction.atomic():
        closed = _close_reports(comment_obj, CommentReport.Outcome.KEPT, staff=staff)
        audit.record("idea.comment_keep", actor=staff, subject=comment_obj)
    return closed


def _close_reports(comment_obj: Comment, outcome: str, *, staff) -> int:
    return CommentReport.objects.filter(comment=comment_obj, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=staff, outcome=outcome
    )


def reported_comments():
    """Comments with reports staff have not handled, most reported first."""
    pending = CommentReport.objects.filter(handled_at__isnull=True).order_by("created_at")
    return (
        Comment.objects.annotate(
            open_reports=Count("reports", filter=Q(reports__handled_at__isnull=True))
        )
        .filter(open_reports__gt=0)
        .select_related("idea", "member")
        .prefetch_related(Prefetch("reports", queryset=pending, to_attr="pending_reports"))
        .order_by("-open_reports", "created_at")
    )


def board(*, sort: str = "votes"):
    qs = Idea.objects.all()
    return (
        qs.order_by("-votes_count", "-created_at")
        if sort == "votes"
        else qs.order_by("-created_at")
    )
