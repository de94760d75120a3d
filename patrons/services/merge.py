"""Merging a duplicate member record into the one that is kept.

Everything that points at the duplicate (loans, holds, fines, notices, and whatever later apps
link to a member) moves to the kept member in one transaction; the duplicate becomes MERGED with
`merged_into` set, and keeps its own data for the record. Empty fields of the kept member are
filled from the duplicate (telephone, address, NIK …), a manual block carries over, and the later
expiry wins; privacy choices (reading history) stay the kept member's own.

Where both hold the same title, the hold with an item set aside for it, else the earlier place in
the queue, is kept and the other cancelled, through circulation's own service, which locks item
and record first; the two members are locked after that, in id order.

Locks follow circulation's order (item → record → member → hold). The copies the duplicate has
on loan are locked first of all: a desk taking one back (or renewing it, or marking it lost)
locks the copy, then the loan, then charges a fine that needs the member's row. Were the loan
moved under the members' locks alone, the two would wait for each other in a circle (one fails
with a deadlock), or the desk would find the loan gone from under it and shelve a copy still on
loan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core import audit
from core.permissions import require
from patrons import locks
from patrons.errors import (
    AlreadyMergedError,
    MergeConflictError,
    MergeIntoSelfError,
    MergeTargetEndedError,
)
from patrons.models import CURRENT_STATUSES, Member, MemberStatus

# Fields of the kept member that take the duplicate's value when they are empty.
FILLED_FIELDS = (
    "nik",
    "birth_date",
    "gender",
    "email",
    "phone",
    "address",
    "city",
    "institution",
    "photo",
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "guardian_consent_at",
    "home_branch",
)


@dataclass
class MergeResult:
    kept: Member
    duplicate: Member
    moved: dict[str, int] = field(default_factory=dict)
    filled: list[str] = field(default_factory=list)
    cancelled_holds: int = 0


def _check(duplicate: Member, kept: Member) -> None:
    if duplicate.pk == kept.pk:
        raise MergeIntoSelfError()
    if duplicate.status == MemberStatus.MERGED:
        raise AlreadyMergedError(member=duplicate.full_name)
    if kept.status not in CURRENT_STATUSES:
        raise MergeTargetEndedError(member=kept.full_name, status=kept.get_status_display())


def member_links() -> list[tuple[type[models.Model], str]]:
    """Every (model, field) that points at a member with a many-to-one key, in any app."""
    links = []
    for relation in Member._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and relation.one_to_many and not relation.concrete):
            continue
        model = relation.related_model
        if model is Member:
            continue  # merged_into, handled on its own
        links.append((model, relation.field.name))
    return sorted(links, key=lambda link: (link[0]._meta.label, link[1]))


def _resolve_hold_conflicts(duplicate: Member, kept: Member, *, by, at) -> int:
    """Both waiting for the same title: keep one hold, cancel the other."""
    from circulation.models import Hold
    from circulation.services import cancel_hold
    from circulation.states import ACTIVE_HOLD_STATES, TRAPPED_HOLD_STATES, Channel

    theirs = {
        hold.record_id: hold
        for hold in Hold.objects.filter(member=duplicate, state__in=ACTIVE_HOLD_STATES)
    }
    if not theirs:
        return 0
    cancelled = 0
    for ours in Hold.objects.filter(
        member=kept, record_id__in=list(theirs), state__in=ACTIVE_HOLD_STATES
    ):
        other = theirs[ours.record_id]

        def rank(hold):
            return (hold.state not in TRAPPED_HOLD_STATES, hold.queue_number)

        drop = other if rank(ours) <= rank(other) else ours
        cancel_hold(drop, staff=by, at=at, channel=Channel.DESK, reason="member merge")
        cancelled += 1
    return cancelled


def _loaned_item_ids(member: Member) -> set[int]:
    """The copies `member` has out (on loan, claimed returned, or lost and not yet back)."""
    from circulation.models import Loan
    from circulation.states import LoanState

    return set(
        Loan.objects.filter(member=member)
        .exclude(state=LoanState.RETURNED)
        .values_list("item_id", flat=True)
    )


def _fill_gaps(kept: Member, duplicate: Member) -> list[str]:
    filled = []
    for name in FILLED_FIELDS:
        field_object = Member._meta.get_field(name)
        attname = field_object.attname
        ours, theirs = getattr(kept, attname), getattr(duplicate, attname)
        if theirs in (None, "") or ours not in (None, ""):
            continue
        if name == "photo":
            if not duplicate.photo:
                continue
            kept.photo = duplicate.photo.name
            duplicate.photo = ""
        else:
            setattr(kept, attname, theirs)
        filled.append(name)
    if duplicate.manual_block_reason and not kept.manual_block_reason:
        kept.manual_block_reason = duplicate.manual_block_reason
        kept.blocked_at = duplicate.blocked_at
        filled.append("manual_block_reason")
    if duplicate.expires_on and kept.expires_on and duplicate.expires_on > kept.expires_on:
        kept.expires_on = duplicate.expires_on
        filled.append("expires_on")
    return filled


@transaction.atomic
def merge_members(
    duplicate: Member, kept: Member, *, by, at: dt.datetime | None = None
) -> MergeResult:
    """Merge `duplicate` into `kept`. Refused for the same member twice, a duplicate already
    merged, or a kept member who is merged or closed."""
    require(by, "patrons.change_member")
    at = at or timezone.now()
    _check(duplicate, kept)
    loaned = _loaned_item_ids(duplicate)
    locks.items_for_update(loaned)  # the copies first: see the module's docstring
    cancelled = _resolve_hold_conflicts(duplicate, kept, by=by, at=at)
    locked = locks.members_for_update(duplicate.pk, kept.pk)
    duplicate, kept = locked[duplicate.pk], locked[kept.pk]
    _check(duplicate, kept)  # again, under the locks
    late = _loaned_item_ids(duplicate) - loaned
    if late:
        # Lent to the duplicate after the copies were locked (that desk had the member's row
        # first): locked now, out of order, in that rare moment only.
        locks.items_for_update(late)

    # The duplicate steps aside first, so that the kept member may take over its NIK.
    user = duplicate.user if kept.user_id is None else None
    filled = _fill_gaps(kept, duplicate)
    duplicate.status = MemberStatus.MERGED
    duplicate.merged_into = kept
    duplicate.closed_at = at
    if user is not None:
        duplicate.user = None
    duplicate.save()

    moved: dict[str, int] = {}
    for model, field_name in member_links():
        try:
            with transaction.atomic():
                count = model._base_manager.filter(**{field_name: duplicate}).update(
                    **{field_name: kept}
                )
        except IntegrityError as error:
            raise MergeConflictError(what=model._meta.verbose_name_plural) from error
        if count:
            moved[model._meta.label_lower] = moved.get(model._meta.label_lower, 0) + count
    earlier = Member.objects.filter(merged_into=duplicate).update(merged_into=kept)
    if earlier:
        moved["patrons.member"] = earlier

    if user is not None:
        kept.user = user
        filled.append("user")
    try:
        with transaction.atomic():
            kept.save()
    except IntegrityError as error:
        raise MergeConflictError(what=Member._meta.get_field("nik").verbose_name) from error

    details = {
        "moved": moved,
        "filled": sorted(filled),
        "cancelled_holds": cancelled,
    }
    audit.record(
        "member.merge", actor=by, subject=duplicate, details={"into": kept.number, **details}
    )
    audit.record(
        "member.merge", actor=by, subject=kept, details={"from": duplicate.number, **details}
    )
    return MergeResult(
        kept=kept, duplicate=duplicate, moved=moved, filled=filled, cancelled_holds=cancelled
    )
