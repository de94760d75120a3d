"""`pustaka demo`: a believable library, every role, Indonesian members; safe to run again."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.roles import Role, roles_of
from core.demo import DEMO_LOGINS, DEMO_PASSWORD
from core.models import Branch, OpeningPeriod
from core.selectors import get_library
from patrons.models import Member

# The member categories come from a migration; a browser test's flush before this one removes
# them, so ask for them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("member_categories")]


def test_demo_builds_a_city_library_with_staff_for_every_role_and_members():
    out = StringIO()
    call_command("demo", members=30, records=25, stdout=out)
    assert "Demo library ready" in out.getvalue()
    assert "members: 30/30 (100%)" in out.getvalue()  # progress is shown
    assert get_library().time_zone == "Asia/Makassar"
    assert Branch.objects.count() == 3
    assert OpeningPeriod.objects.filter(branch__code="pusat").exists()
    assert {
        role
        for login in DEMO_LOGINS
        for role in roles_of(User.objects.get(username=login.username))
    } == set(Role)
    for login in DEMO_LOGINS:
        assert User.objects.get(username=login.username).check_password(DEMO_PASSWORD)
    assert Member.objects.count() == 31  # 30 + the demo member "anggota"
    member = Member.objects.exclude(user__isnull=False).first()
    assert member.number.startswith("A") and member.address and member.phone
    assert Member.objects.filter(user__username="anggota").exists()
    from catalog.models import Item, Record

    assert Record.objects.count() == 25
    assert Record.objects.filter(language="ind").exists()  # the Indonesian LC records come first
    assert Item.objects.filter(record__isnull=False).count() >= 25
    assert set(Item.objects.values_list("branch__code", flat=True)) <= {
        "pusat",
        "seberang",
        "taman",
    }


def test_head_and_admin_in_the_demo_have_their_printed_two_factor_keys():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    call_command("demo", members=0, records=0, stdout=StringIO())
    for username in ("kepala", "admin"):
        assert TOTPDevice.objects.filter(user__username=username, confirmed=True).exists()


def test_if_empty_leaves_an_existing_library_alone():
    call_command("demo", members=5, records=5, stdout=StringIO())
    out = StringIO()
    call_command("demo", "--if-empty", members=5, records=5, stdout=out)
    assert "not rebuilt" in out.getvalue()
    assert Member.objects.count() == 6


def test_demo_library_has_loans_holds_fines_a_stocktake_and_visits():
    from circulation.models import FineEntry, Hold, Loan
    from inventory.models import StocktakeSession
    from visits.models import Visit

    call_command("demo", members=40, records=60, stdout=StringIO())
    assert Loan.objects.filter(state="on_loan").exists()
    assert Loan.objects.filter(state="returned").exists()
    assert Hold.objects.filter(state__in=["waiting", "ready"]).exists()
    assert FineEntry.objects.exists()
    assert StocktakeSession.objects.exists()
    assert Visit.objects.count() > 50
