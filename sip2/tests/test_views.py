"""The staff screen of SIP2 accounts and their activity."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from circulation.tests.test_desk import desk_client
from core.models import AuditEntry
from sip2.models import SipAccount, SipDailyCount

pytestmark = pytest.mark.django_db
ACCOUNTS = reverse("sip2:accounts")


def form_data(branch, **extra):
    return {
        "login": "sorter-1",
        "password": "s3cret-pass",
        "description": "Sorter by the return slot",
        "branch": branch.pk,
        "institution_id": "",
        "operations": ["09", "17"],
        "encoding": "cp850",
        "error_detection": "auto",
        "language": "id",
        "due_date_format": "sip",
        "checked_in_ok": "on",
        "timeout_seconds": "120",
        "acting_user": "",
        "is_active": "on",
        **extra,
    }


def test_librarian_creates_an_account_with_a_hashed_password(librarian, branches):
    client = desk_client(librarian, branches[0])
    assert client.get(reverse("sip2:account-create")).status_code == 200
    response = client.post(reverse("sip2:account-create"), form_data(branches[0]))
    assert response.status_code == 302
    account = SipAccount.objects.get(login="sorter-1")
    assert account.password_hash != "s3cret-pass"
    assert check_password("s3cret-pass", account.password_hash)
    assert account.operations == ["09", "17"] and account.encoding == "cp850"
    assert account.checked_in_ok and not account.require_patron_pin
    assert AuditEntry.objects.filter(action="sip2.account_created").exists()


def test_editing_keeps_the_password_when_left_empty(librarian, branches, account):
    old = account.password_hash
    client = desk_client(librarian, branches[0])
    url = reverse("sip2:account-edit", args=[account.pk])
    page = client.get(url).content.decode()
    assert "kiosk" in page
    response = client.post(url, form_data(branches[1], login="ignored", password=""))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.login == "kiosk" and account.password_hash == old
    assert account.branch == branches[1]


def test_timeout_above_999_is_refused(librarian, branches):
    client = desk_client(librarian, branches[0])
    response = client.post(
        reverse("sip2:account-create"), form_data(branches[0], timeout_seconds="1000")
    )
    assert response.status_code == 200
    assert not SipAccount.objects.exists()


def test_activity_list(librarian, branches, account):
    from django.utils import timezone

    SipDailyCount.objects.create(
        account=account, day=timezone.localdate(), code="11", count=7, errors=2
    )
    page = desk_client(librarian, branches[0]).get(ACCOUNTS).content.decode()
    assert "kiosk" in page and "11: 7" in page and "2 errors" in page
    assert "Today: 7 messages, 2 refused or in error." in page


def test_members_may_not_see_the_screen(make_user, branches):
    reader = make_user("rina", roles={"member"})
    client = desk_client(reader)
    assert client.get(ACCOUNTS).status_code in (302, 403)


def test_management_command_creates_and_changes(branches, member_categories):
    from django.core.management import call_command

    call_command("sip2_account", "kiosk-2", "--password", "pw", "--branch", "cabang")
    account = SipAccount.objects.get(login="kiosk-2")
    assert account.branch == branches[1] and "11" in account.operations
    call_command("sip2_account", "kiosk-2", "--operations", "09", "--checked-in-ok", "--no-pin")
    account.refresh_from_db()
    assert account.operations == ["09"] and account.checked_in_ok
    assert not account.require_patron_pin
