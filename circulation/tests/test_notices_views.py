"""The staff screen of notices: the log with filters, a notice's full text (audited), resend."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from circulation import notices
from circulation.models import Notice, NoticeKind, NoticeStatus
from core.models import AuditEntry
from core.tests.test_views import signed_in as signed_in_as_is

pytestmark = pytest.mark.django_db


def signed_in(user):
    """Signed in and reading English (the source strings), whatever the catalogues translate."""
    client = signed_in_as_is(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def wired(db):
    """What CirculationConfig.ready() does once notice_views.wire_up() is called from it."""
    from accounts.roles import sync_role_groups
    from circulation.notice_views import wire_up

    wire_up()
    sync_role_groups()


@pytest.fixture
def log(make_member):
    ani, budi = make_member("Ani Lestari"), make_member("Budi Santoso")
    rows = [
        (ani, NoticeKind.DUE_SOON, NoticeStatus.SENT, "Due back soon: Laskar pelangi"),
        (ani, NoticeKind.OVERDUE_1, NoticeStatus.FAILED, "Overdue: Bumi manusia"),
        (budi, NoticeKind.MEMBERSHIP_EXPIRING, NoticeStatus.SKIPPED, "Membership ends"),
    ]
    created = []
    for n, (member, kind, status, subject) in enumerate(rows):
        created.append(
            Notice.objects.create(
                member=member,
                kind=kind,
                key=f"k{n}",
                recipient=member.email,
                subject=subject,
                body=f"Dear {member.full_name},\nsecret reading data",
                status=status,
                error="timed out" if status == NoticeStatus.FAILED else "",
                created_at=dt.datetime(2026, 11, 20 + n, 2, tzinfo=dt.UTC),
            )
        )
    return created


def test_log_lists_and_filters_notices(librarian, log):
    client = signed_in(librarian)
    url = reverse("notices:list")
    html = client.get(url).content.decode()
    assert "Due back soon" in html and "Membership ends" in html
    html = client.get(url, {"status": "failed"}).content.decode()
    assert "Bumi manusia" in html and "Due back soon" not in html
    html = client.get(url, {"kind": "membership_expiring"}).content.decode()
    assert "Membership ends" in html and "Bumi manusia" not in html
    html = client.get(url, {"date_from": "2026-11-21", "date_to": "2026-11-21"}).content.decode()
    assert "Bumi manusia" in html and "Due back soon" not in html and "Membership ends" not in html
    assert not AuditEntry.objects.filter(action="notice.search").exists()
    html = client.get(url, {"member": "budi"}).content.decode()
    assert "Membership ends" in html and "Laskar" not in html
    html = client.get(url, {"member": log[0].member.number}).content.decode()
    assert "Laskar" in html and "Membership ends" not in html
    assert AuditEntry.objects.filter(action="notice.search").count() == 2


def test_log_says_what_is_wrong_with_a_bad_filter(librarian, log):
    client = signed_in(librarian)
    response = client.get(
        reverse("notices:list"), {"date_from": "2026-11-22", "date_to": "2026-11-20"}
    )
    assert response.status_code == 200
    assert "must not be before" in response.content.decode()
    response = client.get(reverse("notices:list"), {"kind": "carrier_pigeon"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()


def test_reading_a_notice_shows_its_full_text_and_is_audited(librarian, log):
    client = signed_in(librarian)
    response = client.get(reverse("notices:detail", args=[log[1].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "secret reading data" in html and "timed out" in html
    assert "Resend this notice" in html
    entry = AuditEntry.objects.get(action="notice.view")
    assert entry.actor == librarian and entry.object_id == str(log[1].member.pk)
    sent = client.get(reverse("notices:detail", args=[log[0].pk])).content.decode()
    assert "Resend this notice" not in sent
    assert client.get(reverse("notices:detail", args=[99999])).status_code == 404


def test_resend_from_the_screen(librarian, log, mailoutbox, django_capture_on_commit_callbacks):
    client = signed_in(librarian)
    url = reverse("notices:resend", args=[log[1].pk])
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    copy = Notice.objects.get(key=notices.resend_key(log[1]))
    assert response.redirect_chain[-1][0] == reverse("notices:detail", args=[copy.pk])
    assert len(mailoutbox) == 1 and mailoutbox[0].subject == "Overdue: Bumi manusia"
    # Again: refused with a message, nothing sent.
    html = client.post(url, follow=True).content.decode()
    assert "already been resent" in html
    assert len(mailoutbox) == 1
    original = client.get(reverse("notices:detail", args=[log[1].pk])).content.decode()
    assert "This notice was resent" in original


def test_screen_needs_the_permission(make_user, log, library):
    cataloguer = make_user("katalog", roles={"cataloguer"})
    client = signed_in(cataloguer)
    assert client.get(reverse("notices:list")).status_code == 403
    assert client.post(reverse("notices:resend", args=[log[1].pk])).status_code == 403
    assert client.get(reverse("notices:detail", args=[log[1].pk])).status_code == 403


def test_staff_menu_links_to_the_notices(librarian):
    html = signed_in(librarian).get(reverse("core:staff-home")).content.decode()
    assert reverse("notices:list") in html
