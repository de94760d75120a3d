"""Where a visitor, a member and a librarian find online registration (/join/) and the member's
library account (/account/library/)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_sign_in_page_offers_online_registration(english, library):
    html = english.get("/account/login/").content.decode()
    assert 'href="/join/"' in html and "Join the library online" in html


def test_the_home_page_links_registration_and_the_library_account(english, library):
    html = english.get("/").content.decode()
    assert 'href="/join/"' in html
    assert 'href="/account/library/"' in html


def test_a_members_account_page_leads_to_loans_and_card(english, make_member, make_user):
    english.force_login(make_member("Rina", user=make_user("rina", roles={"member"})).user)
    html = english.get("/account/").content.decode()
    assert 'href="/account/library/"' in html
    assert 'href="/join/card/"' in html


def test_a_librarians_account_page_points_to_online_registration(english, make_user, library):
    english.force_login(make_user("siti", roles={"librarian"}))
    html = english.get("/account/").content.decode()
    assert 'href="/join/"' in html
    assert 'href="/account/library/"' not in html


def test_a_user_without_membership_is_offered_to_join(english, make_user, library):
    english.force_login(make_user("tamu", roles={"member"}))
    html = english.get("/account/").content.decode()
    assert "no library membership yet" in html and 'href="/join/"' in html
