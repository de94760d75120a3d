"""Placing a hold from the OPAC's record page: the panel for visitors and members, and the POST
that calls services.place_hold."""

from __future__ import annotations

import pytest
from django.urls import reverse

from circulation import services
from circulation.models import Hold, LoanPolicy
from circulation.states import Channel

pytestmark = pytest.mark.django_db

PAGE_LIMIT = 60 * 1024


@pytest.fixture
def reader(make_member, make_user):
    return make_member("Rina", user=make_user("rina", roles={"member"}))


@pytest.fixture
def web(client, reader):
    client.cookies["django_language"] = "en"
    client.force_login(reader.user)
    return client


def record_url(record):
    return reverse("opac:record", args=[record.pk])


def test_a_visitor_is_asked_to_sign_in_and_comes_back_to_the_record(client, record, item):
    client.cookies["django_language"] = "en"
    response = client.get(record_url(record))
    html = response.content.decode()
    assert "Sign in to place a hold" in html
    assert f"/account/login/?next=%2Fcatalogue%2Frecords%2F{record.pk}%2F%23hold" in html
    assert 'href="/join/"' in html
    assert 'name="pickup_branch"' not in html
    assert len(response.content) < PAGE_LIMIT


def test_a_record_without_copies_offers_no_hold(client, record):
    client.cookies["django_language"] = "en"
    html = client.get(record_url(record)).content.decode()
    assert "Sign in to place a hold" not in html


def test_a_member_places_a_hold_and_is_told_their_place_in_line(
    web, reader, record, item, make_member, librarian, branches
):
    services.check_out(item, make_member("Budi"), staff=librarian)
    services.place_hold(record, make_member("Citra"), pickup_branch=branches[0])
    response = web.get(record_url(record))
    html = response.content.decode()
    assert "Place a hold" in html
    assert f'<option value="{branches[0].pk}" selected>Pusat</option>' in html
    assert "Cabang" in html
    assert len(response.content) < PAGE_LIMIT

    response = web.post(
        reverse("myaccount:place-hold", args=[record.pk]),
        {"pickup_branch": branches[1].pk},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{record_url(record)}#hold"
    html = response.content.decode()
    assert "is placed. You are number 2 in line" in html
    assert "at Cabang" in html
    hold = Hold.objects.get(member=reader)
    assert hold.pickup_branch == branches[1] and hold.channel == Channel.WEB
    # The panel now says so instead of offering the form again.
    assert "You have a hold on this title: you are number 2 in line" in html
    assert 'name="pickup_branch"' not in html

    again = web.post(
        reverse("myaccount:place-hold", args=[record.pk]),
        {"pickup_branch": branches[1].pk},
        follow=True,
    )
    assert "You already have a hold on" in again.content.decode()
    assert Hold.objects.filter(member=reader).count() == 1


def test_a_blocked_member_is_told_why_and_no_hold_is_made(web, reader, record, item, branches):
    reader.manual_block_reason = "kartu hilang"
    reader.save()
    html = web.get(record_url(record)).content.decode()
    assert "You cannot place holds right now" in html and "kartu hilang" in html
    assert 'name="pickup_branch"' not in html
    response = web.post(
        reverse("myaccount:place-hold", args=[record.pk]),
        {"pickup_branch": branches[0].pk},
        follow=True,
    )
    assert "Your hold could not be placed: You cannot place holds right now" in (
        response.content.decode()
    )
    assert not Hold.objects.exists()


def test_holds_not_allowed_for_the_category_say_so(web, reader, record, item, branches):
    LoanPolicy.objects.create(
        name="Tanpa pesanan", member_category_id="general", holds_allowed=False
    )
    html = web.get(record_url(record)).content.decode()
    assert "not allowed for your membership category" in html
    assert 'name="pickup_branch"' not in html


def test_a_member_with_the_title_on_loan_is_told(web, reader, record, item, librarian):
    services.check_out(item, reader, staff=librarian)
    html = web.get(record_url(record)).content.decode()
    assert "You already have a copy of this title on loan." in html


def test_a_branch_not_in_the_list_is_refused(web, reader, record, item):
    response = web.post(
        reverse("myaccount:place-hold", args=[record.pk]), {"pickup_branch": "999"}, follow=True
    )
    assert "Choose one of the branches" in response.content.decode()
    assert not Hold.objects.exists()


def test_placing_a_hold_needs_a_signed_in_member_and_a_post(client, record, item, make_user):
    url = reverse("myaccount:place-hold", args=[record.pk])
    response = client.post(url)
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    client.force_login(make_user("siti", roles={"librarian"}))
    assert client.get(url).status_code == 405
    assert not Hold.objects.exists()


def test_an_unknown_record_is_404(web):
    assert web.post(reverse("myaccount:place-hold", args=[999999])).status_code == 404


def test_staff_without_membership_see_a_note(client, record, item, make_user):
    client.cookies["django_language"] = "en"
    client.force_login(make_user("siti", roles={"librarian"}))
    html = client.get(record_url(record)).content.decode()
    assert "or by staff at the desk" in html


def test_only_branches_where_holds_are_allowed_are_offered(web, reader, record, item, branches):
    LoanPolicy.objects.create(name="Cabang tanpa pesanan", branch=branches[1], holds_allowed=False)
    html = web.get(record_url(record)).content.decode()
    assert f'<option value="{branches[0].pk}" selected>Pusat</option>' in html
    assert f'<option value="{branches[1].pk}"' not in html
    response = web.post(
        reverse("myaccount:place-hold", args=[record.pk]),
        {"pickup_branch": branches[1].pk},
        follow=True,
    )
    assert "Choose one of the branches" in response.content.decode()
    assert not Hold.objects.exists()


def test_the_record_page_costs_a_member_a_fixed_number_of_queries(
    web, reader, record, item, branches, django_assert_max_num_queries
):
    from core.models import Branch

    web.get(record_url(record))  # warm the library profile cache
    for n in range(5):
        Branch.objects.create(code=f"b{n}", name=f"Cabang {n}", position=5 + n)
    with django_assert_max_num_queries(25):
        response = web.get(record_url(record))
    assert response.status_code == 200
    assert response.content.decode().count("<option value=") == 7
