"""Finding duplicate members and merging them.

Wording is asserted in English (the language cookie for pages, translation.override for the
services), so translating the Indonesian catalogue does not break these tests."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from core.errors import PermissionDeniedError
from core.models import AuditEntry
from core.tests.test_views import signed_in
from patrons.errors import (
    AlreadyMergedError,
    MergeIntoSelfError,
    MergeTargetEndedError,
)
from patrons.models import Member
from patrons.selectors import duplicate_candidates, duplicate_pairs
from patrons.services import close_membership, member_links, merge_members

pytestmark = pytest.mark.django_db

NIK = "6472035501990003"


def signed_in_english(user):
    """Staff signed in to the English interface (the language cookie)."""
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def english():
    """Messages made outside a request are asserted in English too."""
    with translation.override("en"):
        yield


def loan_for(member, item, branch, **extra):
    from circulation.models import Loan

    return Loan.objects.create(
        item=item,
        member=member,
        member_category=member.category_id,
        branch=branch,
        due_at=timezone.now() + dt.timedelta(days=7),
        channel="desk",
        **extra,
    )


def hold_for(member, record, branch, queue_number, **extra):
    from circulation.models import Hold

    return Hold.objects.create(
        record=record,
        member=member,
        pickup_branch=branch,
        queue_number=queue_number,
        channel="web",
        **extra,
    )


def test_candidates_by_nik_name_and_birth_date_phone_and_email(librarian, make_member):
    old = make_member("Ani", nik=NIK)
    close_membership(old, "dobel", by=librarian)  # a closed record still shows up
    member = make_member("Ani Wulandari", nik=NIK, phone="0812-3456-7890", email="Ani@Example.org")
    same_name = make_member("ani  wulandari", birth_date=member.birth_date)
    same_phone = make_member("Budi", phone="+62 812 3456 7890", birth_date=dt.date(1980, 1, 1))
    same_email = make_member("Citra", email="ani@example.ORG", birth_date=dt.date(1981, 1, 1))
    make_member("Dewi", birth_date=dt.date(1982, 1, 1), phone="0813 0000 0000")
    found = {c.member.pk: c.reasons for c in duplicate_candidates(member)}
    assert found == {
        old.pk: ["same NIK"],
        same_name.pk: ["same name and date of birth"],
        same_phone.pk: ["same telephone"],
        same_email.pk: ["same e-mail"],
    }


def test_duplicate_pairs_for_the_whole_library(librarian, make_member):
    a = make_member("Ani Wulandari", phone="0812 1")
    b = make_member("Ani Wulandari", phone="0812-1")  # same name, birth date and phone
    make_member("Budi", birth_date=dt.date(1980, 1, 1))
    # A school's telephone shared by many pupils is not a sign of duplicates.
    for n in range(8):
        make_member(f"Murid {n}", phone="0541 777 000", birth_date=dt.date(2010, 1, n + 1))
    pairs = duplicate_pairs()
    assert len(pairs) == 1
    pair = pairs[0]
    assert {pair.first.pk, pair.second.pk} == {a.pk, b.pk}
    assert pair.reasons == ["same name and date of birth", "same telephone"]
    assert pair.suggested_keep == a  # the older registration


def test_duplicate_pairs_cost_the_same_queries_for_few_or_many(librarian, make_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_member("Ani")
    make_member("Ani")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            duplicate_pairs()
        return len(captured)

    few = count()
    for n in range(5):
        make_member(f"Budi {n}")
        make_member(f"Budi {n}")
    assert len(duplicate_pairs()) == 6
    assert count() == few


def test_merge_moves_loans_holds_fines_and_notices(
    librarian, make_member, make_item, record, branch
):
    from circulation.models import FineEntry, Hold, Loan, Notice

    kept = make_member("Ani Wulandari", phone="")
    duplicate = make_member("Ani W.", phone="0812 3456", nik=NIK, email="ani@example.org")
    loan = loan_for(duplicate, make_item(), branch)
    hold = hold_for(duplicate, record, branch, 1)
    FineEntry.objects.create(member=duplicate, kind="damaged", amount=5000)
    Notice.objects.create(member=duplicate, kind="due_soon", key="due_soon:1")

    result = merge_members(duplicate, kept, by=librarian)

    assert Loan.objects.get(pk=loan.pk).member_id == kept.pk
    assert Hold.objects.get(pk=hold.pk).member_id == kept.pk
    assert FineEntry.objects.get().member_id == kept.pk
    assert Notice.objects.get().member_id == kept.pk
    assert result.moved == {
        "circulation.fineentry": 1,
        "circulation.hold": 1,
        "circulation.loan": 1,
        "circulation.notice": 1,
    }
    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert duplicate.status == "merged" and duplicate.merged_into_id == kept.pk
    assert duplicate.closed_at is not None
    # Gaps of the kept record are filled; the kept member takes over the NIK.
    assert kept.phone == "0812 3456" and kept.nik == NIK and kept.email == "ani@example.org"
    assert {"nik", "phone", "email"} <= set(result.filled)
    assert kept.full_name == "Ani Wulandari"
    entries = AuditEntry.objects.filter(action="member.merge")
    assert {e.object_id for e in entries} == {str(kept.pk), str(duplicate.pk)}
    assert entries.get(object_id=str(duplicate.pk)).details["into"] == kept.number


def test_merge_moves_the_sign_in_account_when_the_kept_member_has_none(
    librarian, make_member, make_user
):
    account = make_user("ani")
    kept = make_member("Ani")
    duplicate = make_member("Ani", user=account)
    merge_members(duplicate, kept, by=librarian)
    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert kept.user == account and duplicate.user is None


def test_merge_keeps_the_earlier_of_two_holds_on_one_title(librarian, make_member, record, branch):
    from circulation.models import Hold

    kept = make_member("Ani")
    duplicate = make_member("Ani")
    theirs = hold_for(duplicate, record, branch, 1)
    ours = hold_for(kept, record, branch, 2)
    result = merge_members(duplicate, kept, by=librarian)
    assert result.cancelled_holds == 1
    assert Hold.objects.get(pk=ours.pk).state == "cancelled"
    theirs = Hold.objects.get(pk=theirs.pk)
    assert theirs.state == "waiting" and theirs.member_id == kept.pk


def test_a_member_cannot_be_merged_into_themselves(librarian, make_member):
    member = make_member()
    with pytest.raises(MergeIntoSelfError):
        merge_members(member, member, by=librarian)
    member.refresh_from_db()
    assert member.status == "active"


def test_merging_into_a_merged_or_closed_member_is_refused(librarian, make_member):
    a, b, c = make_member("A"), make_member("B"), make_member("C")
    merge_members(b, a, by=librarian)
    with pytest.raises(MergeTargetEndedError):
        merge_members(c, b, by=librarian)  # b is merged
    with pytest.raises(AlreadyMergedError):
        merge_members(b, c, by=librarian)
    close_membership(c, "left", by=librarian)
    d = make_member("D")
    with pytest.raises(MergeTargetEndedError):
        merge_members(d, c, by=librarian)
    # A closed duplicate may be merged into a current member.
    merge_members(c, d, by=librarian)


def test_earlier_merges_follow_to_the_kept_member(librarian, make_member):
    a, b, c = make_member("A"), make_member("B"), make_member("C")
    merge_members(a, b, by=librarian)
    merge_members(b, c, by=librarian)
    a.refresh_from_db()
    assert a.merged_into_id == c.pk


def test_merging_needs_the_permission(make_user, make_member):
    a, b = make_member("A"), make_member("B")
    with pytest.raises(PermissionDeniedError):
        merge_members(a, b, by=make_user("katalog", roles={"cataloguer"}))


def test_database_keeps_merged_members_pointing_somewhere(make_member):
    member = make_member()
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(status="merged")
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(merged_into=member)


def test_every_link_to_a_member_is_moved():
    labels = {f"{model._meta.label_lower}.{name}" for model, name in member_links()}
    assert {
        "circulation.loan.member",
        "circulation.hold.member",
        "circulation.fineentry.member",
        "circulation.notice.member",
    } <= labels


def test_review_screen_compares_and_merges(librarian, make_member):
    a = make_member("Ani Wulandari", phone="0812 1")
    b = make_member("Ani Wulandari", phone="0812 1")
    client = signed_in_english(librarian)
    html = client.get(reverse("patrons:duplicate-list")).content.decode()
    assert reverse("patrons:merge", args=[a.pk, b.pk]) in html
    url = reverse("patrons:merge", args=[a.pk, b.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert AuditEntry.objects.filter(action="member.view", object_id=str(b.pk)).exists()
    # Keep the second one this time.
    response = client.post(url, {"keep": str(b.pk)})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "merged" and a.merged_into_id == b.pk
    # Merging again explains itself instead of failing.
    response = client.post(url, {"keep": str(b.pk)})
    assert response.status_code == 200
    assert "already been merged" in response.content.decode()


def test_review_screen_refuses_a_member_with_themselves(librarian, make_member):
    a = make_member()
    response = signed_in_english(librarian).post(
        reverse("patrons:merge", args=[a.pk, a.pk]), {"keep": str(a.pk)}
    )
    assert response.status_code == 200
    assert "cannot be merged into themselves" in response.content.decode()
