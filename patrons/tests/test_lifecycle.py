"""Expiry and renewal, blocks, closing, member categories.

Wording is asserted in English (the language cookie for pages, translation.override for the
services), so translating the Indonesian catalogue does not break these tests."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.errors import PermissionDeniedError
from core.models import AuditEntry
from core.tests.test_views import signed_in
from patrons.errors import (
    BlockReasonRequiredError,
    MemberHasLoansError,
    MembershipEndedError,
    MembershipPendingError,
    NotBlockedError,
)
from patrons.models import MemberCategory
from patrons.services import (
    add_months,
    block_member,
    close_membership,
    expiry_for,
    renew_membership,
    renewed_expiry,
    unblock_member,
    update_category,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in Samarinda


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


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 23), 14) == dt.date(2028, 1, 23)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


def test_renewal_counts_from_the_later_of_today_and_the_expiry(member_categories):
    student = MemberCategory.objects.get(code="school_student")  # 12 months
    senior = MemberCategory.objects.get(code="senior")  # does not expire
    # Early: no days lost.
    assert renewed_expiry(student, dt.date(2027, 1, 10), TODAY) == dt.date(2028, 1, 10)
    # Late: not backdated.
    assert renewed_expiry(student, dt.date(2025, 6, 1), TODAY) == dt.date(2027, 11, 23)
    assert renewed_expiry(student, None, TODAY) == dt.date(2027, 11, 23)
    assert renewed_expiry(senior, dt.date(2027, 1, 10), TODAY) is None
    assert expiry_for(senior, TODAY) is None


@time_machine.travel(NOW, tick=False)
def test_renewing_at_the_desk_is_audited(librarian, make_member):
    member = make_member(category="school_student", birth_date=dt.date(2010, 5, 2))
    member.expires_on = dt.date(2026, 12, 1)
    member.save()
    client = signed_in_english(librarian)
    response = client.post(reverse("patrons:member-renew", args=[member.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.expires_on == dt.date(2027, 12, 1)
    entry = AuditEntry.objects.get(action="member.renew")
    assert entry.details == {"from": "2026-12-01", "to": "2027-12-01"}


def test_an_expired_member_is_blocked_until_renewed(librarian, make_member):
    from circulation.selectors import member_blocks

    member = make_member(expires_on=dt.date(2020, 1, 1))
    assert "expired" in [block.code for block in member_blocks(member)]
    member = renew_membership(member, by=librarian)
    assert member.expires_on > dt.date.today()
    assert "expired" not in [block.code for block in member_blocks(member)]


def test_renewal_is_refused_for_pending_and_closed_members(librarian, make_member):
    pending = make_member("Pending", status="pending")
    with pytest.raises(MembershipPendingError):
        renew_membership(pending, by=librarian)
    closed = make_member("Closed")
    close_membership(closed, "moved away", by=librarian)
    with pytest.raises(MembershipEndedError):
        renew_membership(closed, by=librarian)


def test_cataloguer_may_not_renew(make_user, make_member):
    member = make_member()
    with pytest.raises(PermissionDeniedError):
        renew_membership(member, by=make_user("katalog", roles={"cataloguer"}))


@time_machine.travel(NOW, tick=False)
def test_expiring_list_shows_the_next_30_days_only(librarian, make_member):
    soon = make_member("Segera", expires_on=dt.date(2026, 12, 10))
    make_member("Nanti", expires_on=dt.date(2027, 3, 1))
    make_member("Sudah", expires_on=dt.date(2026, 11, 1))
    closed = make_member("Tutup", expires_on=dt.date(2026, 12, 5))
    close_membership(closed, "left", by=librarian)
    response = signed_in_english(librarian).get(reverse("patrons:expiring-list"))
    html = response.content.decode()
    assert "Segera" in html
    assert "Nanti" not in html and "Sudah" not in html and "Tutup" not in html
    assert [m.pk for m in response.context["page"]] == [soon.pk]
    assert AuditEntry.objects.filter(action="member.list", details__list="expiring").exists()


def test_expiring_list_costs_the_same_queries_for_few_or_many(librarian, make_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_english(librarian)
    soon = dt.date.today() + dt.timedelta(days=5)

    def count() -> int:
        client.get(reverse("patrons:expiring-list"))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("patrons:expiring-list"))
        return len(captured)

    make_member("A", expires_on=soon)
    few = count()
    for n in range(10):
        make_member(f"B{n}", expires_on=soon)
    assert count() == few


def test_block_and_unblock_with_reasons_are_audited(librarian, make_member):
    from circulation.selectors import member_blocks

    member = make_member()
    client = signed_in_english(librarian)
    response = client.post(
        reverse("patrons:member-block", args=[member.pk]), {"reason": "Kartu dipakai orang lain"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.manual_block_reason == "Kartu dipakai orang lain" and member.blocked_at
    assert "manual" in [block.code for block in member_blocks(member)]
    page = client.get(reverse("patrons:member-detail", args=[member.pk])).content.decode()
    assert "Kartu dipakai orang lain" in page and "May not borrow now" in page
    client.post(reverse("patrons:member-unblock", args=[member.pk]), {"reason": "Sudah jelas"})
    member.refresh_from_db()
    assert member.manual_block_reason == "" and member.blocked_at is None
    assert AuditEntry.objects.get(action="member.block").details == {
        "reason": "Kartu dipakai orang lain"
    }
    assert AuditEntry.objects.get(action="member.unblock").details == {"reason": "Sudah jelas"}


def test_block_needs_a_reason_and_unblock_needs_a_block(librarian, make_member):
    member = make_member()
    with pytest.raises(BlockReasonRequiredError):
        block_member(member, "   ", by=librarian)
    with pytest.raises(NotBlockedError):
        unblock_member(member, "why not", by=librarian)
    response = signed_in_english(librarian).post(
        reverse("patrons:member-block", args=[member.pk]), {"reason": ""}
    )
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()


def test_closing_is_refused_while_fines_are_owed(librarian, make_member):
    from circulation.models import FineEntry

    member = make_member()
    FineEntry.objects.create(member=member, kind="damaged", amount=15000)
    with pytest.raises(MemberHasLoansError) as caught:
        close_membership(member, "left town", by=librarian)
    assert "Rp\xa015.000" in str(caught.value)
    FineEntry.objects.create(member=member, kind="payment", amount=-15000)
    member = close_membership(member, "left town", by=librarian)
    assert member.status == "closed" and member.closed_at
    with pytest.raises(MembershipEndedError):
        block_member(member, "x", by=librarian)


def test_head_edits_category_rules_and_the_change_is_audited(head):
    client = signed_in_english(head)
    assert client.get(reverse("patrons:category-list")).status_code == 200
    url = reverse("patrons:category-edit", args=["child"])
    response = client.post(
        url,
        {
            "name": "Anak",
            "membership_months": "24",
            "requires_guardian": "on",
            "max_age": "12",
            "fine_block_limit": "5000",
            "overdue_block_count": "1",
            "position": "3",
        },
    )
    assert response.status_code == 302
    child = MemberCategory.objects.get(code="child")
    assert (child.membership_months, child.fine_block_limit, child.overdue_block_count) == (
        24,
        5000,
        1,
    )
    entry = AuditEntry.objects.get(action="member_category.update")
    assert entry.details["fields"]["membership_months"] == ["12", "24"]


def test_librarian_may_not_edit_categories(librarian):
    client = signed_in_english(librarian)
    assert client.get(reverse("patrons:category-list")).status_code == 403
    with pytest.raises(PermissionDeniedError):
        update_category(
            MemberCategory.objects.get(code="child"), {"membership_months": 1}, by=librarian
        )


def test_category_form_refuses_bad_numbers(head):
    response = signed_in_english(head).post(
        reverse("patrons:category-edit", args=["general"]),
        {"name": "Umum", "membership_months": "-3", "position": "0"},
    )
    assert response.status_code == 200
    assert "membership_months" in response.context["form"].errors


def test_member_older_than_the_category_gets_a_warning(librarian, make_member):
    from patrons.selectors import membership_warnings

    member = make_member(
        "Dewasa",
        category="child",
        birth_date=dt.date(1990, 1, 1),
        guardian_name="Sri",
        guardian_relationship="ibu",
        guardian_phone="0812",
        guardian_consent=True,
    )
    warnings = membership_warnings(member)
    assert any("up to 12" in warning for warning in warnings)
