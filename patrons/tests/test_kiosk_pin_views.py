"""Kiosk PINs on screens: staff set or reset a member's PIN on the member page (audited, never
shown back); the member changes their own on their account page after proving who they are."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from core.models import AuditEntry
from core.tests.test_views import signed_in
from patrons.services.pins import MAX_FAILURES, check_pin, pin_locked, set_pin

pytestmark = pytest.mark.django_db
PASSWORD = "secret-pass-1"  # make_user's


def english(user):
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def ani(make_member):
    return make_member()


def test_a_librarian_sets_and_resets_the_pin_without_seeing_it(librarian, ani):
    client = english(librarian)
    url = reverse("patrons:member-detail", args=[ani.pk])
    page = client.get(url).content.decode()
    assert "No PIN yet" in page and 'name="pin"' in page
    response = client.post(
        reverse("patrons:member-pin", args=[ani.pk]), {"pin": "2468"}, follow=True
    )
    page = response.content.decode()
    assert "The kiosk PIN is set" in page and "2468" not in page
    ani.refresh_from_db()
    assert check_pin(ani, "2468")
    assert AuditEntry.objects.filter(action="member.pin", actor=librarian).count() == 1
    client.post(reverse("patrons:member-pin", args=[ani.pk]), {"pin": "1357"})
    ani.refresh_from_db()
    assert check_pin(ani, "1357") and not check_pin(ani, "2468")
    page = client.get(url).content.decode()
    assert "has a PIN" in page and "1357" not in page


def test_a_bad_pin_is_refused_and_the_pin_can_be_removed(librarian, ani):
    client = english(librarian)
    set_pin(ani, "2468", by=librarian)
    page = client.post(
        reverse("patrons:member-pin", args=[ani.pk]), {"pin": "12ab"}, follow=True
    ).content.decode()
    assert "4 to 8 digits" in page
    ani.refresh_from_db()
    assert check_pin(ani, "2468")
    client.post(reverse("patrons:member-pin", args=[ani.pk]), {"clear": "1"})
    ani.refresh_from_db()
    assert ani.pin_hash == ""


def test_a_role_without_member_changes_may_not(head, ani, make_user):
    # The head may read member records but not change them; a cataloguer may not even read.
    client = signed_in(head)
    page = client.get(reverse("patrons:member-detail", args=[ani.pk])).content.decode()
    assert 'name="pin"' not in page
    response = client.post(reverse("patrons:member-pin", args=[ani.pk]), {"pin": "2468"})
    assert response.status_code == 403
    cataloguer = make_user("budi", roles={"cataloguer"})
    response = signed_in(cataloguer).post(
        reverse("patrons:member-pin", args=[ani.pk]), {"pin": "2468"}
    )
    assert response.status_code == 403
    ani.refresh_from_db()
    assert ani.pin_hash == ""
    assert not AuditEntry.objects.filter(action="member.pin").exists()


@pytest.fixture
def reader(make_user, make_member):
    return make_member("Rina", user=make_user("rina", roles={"member"}))


def change(client, current, pin, repeat=None):
    return client.post(
        reverse("registration:kiosk-pin"),
        {"current": current, "pin": pin, "repeat": pin if repeat is None else repeat},
        follow=True,
    ).content.decode()


def test_the_member_changes_their_pin_with_the_current_one(reader, librarian):
    set_pin(reader, "2468", by=librarian)
    client = english(reader.user)
    page = client.get(reverse("myaccount:home")).content.decode()
    assert "Change my kiosk PIN" in page
    assert "Your kiosk PIN is changed." in change(client, "2468", "8642")
    reader.refresh_from_db()
    assert check_pin(reader, "8642") and not check_pin(reader, "2468")
    assert AuditEntry.objects.filter(action="member.pin", actor=reader.user).exists()


def test_the_member_chooses_a_first_pin_with_the_password(reader):
    client = english(reader.user)
    assert "Choose a kiosk PIN" in client.get(reverse("myaccount:home")).content.decode()
    assert "Your kiosk PIN is changed." in change(client, PASSWORD, "1357")
    reader.refresh_from_db()
    assert check_pin(reader, "1357")


def test_wrong_proof_or_mismatch_changes_nothing_and_wrong_pins_lock(reader, librarian):
    before = set_pin(reader, "2468", by=librarian).pin_hash
    client = english(reader.user)
    assert "The two PINs differ." in change(client, "2468", "1111", repeat="2222")
    for _ in range(MAX_FAILURES):
        assert "not right" in change(client, "0000", "1111")
    reader.refresh_from_db()
    assert pin_locked(reader) and reader.pin_hash == before


def test_a_user_without_membership_gets_no_pin(make_user):
    client = english(make_user("tamu", roles={"member"}))
    response = client.post(
        reverse("registration:kiosk-pin"), {"current": PASSWORD, "pin": "1234", "repeat": "1234"}
    )
    assert response.status_code == 404
