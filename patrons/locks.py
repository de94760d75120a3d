"""The only row locks in patrons. Circulation locks item, then record, then member; a merge
cancels conflicting holds (item and record locks) before it locks the two members, and locks
members in the order of their ids, so two merges never wait for each other in a circle."""

from __future__ import annotations

from patrons.models import Member, MemberCategory


def member_for_update(pk: int) -> Member:
    return Member.objects.select_for_update(of=("self",)).select_related("category").get(pk=pk)


def members_for_update(*pks: int) -> dict[int, Member]:
    rows = (
        Member.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    return {member.pk: member for member in list(rows)}


def category_for_update(pk: int) -> MemberCategory:
    return MemberCategory.objects.select_for_update().get(pk=pk)
