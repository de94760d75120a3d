"""Members at the desk: register, change, renew, block, close; member categories.

Each function checks the acting staff member's permission, locks what it changes (patrons/locks.py),
re-reads it under the lock, and writes an audit row. Changes record *which* fields changed, not
their values: the audit log is itself member data.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import audit, sequences
from core.permissions import require
from patrons import locks
from patrons.errors import (
    BlockReasonRequiredError,
    DuplicateNikError,
    EmailInUseError,
    GuardianRequiredError,
    MemberHasLoansError,
    MembershipEndedError,
    MembershipPendingError,
    NikNotForInstitutionsError,
    NotBlockedError,
)
from patrons.models import (
    CURRENT_STATUSES,
    Member,
    MemberCategory,
    MemberStatus,
)
from patrons.nik import normalise_nik, parse_nik

NUMBER_PREFIX = "A"
NUMBER_SEQUENCE = "member_number"
GUARDIAN_FIELDS = ("guardian_name", "guardian_relationship", "guardian_phone")


def format_member_number(value: int) -> str:
    return f"{NUMBER_PREFIX}{value:08d}"


def new_member_numbers(count: int = 1) -> list[str]:
    """Fresh member numbers (A00000001 …), never handed out twice."""
    return [format_member_number(v) for v in sequences.reserve(NUMBER_SEQUENCE, count)]


# ---------------------------------------------------------------------------------------------
# Pure rules


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months; the 31st becomes the month's last day where needed."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(category: MemberCategory, start: dt.date) -> dt.date | None:
    """When a membership of `category` that starts (or is renewed) on `start` ends."""
    if category.membership_months is None:
        return None
    return add_months(start, category.membership_months)


def renewed_expiry(category: MemberCategory, current: dt.date | None, today: dt.date):
    """A renewal adds the category's months to the later of today and the current expiry, so
    renewing early loses no days and renewing late does not backdate."""
    start = max(today, current) if current else today
    return expiry_for(category, start)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# ---------------------------------------------------------------------------------------------
# Shared checks


def _category(value: MemberCategory | str | None) -> MemberCategory:
    if isinstance(value, MemberCategory):
        return value
    return MemberCategory.objects.get(code=value or "general")


def _check_identity(member: Member) -> None:
    """NIK well formed (and absent for institutions); a guardian who consented, where the
    category asks for one."""
    category = member.category
    member.nik = normalise_nik(member.nik)
    if member.nik:
        if category.is_institution:
            raise NikNotForInstitutionsError()
        parse_nik(member.nik)
    if category.requires_guardian and (
        not all(getattr(member, name).strip() for name in GUARDIAN_FIELDS)
        or member.guardian_consent_at is None
    ):
        raise GuardianRequiredError(category=category.name)


def nik_taken(nik: str, *, exclude_pk: int | None = None) -> bool:
    """Is this NIK held by a current (pending or active) member other than `exclude_pk`?"""
    nik = normalise_nik(nik)
    if not nik:
        return False
    others = Member.objects.filter(nik=nik, status__in=CURRENT_STATUSES)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def _save_checked(member: Member, **save_options) -> None:
    """Save; a NIK that a racing registration took meanwhile becomes DuplicateNikError (the
    database constraint `one_active_member_per_nik` is what really decides)."""
    if member.nik and member.is_current and nik_taken(member.nik, exclude_pk=member.pk):
        raise DuplicateNikError()
    try:
        with transaction.atomic():
            member.save(**save_options)
    except IntegrityError as error:
        if member.nik and nik_taken(member.nik, exclude_pk=member.pk):
            raise DuplicateNikError() from error
        raise


def _require_current(member: Member) -> None:
    if member.status not in CURRENT_STATUSES:
        raise MembershipEndedError(member=member.full_name, status=member.get_status_display())


def _delete_file_later(name: str) -> None:
    if not name:
        return
    from django.core.files.storage import default_storage

    transaction.on_commit(lambda: default_storage.delete(name))


# ---------------------------------------------------------------------------------------------
# Register and change


@transaction.atomic
def register_member(data: dict[str, Any], *, by, at: dt.datetime | None = None) -> Member:
    """Register a member at the desk (active at once). `data` holds Member fields, plus
    `guardian_consent` (the librarian ticked that the guardian consents) and `photo` (an
    already prepared file, see patrons.photos). The expiry follows from the category unless
    given."""
    if by is not None:
        require(by, "patrons.add_member")
    at = at or timezone.now()
    data = dict(data)
    consent = data.pop("guardian_consent", False)
    photo = data.pop("photo", None)
    category = _category(data.pop("category", None) or data.pop("category_id", None))
    data.setdefault("joined_on", timezone.localdate(at))
    if not data.get("expires_on"):
        data["expires_on"] = expiry_for(category, data["joined_on"])
    data.setdefault("status", MemberStatus.ACTIVE)
    if data["status"] == MemberStatus.ACTIVE:
        data.setdefault("confirmed_at", at)
    member = Member(number=new_member_numbers()[0], category=category, **data)
    if consent and category.requires_guardian:
        member.guardian_consent_at = at
    if photo:
        member.photo = photo
    _check_identity(member)
    member.full_clean(validate_constraints=False)
    _save_checked(member)
    audit.record(
        "member.create",
        actor=by,
        subject=member,
        details={"channel": member.registered_via},
    )
    return member


@transaction.atomic
def update_member(member: Member, changes: dict[str, Any], *, by) -> Member:
    """Change a member's record. `photo`: a prepared file replaces it, False removes it, None
    keeps it. `guardian_consent`: True records consent now (unless already recorded), False
    withdraws it."""
    require(by, "patrons.change_member")
    member = locks.member_for_update(member.pk)
    if member.status == MemberStatus.MERGED:
        raise MembershipEndedError(member=member.full_name, status=member.get_status_display())
    changes = dict(changes)
    changed: dict[str, bool] = {}
    old_photo = ""
    if "photo" in changes:
        photo = changes.pop("photo")
        if photo is False and member.photo:
            old_photo = member.photo.name
            member.photo = ""
            changed["photo"] = True
        elif photo:
            old_photo = member.photo.name if member.photo else ""
            member.photo = photo
            changed["photo"] = True
    if "guardian_consent" in changes:
        consent = changes.pop("guardian_consent")
        if consent and member.guardian_consent_at is None:
            member.guardian_consent_at = timezone.now()
            changed["guardian_consent_at"] = True
        elif not consent and member.guardian_consent_at is not None:
            member.guardian_consent_at = None
            changed["guardian_consent_at"] = True
    if "category" in changes:
        changes["category"] = _category(changes["category"])
    if "nik" in changes:
        changes["nik"] = normalise_nik(changes["nik"] or "")
    for field, value in changes.items():
        old = getattr(member, field)
        if old != value:
            # Record which fields changed, not their values: the log is itself member data.
            changed[field] = True
            setattr(member, field, value)
    if changed:
        _check_identity(member)
        member.full_clean(validate_constraints=False)
        _save_checked(member)
        _delete_file_later(old_photo)
        if "keep_reading_history" in changed and not member.keep_reading_history:
            # Turning the reading history off deletes it, wherever it is turned off.
            from circulation.services import forget_reading_history

            forget_reading_history(member)
        audit.record("member.update", actor=by, subject=member, details={"fields": sorted(changed)})
    return member


@transaction.atomic
def renew_membership(member: Member, *, by, at: dt.datetime | None = None) -> Member:
    """Extend a membership by its category's months, from the later of today and the current
    expiry."""
    require(by, "patrons.change_member")
    at = at or timezone.now()
    member = locks.member_for_update(member.pk)
    _require_current(member)
    if member.status == MemberStatus.PENDING:
        raise MembershipPendingError(member=member.full_name)
    before = member.expires_on
    member.expires_on = renewed_expiry(member.category, before, timezone.localdate(at))
    member.save(update_fields=["expires_on", "updated_at"])
    audit.record(
        "member.renew",
        actor=by,
        subject=member,
        details={
            "from": before.isoformat() if before else None,
            "to": member.expires_on.isoformat() if member.expires_on else None,
        },
    )
    return member


@transaction.atomic
def block_member(member: Member, reason: str, *, by, at: dt.datetime | None = None) -> Member:
    """Block borrowing by hand, with a reason the member and staff see."""
    require(by, "patrons.change_member")
    reason = (reason or "").strip()
    if not reason:
        raise BlockReasonRequiredError()
    member = locks.member_for_update(member.pk)
    _require_current(member)
    member.manual_block_reason = reason[:300]
    member.blocked_at = at or timezone.now()
    member.save(update_fields=["manual_block_reason", "blocked_at", "updated_at"])
    audit.record("member.block", actor=by, subject=member, details={"reason": reason[:300]})
    return member


@transaction.atomic
def unblock_member(member: Member, reason: str, *, by) -> Member:
    require(by, "patrons.change_member")
    reason = (reason or "").strip()
    if not reason:
        raise BlockReasonRequiredError()
    member = locks.member_for_update(member.pk)
    if not member.manual_block_reason:
        raise NotBlockedError(member=member.full_name)
    member.manual_block_reason = ""
    member.blocked_at = None
    member.save(update_fields=["manual_block_reason", "blocked_at", "updated_at"])
    audit.record("member.unblock", actor=by, subject=member, details={"reason": reason[:300]})
    return member


@transaction.atomic
def close_membership(member: Member, reason: str, *, by, at: dt.datetime | None = None) -> Member:
    """End a membership (the member left, or a registration was refused). Refused while the
    member still has items on loan or owes fines."""
    from circulation import selectors as circulation

    require(by, "patrons.change_member")
    reason = (reason or "").strip()
    if not reason:
        raise BlockReasonRequiredError()
    member = locks.member_for_update(member.pk)
    _require_current(member)
    loans = circulation.open_loans(member).count()
    balance = circulation.fine_balance(member)
    if loans or balance > 0:
        from core.money import format_rupiah

        raise MemberHasLoansError(
            member=member.full_name, loans=loans, balance=format_rupiah(balance)
        )
    member.status = MemberStatus.CLOSED
    member.closed_at = at or timezone.now()
    member.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record("member.close", actor=by, subject=member, details={"reason": reason[:300]})
    return member


def activate(member: Member, *, at: dt.datetime) -> None:
    """pending -> active: the membership starts now (call under the member's lock)."""
    today = timezone.localdate(at)
    member.status = MemberStatus.ACTIVE
    member.confirmed_at = at
    member.joined_on = today
    member.expires_on = expiry_for(member.category, today)
    _save_checked(
        member, update_fields=["status", "confirmed_at", "joined_on", "expires_on", "updated_at"]
    )


@transaction.atomic
def confirm_member(member: Member, *, by, at: dt.datetime | None = None) -> Member:
    """Staff confirm an online registration at the desk (having seen the identity card)."""
    from patrons.errors import NotPendingError

    require(by, "patrons.change_member")
    at = at or timezone.now()
    member = locks.member_for_update(member.pk)
    if member.status != MemberStatus.PENDING:
        raise NotPendingError(status=member.get_status_display())
    activate(member, at=at)
    audit.record("member.confirm", actor=by, subject=member, details={"via": "desk"})
    return member


# ---------------------------------------------------------------------------------------------
# Categories


CATEGORY_RULE_FIELDS = (
    "name",
    "membership_months",
    "requires_guardian",
    "max_age",
    "fine_block_limit",
    "overdue_block_count",
    "position",
)


@transaction.atomic
def update_category(category: MemberCategory, changes: dict[str, Any], *, by) -> MemberCategory:
    """Change a category's rules (head of library). Existing expiry dates stay as they are; the
    new length applies from the next registration or renewal."""
    require(by, "patrons.change_membercategory")
    category = locks.category_for_update(category.pk)
    changed: dict[str, list] = {}
    for field, value in changes.items():
        if field not in CATEGORY_RULE_FIELDS:
            continue
        old = getattr(category, field)
        if old != value:
            changed[field] = [old, value]
            setattr(category, field, value)
    if changed:
        category.full_clean()
        category.save()
        audit.record(
            "member_category.update",
            actor=by,
            subject=category,
            details={"fields": {k: [str(v) for v in pair] for k, pair in changed.items()}},
        )
    return category


# ---------------------------------------------------------------------------------------------
# Reading member data is recorded too


def record_member_viewed(member: Member, *, by) -> None:
    """Opening a member's record is itself recorded: staff see what their role needs."""
    require(by, "patrons.view_member")
    audit.record("member.view", actor=by, subject=member)


def record_member_search(query: str, *, by) -> None:
    require(by, "patrons.view_member")
    if query:
        audit.record("member.search", actor=by, details={"query": query[:100]})


def record_member_list_viewed(kind: str, *, by, count: int | None = None) -> None:
    """A list that shows members (pending registrations, expiring memberships, duplicates)."""
    require(by, "patrons.view_member")
    details: dict[str, Any] = {"list": kind}
    if count is not None:
        details["count"] = count
    audit.record("member.list", actor=by, details=details)


def record_cards_printed(members: list[Member], *, by) -> None:
    """One entry per member, so the audit screen finds it when searching for that member."""
    require(by, "patrons.view_member")
    for member in members:
        audit.record("member.card", actor=by, subject=member, details={"cards": len(members)})


def create_member_account(member: Member, *, password: str, email: str, language: str):
    """The member's sign-in account (role member, user name = member number). Another account
    with this e-mail address — checked by the caller, but also one made a moment ago by a
    double-clicked sign-up, which only the database's `one_account_per_email` sees — is
    `EmailInUseError`, with nothing of this account kept."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from accounts.roles import Role
    from accounts.services import create_user

    try:
        with transaction.atomic():
            return create_user(
                member.number.lower(),
                password=password,
                roles={Role.MEMBER},
                first_name=member.full_name[:150],
                email=email,
                preferred_language=language,
                by=None,
            )
    except (IntegrityError, ValidationError) as error:
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise EmailInUseError() from error
        raise
