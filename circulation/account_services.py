"""Changes a member makes in their own account (privacy and notice choices, a request to delete
the account) and staff's handling of that request. Each is audited; the reading history is
deleted through `services.forget_reading_history`."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from circulation import locks, selectors, services
from circulation.errors import CirculationError
from circulation.models import AccountDeletionRequest, DeletionRequestStatus
from core import audit
from core.permissions import require
from patrons.models import Member

audit.register_actions(
    {
        "member.preferences": gettext_lazy("Changed their privacy or notice choices"),
        "member.history_deleted": gettext_lazy("Deleted their reading history"),
        "member.data_download": gettext_lazy("Downloaded their data"),
        "member.deletion_request": gettext_lazy("Asked for their account to be deleted"),
        "member.deletion_request_handled": gettext_lazy("Handled a request to delete an account"),
    }
)

PREFERENCE_FIELDS = ("keep_reading_history", "notify_by_email", "preferred_language")


class UnknownLanguageError(CirculationError):
    code = "unknown_language"
    message = gettext_lazy("Notices can be sent in Indonesian or English only.")


class DeletionRequestClosedError(CirculationError):
    code = "deletion_request_closed"
    message = gettext_lazy("This request has already been handled.")


@dataclass
class PreferencesResult:
    member: Member
    changed: list[str]
    # How many returned loans were unlinked when the member turned the history off (None: the
    # history was not turned off now).
    history_deleted: int | None = None


@transaction.atomic
def update_preferences(
    member: Member,
    *,
    keep_reading_history: bool,
    notify_by_email: bool,
    preferred_language: str,
    by,
) -> PreferencesResult:
    """The member's own choices. Turning the reading history off deletes it at once."""
    if preferred_language not in dict(settings.LANGUAGES):
        raise UnknownLanguageError()
    member = locks.member_for_update(member.pk)
    wanted = {
        "keep_reading_history": keep_reading_history,
        "notify_by_email": notify_by_email,
        "preferred_language": preferred_language,
    }
    changed = [name for name in PREFERENCE_FIELDS if getattr(member, name) != wanted[name]]
    turned_off = "keep_reading_history" in changed and not keep_reading_history
    for name in changed:
        setattr(member, name, wanted[name])
    if changed:
        member.save(update_fields=[*changed, "updated_at"])
        audit.record("member.preferences", actor=by, subject=member, details={"fields": changed})
    result = PreferencesResult(member=member, changed=changed)
    if turned_off:
        result.history_deleted = services.forget_reading_history(member)
        audit.record(
            "member.history_deleted",
            actor=by,
            subject=member,
            details={"loans": result.history_deleted},
        )
    return result


def record_data_download(member: Member, *, by, data_format: str) -> None:
    audit.record("member.data_download", actor=by, subject=member, details={"format": data_format})


@transaction.atomic
def request_deletion(member: Member, *, reason: str, by) -> AccountDeletionRequest:
    """Record the member's request for staff. Asking twice returns the open request."""
    existing = selectors.open_deletion_request(member)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            request = AccountDeletionRequest.objects.create(
                member=member, member_number=member.number, reason=reason.strip()[:2000]
            )
    except IntegrityError:  # the same request sent twice at once
        return AccountDeletionRequest.objects.get(member=member, status=DeletionRequestStatus.OPEN)
    audit.record("member.deletion_request", actor=by, subject=member)
    return request


@transaction.atomic
def handle_deletion_request(
    request: AccountDeletionRequest, *, status: str, note: str, staff
) -> AccountDeletionRequest:
    """Staff say what became of a request: the account was deleted (in the members screens) or
    the request was declined (e.g. items still on loan), with a note."""
    require(staff, "patrons.change_member")
    request = AccountDeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DeletionRequestStatus.OPEN:
        raise DeletionRequestClosedError()
    if status not in (DeletionRequestStatus.DONE, DeletionRequestStatus.DECLINED):
        raise DeletionRequestClosedError()
    request.status = status
    request.staff_note = note.strip()[:300]
    request.handled_at = timezone.now()
    request.handled_by = staff
    request.save(update_fields=["status", "staff_note", "handled_at", "handled_by"])
    audit.record(
        "member.deletion_request_handled",
        actor=staff,
        subject=request.member,
        subject_repr=request.member_number,
        details={"status": status},
    )
    return request
