"""The entrance kiosk: set up per branch, members scan their card, guests write their name;
no login, rate-limited, and it reveals no member data beyond a first name."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from visits.models import Visit

pytestmark = pytest.mark.django_db

KIOSK = "/visit/"


@pytest.fixture
def kiosk(english, branches):
    assert english.get(KIOSK + "?branch=pusat").status_code == 302
    return english


def test_staff_set_the_branch_once_and_the_kiosk_remembers_it(client, branches):
    response = client.get(KIOSK + "?branch=PUSAT")
    assert response.status_code == 302 and response["Location"] == reverse("visits:kiosk")
    page = client.get(KIOSK)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="id">' in html  # Indonesian by default
    assert "Pusat" in html and 'name="card"' in html and 'name="guest_name"' in html
    assert 'value="pusat"' in html


def test_an_unknown_branch_is_refused_with_its_code(english, branches):
    response = english.get(KIOSK + "?branch=gudang")
    assert response.status_code == 400
    assert "no open branch with the code “gudang”" in response.content.decode()
    assert "visits.kiosk_branch" not in english.session


def test_a_kiosk_not_set_up_asks_for_staff(english, branches):
    html = english.get(KIOSK).content.decode()
    assert "does not know which branch" in html and 'name="card"' not in html
    response = english.post(KIOSK, {"action": "guest", "guest_name": "Ani", "purpose": "reading"})
    assert response.status_code == 200 and not Visit.objects.exists()


def test_with_one_branch_no_set_up_is_needed(english, branches):
    branches[1].is_active = False
    branches[1].save()
    assert 'name="card"' in english.get(KIOSK).content.decode()


def test_a_member_scans_their_card_and_sees_only_their_first_name(kiosk, make_member):
    member = make_member("Rina Wulandari", phone="0812", category="university_student")
    response = kiosk.post(KIOSK, {"action": "member", "card": f"  {member.number.lower()} "})
    assert response.status_code == 302 and response["Location"] == reverse("visits:welcome")
    html = kiosk.get(reverse("visits:welcome")).content.decode()
    assert "Welcome, Rina!" in html
    for private in ("Wulandari", member.number, member.email, "0812", "university"):
        assert private not in html
    visit = Visit.objects.get()
    assert (visit.kind, visit.member, visit.category, visit.branch.code) == (
        "member",
        member,
        "university_student",
        "pusat",
    )


def test_scanning_twice_is_one_visit(kiosk, make_member):
    member = make_member()
    kiosk.post(KIOSK, {"action": "member", "card": member.number})
    response = kiosk.post(KIOSK, {"action": "member", "card": member.number})
    assert response.status_code == 302
    assert Visit.objects.count() == 1


def test_an_unknown_or_closed_card_is_refused_without_saying_whose(kiosk, make_member):
    closed = make_member("Tutup", status="closed")
    for card in ("A99999999", closed.number, ""):
        response = kiosk.post(KIOSK, {"action": "member", "card": card})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Tutup" not in html
    assert "not known" in html or "Scan your member card" in html
    assert not Visit.objects.exists()


def test_a_member_may_add_why_they_came(kiosk, make_member):
    member = make_member()
    kiosk.post(KIOSK, {"action": "member", "card": member.number})
    html = kiosk.get(reverse("visits:welcome")).content.decode()
    assert 'name="purpose" value="research"' in html
    response = kiosk.post(reverse("visits:purpose"), {"purpose": "research"})
    assert response.status_code == 302
    assert Visit.objects.get().purpose == "research"
    kiosk.post(reverse("visits:purpose"), {"purpose": "event"})  # a second tap: ignored
    assert Visit.objects.get().purpose == "research"
    assert kiosk.get(reverse("visits:welcome")).status_code == 302  # nothing pending


def test_a_guest_signs_the_book(kiosk):
    response = kiosk.post(
        KIOSK,
        {
            "action": "guest",
            "guest_name": "  Budi   Santoso ",
            "institution": "SMA Negeri 1",
            "purpose": "studying",
        },
    )
    assert response.status_code == 302
    assert "Welcome, Budi!" in kiosk.get(reverse("visits:welcome")).content.decode()
    visit = Visit.objects.get()
    assert (visit.kind, visit.category, visit.guest_name, visit.purpose) == (
        "guest",
        "guest",
        "Budi Santoso",
        "studying",
    )
    assert visit.guest_institution == "SMA Negeri 1" and visit.member is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"guest_name": "", "purpose": "reading"}, "Please write your name."),
        ({"guest_name": "   ", "purpose": "reading"}, "Please write your name."),
        ({"guest_name": "Ani"}, "Please choose the purpose of your visit."),
        ({"guest_name": "Ani", "purpose": "sleeping"}, "sleeping"),
    ],
)
def test_a_guest_form_with_a_missing_part_says_which(kiosk, data, message):
    response = kiosk.post(KIOSK, {"action": "guest", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Visit.objects.exists()


def test_the_branch_travels_with_the_form_when_the_session_is_gone(english, branches):
    english.post(
        KIOSK,
        {"action": "guest", "guest_name": "Ani", "purpose": "event", "branch": "cabang"},
    )
    assert Visit.objects.get().branch == branches[1]


@override_settings(PUSTAKA_VISIT_KIOSK_PER_MINUTE=3)
def test_the_kiosk_is_rate_limited(kiosk):
    statuses = [
        kiosk.post(
            KIOSK, {"action": "guest", "guest_name": f"Tamu {n}", "purpose": "reading"}
        ).status_code
        for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert Visit.objects.count() == 3


@override_settings(PUSTAKA_VISIT_UNKNOWN_CARDS_PER_10_MINUTES=3)
def test_trying_card_numbers_locks_the_member_lookup(kiosk, make_member):
    member = make_member()
    for n in range(3):
        assert kiosk.post(KIOSK, {"action": "member", "card": f"X{n}"}).status_code == 400
    response = kiosk.post(KIOSK, {"action": "member", "card": member.number})
    assert response.status_code == 429
    assert "Rina" not in response.content.decode()
    assert not Visit.objects.exists()


def test_staff_page_lists_kiosk_links_per_branch(make_user, branches):
    from core.tests.test_views import signed_in

    client = signed_in(make_user("siti", roles={"librarian"}))
    html = client.get(reverse("visits:setup")).content.decode()
    assert "/visit/?branch=pusat" in html and "/visit/?branch=cabang" in html
