"""Book suggestions: a member suggests (by ISBN or title), staff accept, decline (with a reason)
or mark ordered; when a copy of a matching record is catalogued the suggesters are told and
placed in the hold queue, earliest suggestion first."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalog.identifiers import normalise_isbn
from conversations.moderation import check_public_text
from core import audit
from core.errors import DomainError
from core.permissions import require
from participation.models import Suggestion
from participation.states import OPEN_STATES, SuggestionState, transition

S = SuggestionState
PERMISSION = "participation.handle_suggestions"

audit.register_actions(
    {
        "suggestion.accept": _("Accepted a book suggestion"),
        "suggestion.decline": _("Declined a book suggestion"),
        "suggestion.order": _("Marked a book suggestion ordered"),
    }
)


class TitleRequiredError(DomainError):
    code = "title_required"
    message = _("Give the title (or a valid ISBN).")


class AlreadyHeldError(DomainError):
    code = "already_held"
    message = _("The library already has this title.")

    def __init__(self, record) -> None:
        super().__init__()
        self.record = record


class ReasonRequiredError(DomainError):
    code = "reason_required"
    message = _("Give the reason for declining: the member will read it.")


def suggest(member, *, isbn: str = "", title: str = "", author: str = "", note: str = ""):
    """A new suggestion (or the member's open one for the same title). Raises InvalidIsbnError
    for a malformed ISBN and AlreadyHeldError when the catalogue has the ISBN."""
    from catalog.models import Record

    isbn = normalise_isbn(isbn) if (isbn or "").strip() else ""
    title = (title or "").strip()[:500]
    if isbn:
        held = Record.objects.filter(isbn=isbn).first()
        if held is not None:
            raise AlreadyHeldError(held)
    if not title:
        raise TitleRequiredError()
    check_public_text(title, author, note)
    with transaction.atomic():
        same = Suggestion.objects.filter(member=member, state__in=OPEN_STATES)
        existing = (same.filter(isbn=isbn) if isbn else same.filter(title__iexact=title)).first()
        if existing is not None:
            return existing
        return Suggestion.objects.create(
            member=member,
            isbn=isbn,
            title=title,
            author=(author or "").strip()[:300],
            note=(note or "").strip()[:1000],
        )


def _decide(suggestion: Suggestion, to: str, action: str, *, staff, reason: str = ""):
    require(staff, PERMISSION)
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        transition(suggestion, to, by=staff, reason=reason)
        audit.record(action, actor=staff, subject=suggestion, details={"reason": reason})
        _notify(suggestion)
    return suggestion


def accept(suggestion: Suggestion, *, staff) -> Suggestion:
    return _decide(suggestion, S.ACCEPTED, "suggestion.accept", staff=staff)


def mark_ordered(suggestion: Suggestion, *, staff) -> Suggestion:
    return _decide(suggestion, S.ORDERED, "suggestion.order", staff=staff)


def decline(suggestion: Suggestion, reason: str, *, staff) -> Suggestion:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError()
    return _decide(suggestion, S.DECLINED, "suggestion.decline", staff=staff, reason=reason)


def _notify(suggestion: Suggestion) -> None:
    if not suggestion.member.email:
        return
    from participation.tasks import send_suggestion_mail

    pk = suggestion.pk
    transaction.on_commit(lambda: send_suggestion_mail.enqueue(pk))


def copy_catalogued(record) -> list[Suggestion]:
    """A copy of `record` is in the catalogue: accepted or ordered suggestions of its ISBN
    become AVAILABLE, and each suggester is placed in the hold queue, earliest suggestion first
    (a member who cannot hold, e.g. blocked, is still told)."""
    from circulation.services import place_hold

    if not record.isbn:
        return []
    done = []
    with transaction.atomic():
        waiting = list(
            Suggestion.objects.select_for_update(of=("self",))
            .filter(isbn=record.isbn, state__in=(S.ACCEPTED, S.ORDERED))
            .select_related("member", "member__home_branch")
            .order_by("created_at", "pk")
        )
        for suggestion in waiting:
            transition(suggestion, S.AVAILABLE, by=None)
            suggestion.record = record
            member = suggestion.member
            if member.home_branch_id:
                try:
                    with transaction.atomic():
                        suggestion.hold = place_hold(
                            record, member, pickup_branch=member.home_branch
                        )
                except DomainError:
                    suggestion.hold = None
            suggestion.save(update_fields=["record", "hold", "updated_at"])
            _notify(suggestion)
            done.append(suggestion)
    return done
