"""Reads about members: search, lists for the desk, duplicates, and the member page summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from patrons.models import CURRENT_STATUSES, Member, MemberCategory, MemberStatus
from patrons.nik import nik_warnings, normalise_nik

EXPIRING_WITHIN_DAYS = 30
# A telephone number or e-mail address shared by more members than this is a school's or an
# office's, not a sign of a duplicate: such groups are left out of the duplicate review.
LARGEST_DUPLICATE_GROUP = 6


def search_members(query: str = "", *, status: str | None = None) -> QuerySet[Member]:
    """Members whose name, number, NIK, e-mail or telephone matches; all when the query is
    empty."""
    members = Member.objects.select_related("home_branch", "category")
    query = query.strip()
    if query:
        condition = (
            Q(full_name__icontains=query)
            | Q(number__iexact=query)
            | Q(email__iexact=query)
            | Q(phone__contains=query)
        )
        nik = normalise_nik(query)
        if len(nik) == 16 and nik.isdigit():
            condition |= Q(nik=nik)
        members = members.filter(condition)
    if status:
        members = members.filter(status=status)
    return members.order_by("full_name", "pk")


def get_member(pk: int) -> Member | None:
    return (
        Member.objects.select_related("home_branch", "user", "category", "merged_into")
        .filter(pk=pk)
        .first()
    )


def get_member_by_number(number: str) -> Member | None:
    return (
        Member.objects.select_related("home_branch", "category")
        .filter(number__iexact=number.strip())
        .first()
    )


def member_for_user(user) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Member.objects.select_related("category", "home_branch", "merged_into")
        .filter(user=user)
        .first()
    )


def members_by_numbers(numbers: list[str]) -> tuple[list[Member], list[str]]:
    """The members with these numbers, in the order given (each once), and the numbers that
    match no member."""
    wanted = []
    for number in numbers:
        number = number.strip().upper()
        if number and number not in wanted:
            wanted.append(number)
    found = {
        member.number.upper(): member
        for member in Member.objects.select_related("category").filter(number__in=wanted)
    }
    return [found[n] for n in wanted if n in found], [n for n in wanted if n not in found]


def members_registered_between(start: dt.date, end: dt.date) -> QuerySet[Member]:
    return (
        Member.objects.select_related("category")
        .filter(joined_on__gte=start, joined_on__lte=end, status=MemberStatus.ACTIVE)
        .order_by("joined_on", "number")
    )


def pending_registrations() -> QuerySet[Member]:
    """Online registrations waiting for confirmation, oldest first."""
    return (
        Member.objects.select_related("category", "home_branch")
        .filter(status=MemberStatus.PENDING)
        .order_by("created_at", "pk")
    )


def expiring_memberships(
    *, on: dt.date | None = None, within_days: int = EXPIRING_WITHIN_DAYS
) -> QuerySet[Member]:
    """Active memberships that end between `on` (today) and `within_days` later."""
    on = on or timezone.localdate()
    return (
        Member.objects.select_related("category", "home_branch")
        .filter(
            status=MemberStatus.ACTIVE,
            expires_on__gte=on,
            expires_on__lte=on + dt.timedelta(days=within_days),
        )
        .order_by("expires_on", "full_name", "pk")
    )


def current_member_with_nik(nik: str, *, exclude_pk: int | None = None) -> Member | None:
    nik = normalise_nik(nik)
    if not nik:
        return None
    members = Member.objects.filter(nik=nik, status__in=CURRENT_STATUSES)
    if exclude_pk is not None:
        members = members.exclude(pk=exclude_pk)
    return members.first()


def member_categories() -> QuerySet[MemberCategory]:
    return MemberCategory.objects.annotate(
        member_count=Count("members", filter=Q(members__status=MemberStatus.ACTIVE))
    ).order_by("position", "name")


def get_category(code: str) -> MemberCategory | None:
    return MemberCategory.objects.filter(code=code).first()


# ---------------------------------------------------------------------------------------------
# Warnings and the member page


def membership_warnings(member: Member, *, on: dt.date | None = None) -> list[str]:
    """Things staff should check, that do not stop anything: a NIK that disagrees with the date
    of birth or sex entered, a member older than the category allows."""
    on = on or timezone.localdate()
    warnings = [
        warning.message
        for warning in nik_warnings(member.nik, birth_date=member.birth_date, gender=member.gender)
    ]
    category = member.category
    if category.max_age is not None and member.birth_date is not None:
        from patrons.services import age_on

        age = age_on(member.birth_date, on)
        if age > category.max_age:
            warnings.append(
                _(
                    "%(name)s is %(age)s years old; the category “%(category)s” is for members "
                    "up to %(max)s. Consider another category."
                )
                % {
                    "name": member.full_name,
                    "age": age,
                    "category": category.name,
                    "max": category.max_age,
                }
            )
    return warnings


@dataclass(frozen=True)
class MemberSummary:
    """What the member page shows from circulation (read-only)."""

    loans: int
    holds: int
    fine_balance: int
    blocks: list = field(default_factory=list)


def member_summary(member: Member) -> MemberSummary:
    from circulation import selectors as circulation

    return MemberSummary(
        loans=circulation.open_loans(member).count(),
        holds=circulation.active_holds(member).count(),
        fine_balance=circulation.fine_balance(member),
        blocks=circulation.member_blocks(member),
    )


# ---------------------------------------------------------------------------------------------
# Duplicates


@dataclass
class DuplicateCandidate:
    member: Member
    reasons: list[str]


@dataclass
class DuplicatePair:
    first: Member
    second: Member
    reasons: list[str]

    @property
    def suggested_keep(self) -> Member:
        """The one to keep: a current member over an ended one, else the older registration."""
        ranked = sorted(
            (self.first, self.second),
            key=lambda m: (m.status != MemberStatus.ACTIVE, m.status not in CURRENT_STATUSES, m.pk),
        )
        return ranked[0]

    @property
    def suggested_duplicate(self) -> Member:
        return self.second if self.suggested_keep is self.first else self.first


def _reason_labels() -> dict[str, str]:
    return {
        "nik": _("same NIK"),
        "name_birth": _("same name and date of birth"),
        "phone": _("same telephone"),
        "email": _("same e-mail"),
    }


def duplicate_candidates(member: Member) -> list[DuplicateCandidate]:
    """Other (not merged) members who may be the same person, with why."""
    condition = Q()
    if member.nik:
        condition |= Q(nik=member.nik)
    if member.birth_date and member.name_key:
        condition |= Q(name_key=member.name_key, birth_date=member.birth_date)
    if member.phone_key:
        condition |= Q(phone_key=member.phone_key)
    if member.email:
        condition |= Q(email__iexact=member.email)
    if not condition:
        return []
    labels = _reason_labels()
    candidates = []
    others = (
        Member.objects.filter(condition)
        .exclude(pk=member.pk)
        .exclude(status=MemberStatus.MERGED)
        .select_related("category")
        .order_by("pk")[:20]
    )
    for other in others:
        reasons = []
        if member.nik and other.nik == member.nik:
            reasons.append(labels["nik"])
        if (
            member.birth_date
            and other.birth_date == member.birth_date
            and other.name_key == member.name_key
        ):
            reasons.append(labels["name_birth"])
        if member.phone_key and other.phone_key == member.phone_key:
            reasons.append(labels["phone"])
        if member.email and other.email.lower() == member.email.lower():
            reasons.append(labels["email"])
        candidates.append(DuplicateCandidate(other, reasons))
    return candidates


def duplicate_pairs(*, limit: int = 200) -> list[DuplicatePair]:
    """Pairs of (not merged) members who may be the same person, most reasons first. Four
    grouping queries and one to load the members, however many members the library has."""
    live = Member.objects.exclude(status=MemberStatus.MERGED)
    groups: list[tuple[str, Q]] = []
    for nik in (
        live.exclude(nik="")
        .values("nik")
        .annotate(n=Count("pk"))
        .filter(n__gt=1, n__lte=LARGEST_DUPLICATE_GROUP)
        .values_list("nik", flat=True)
    ):
        groups.append(("nik", Q(nik=nik)))
    for row in (
        live.exclude(birth_date=None)
        .exclude(name_key="")
        .values("name_key", "birth_date")
        .annotate(n=Count("pk"))
        .filter(n__gt=1, n__lte=LARGEST_DUPLICATE_GROUP)
    ):
        groups.append(("name_birth", Q(name_key=row["name_key"], birth_date=row["birth_date"])))
    for phone_key in (
        live.exclude(phone_key="")
        .values("phone_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1, n__lte=LARGEST_DUPLICATE_GROUP)
        .values_list("phone_key", flat=True)
    ):
        groups.append(("phone", Q(phone_key=phone_key)))
    for email in (
        live.exclude(email="")
        .annotate(email_key=Lower("email"))
        .values("email_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1, n__lte=LARGEST_DUPLICATE_GROUP)
        .values_list("email_key", flat=True)
    ):
        groups.append(("email", Q(email__iexact=email)))
    if not groups:
        return []

    condition = Q()
    for _kind, group in groups:
        condition |= group
    members = list(live.filter(condition).select_related("category").order_by("pk"))
    labels = _reason_labels()

    def key_of(kind: str, member: Member):
        if kind == "nik":
            return member.nik or None
        if kind == "name_birth":
            return (member.name_key, member.birth_date) if member.birth_date else None
        if kind == "phone":
            return member.phone_key or None
        return member.email.lower() or None

    reasons: dict[tuple[int, int], list[str]] = {}
    by_pk = {member.pk: member for member in members}
    for kind in ("nik", "name_birth", "phone", "email"):
        buckets: dict[object, list[int]] = {}
        for member in members:
            key = key_of(kind, member)
            if key is not None:
                buckets.setdefault(key, []).append(member.pk)
        for pks in buckets.values():
            if len(pks) < 2 or len(pks) > LARGEST_DUPLICATE_GROUP:
                continue
            for pair in combinations(sorted(pks), 2):
                reasons.setdefault(pair, []).append(labels[kind])
    ranked = sorted(reasons.items(), key=lambda item: (-len(item[1]), -item[0][1]))
    return [DuplicatePair(by_pk[a], by_pk[b], why) for (a, b), why in ranked[:limit]]
