"""The only row locks in patrons. Circulation locks item, then record, then member; a merge
locks the copies the duplicate has on loan first (in the order of their ids), then cancels
conflicting holds (item and record locks), then locks the two members in the order of their
ids, so two merges never wait for each other in a circle, and a desk taking back, renewing or
marking lost one of those copies waits for the merge at the copy instead of deadlocking with it
(the merge moves the loan the desk has locked; the desk's fine needs the member the merge has
locked)."""

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


def items_for_update(pks) -> None:
    """Lock these copies (catalog items), in the order of their ids."""
    from catalog.models import Item

    list(
        Item.objects.select_for_update()
        .filter(pk__in=sorted(set(pks)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def category_for_update(pk: int) -> MemberCategory:
    return MemberCategory.objects.select_for_update().get(pk=pk)
