"""Online access for members registered at the desk: a link to the e-mail on record, a password
chosen through it, then sign-in with the member number.

Wording is asserted in the English interface (the language cookie)."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from core.models import AuditEntry
from patrons.models import Member
from patrons.services import access_token
from patrons.tests.test_self_registration import signed_in_english

pytestmark = pytest.mark.django_db

PASSWORD = "buku-lama-2026"


@pytest.fixture
def public(library, member_categories, client, django_capture_on_commit_callbacks):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    original = client.post

    def post(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(*args, **kwargs)

    client.post = post
    return client


@pytest.fixture
def desk_member(make_member):
    return make_member("Rina Marlina", email="rina@example.org")


def link_in_mail() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"https?://\S+/join/access/\S+/", mail.outbox[0].body).group(0)


def test_a_desk_member_gets_a_link_chooses_a_password_and_signs_in(public, desk_member):
    response = public.post(
        reverse("registration:access"),
        {"number": desk_member.number.lower(), "email": "RINA@example.org"},
    )
    assert response.status_code == 200 and "If the member number" in response.content.decode()
    assert mail.outbox[0].to == ["rina@example.org"]
    link = link_in_mail()
    page = public.get(link)
    assert page.status_code == 200 and desk_member.number in page.content.decode()
    desk_member.refresh_from_db()
    assert desk_member.user is None  # opening the link creates nothing
    response = public.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    desk_member.refresh_from_db()
    user = desk_member.user
    assert user.username == desk_member.number.lower() and user.email == "rina@example.org"
    assert user.groups.filter(name=f"role:{Role.MEMBER.value}").exists()
    assert public.login(username=user.username, password=PASSWORD)
    assert public.get(reverse("myaccount:home")).status_code == 200
    assert AuditEntry.objects.filter(action="member.access_created").count() == 1
    # The link is spent.
    again = public.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert again.status_code == 400 and "already has online access" in again.content.decode()


def test_the_answer_does_not_tell_who_is_a_member(public, desk_member):
    right = public.post(
        reverse("registration:access"), {"number": desk_member.number, "email": "rina@example.org"}
    ).content.decode()
    wrong_email = public.post(
        reverse("registration:access"), {"number": desk_member.number, "email": "x@example.org"}
    ).content.decode()
    unknown = public.post(
        reverse("registration:access"), {"number": "A99999999", "email": "rina@example.org"}
    ).content.decode()
    assert len(mail.outbox) == 1  # only the matching pair gets a link
    assert all("If the member number" in page for page in (right, wrong_email, unknown))


def test_a_weak_or_mismatched_password_is_refused_and_nothing_is_created(public, desk_member):
    url = reverse("registration:access-set", args=[access_token(desk_member)])
    response = public.post(url, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200 and "too short" in response.content.decode()
    response = public.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD + "x"})
    assert "didn’t match" in response.content.decode() or "match" in response.content.decode()
    desk_member.refresh_from_db()
    assert desk_member.user is None


def test_tampered_and_expired_links_are_refused(public, desk_member):
    token = access_token(desk_member)
    bad = public.get(reverse("registration:access-set", args=[token[:-2] + "xx"]))
    assert bad.status_code == 400 and "not valid" in bad.content.decode()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=4)):
        old = public.get(reverse("registration:access-set", args=[token]))
    assert old.status_code == 400 and "expired" in old.content.decode()


def test_a_link_for_a_closed_membership_opens_nothing(public, desk_member):
    token = access_token(desk_member)
    Member.objects.filter(pk=desk_member.pk).update(status="closed")
    assert public.get(reverse("registration:access-set", args=[token])).status_code == 400


def test_staff_send_the_link_from_the_member_page(
    librarian, desk_member, make_member, django_capture_on_commit_callbacks
):
    client = signed_in_english(librarian)
    page = client.get(reverse("patrons:member-detail", args=[desk_member.pk])).content.decode()
    assert "Send a link to rina@example.org" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("patrons:member-access-link", args=[desk_member.pk]), follow=True
        )
    assert "was sent to rina@example.org" in response.content.decode()
    assert mail.outbox[0].to == ["rina@example.org"] and link_in_mail()
    entry = AuditEntry.objects.get(action="member.access_link")
    assert entry.actor == librarian and entry.object_id == str(desk_member.pk)
    # Without an e-mail on record there is nowhere to send it: the page says so.
    bare = make_member("Budi Santoso")
    response = client.post(reverse("patrons:member-access-link", args=[bare.pk]), follow=True)
    assert "no e-mail address on record" in response.content.decode()


def test_a_cataloguer_may_not_send_links(make_user, desk_member):
    client = signed_in_english(make_user("katalog", roles={"cataloguer"}))
    response = client.post(reverse("patrons:member-access-link", args=[desk_member.pk]))
    assert response.status_code == 403
    assert not mail.outbox


def test_the_sign_in_page_points_desk_members_to_online_access(public):
    page = public.get(reverse("accounts:login")).content.decode()
    assert reverse("registration:access") in page


def test_registering_at_the_desk_with_an_email_sends_the_link_when_ticked(
    librarian, member_categories, django_capture_on_commit_callbacks
):
    client = signed_in_english(librarian)
    form = client.get(reverse("patrons:member-create")).content.decode()
    assert "E-mail a link to set up online access" in form
    data = {
        "full_name": "Ani Wulandari",
        "category": "general",
        "birth_date": "1999-01-15",
        "gender": "f",
        "phone": "0812 3456 7890",
        "email": "ani@example.org",
        "home_branch": "",
        "send_access_link": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("patrons:member-create"), data, follow=True)
    assert "A link for online access was sent to ani@example.org" in response.content.decode()
    assert mail.outbox[0].to == ["ani@example.org"]
    member = Member.objects.get(email="ani@example.org")
    page = client.get(link_in_mail())
    assert page.status_code == 200 and member.number in page.content.decode()
    assert AuditEntry.objects.filter(action="member.access_link", object_id=str(member.pk)).exists()

    # Unticked, or without an e-mail address: no mail.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("patrons:member-create"),
            {**data, "full_name": "Budi", "email": "budi@example.org", "send_access_link": ""},
        )
        client.post(reverse("patrons:member-create"), {**data, "full_name": "Citra", "email": ""})
    assert Member.objects.count() == 3
    assert mail.outbox == []


def test_the_member_edit_form_does_not_offer_the_link(librarian, desk_member):
    client = signed_in_english(librarian)
    form = client.get(reverse("patrons:member-edit", args=[desk_member.pk])).content.decode()
    assert "E-mail a link to set up online access" not in form
