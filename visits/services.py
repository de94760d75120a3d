"""Visitor log writes: a member's or a guest's visit at the kiosk, the purpose added after, and
staff recording items used in the library (baca di tempat)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Item
from core.models import Branch
from core.permissions import require
from patrons.models import Member, MemberStatus
from visits.errors import (
    EmptyCardError,
    EmptyItemCodeError,
    GuestNameRequiredError,
    InvalidPurposeError,
    UnknownBranchError,
    UnknownCardError,
    UnknownItemError,
)
from visits.models import GUEST_CATEGORY, InLibraryUse, Purpose, Visit, VisitorKind

# A member scanning again within this many minutes at the same branch is the same visit.
REPEAT_MINUTES = "PUSTAKA_VISIT_REPEAT_MINUTES"
# The same item scanned again within this many seconds is one use (a scanner's double read).
USE_REPEAT_SECONDS = "PUSTAKA_IN_LIBRARY_USE_REPEAT_SECONDS"
# Members whose card counts at the door (a pending member is registered, not yet confirmed).
VISITING_STATUSES = (MemberStatus.ACTIVE, MemberStatus.PENDING)


@dataclass(frozen=True)
class RecordedVisit:
    visit: Visit
    greeting_name: str
    repeated: bool = False


@dataclass(frozen=True)
class RecordedUse:
    use: InLibraryUse
    item: Item
    repeated: bool = False


def first_name(full_name: str) -> str:
    """What the kiosk may show of a person: the first word of the name, nothing else."""
    words = full_name.split()
    return words[0][:40] if words else ""


def kiosk_branch(code: str) -> Branch:
    code = (code or "").strip()[:40]
    branch = Branch.objects.filter(code__iexact=code, is_active=True).first() if code else None
    if branch is None:
        raise UnknownBranchError(code=code)
    return branch


@transaction.atomic
def record_member_visit(
    card_number: str, *, branch: Branch, at: dt.datetime | None = None
) -> RecordedVisit:
    """A member scanned or typed their card number at the entrance. Scanning twice within
    PUSTAKA_VISIT_REPEAT_MINUTES (30) is one visit."""
    at = at or timezone.now()
    number = (card_number or "").strip()[:40]
    if not number:
        raise EmptyCardError()
    member = (
        Member.objects.select_for_update(of=("self",))
        .filter(number__in={number, number.upper()}, status__in=VISITING_STATUSES)
        .only("pk", "full_name", "category_id")
        .first()
    )
    if member is None:
        raise UnknownCardError()
    minutes = getattr(settings, REPEAT_MINUTES, 30)
    recent = (
        Visit.objects.filter(
            member=member, branch=branch, at__gte=at - dt.timedelta(minutes=minutes)
        )
        .order_by("-at")
        .first()
    )
    if recent is not None:
        return RecordedVisit(recent, first_name(member.full_name), repeated=True)
    visit = Visit.objects.create(
        branch=branch, at=at, kind=VisitorKind.MEMBER, member=member, category=member.category_id
    )
    return RecordedVisit(visit, first_name(member.full_name))


def record_guest_visit(
    *,
    name: str,
    institution: str = "",
    purpose: str,
    branch: Branch,
    at: dt.datetime | None = None,
) -> RecordedVisit:
    name = " ".join((name or "").split())
    if not name:
        raise GuestNameRequiredError()
    if purpose not in Purpose.values:
        raise InvalidPurposeError()
    visit = Visit.objects.create(
        branch=branch,
        at=at or timezone.now(),
        kind=VisitorKind.GUEST,
        category=GUEST_CATEGORY,
        purpose=purpose,
        guest_name=name[:150],
        guest_institution=" ".join((institution or "").split())[:200],
    )
    return RecordedVisit(visit, first_name(name))


def set_purpose(visit_id: int, purpose: str) -> bool:
    """A member says why they came, just after scanning. Only a visit without a purpose takes
    one; True when it did."""
    if purpose not in Purpose.values:
        raise InvalidPurposeError()
    return bool(Visit.objects.filter(pk=visit_id, purpose="").update(purpose=purpose))


@transaction.atomic
def record_in_library_use(
    code: str, *, branch: Branch, by, at: dt.datetime | None = None
) -> RecordedUse:
    """Staff scan an item left on a table. The same item again within a minute is one use."""
    require(by, "visits.add_inlibraryuse")
    at = at or timezone.now()
    code = (code or "").strip()[:64]
    if not code:
        raise EmptyItemCodeError()
    candidates = {code, code.upper()}
    item = (
        Item.objects.select_related("record").filter(barcode__in=candidates).first()
        or Item.objects.select_related("record")
        .filter(rfid_tag__in=candidates)
        .exclude(rfid_tag="")
        .first()
    )
    if item is None:
        raise UnknownItemError(code=code)
    seconds = getattr(settings, USE_REPEAT_SECONDS, 60)
    recent = (
        InLibraryUse.objects.filter(
            item=item, branch=branch, at__gte=at - dt.timedelta(seconds=seconds)
        )
        .order_by("-at")
        .first()
    )
    if recent is not None:
        return RecordedUse(recent, item, repeated=True)
    use = InLibraryUse.objects.create(
        branch=branch, item=item, collection=item.collection, at=at, by=by
    )
    return RecordedUse(use, item)
