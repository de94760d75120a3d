"""A member suggests a book on a phone, staff mark it ordered, a copy is catalogued and the
member sees the hold placed for them. axe on every page; screenshots in test-artifacts/."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists() and os.environ.get("PUSTAKA_REQUIRE_BROWSER", "") != "1",
        reason=f"{CHROMIUM} is missing; PUSTAKA_REQUIRE_BROWSER unset",
    ),
]

PHONE = {"width": 360, "height": 800}
ISBN = "9786020332956"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def page(page):
    page.set_default_timeout(TIMEOUT_MS)
    return page


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )


def test_a_member_suggests_staff_order_and_the_catalogued_copy_is_held_for_them(
    page, live_server, make_member, librarian, make_record, branches
):
    from catalog.models import Item
    from circulation.models import Hold
    from tests.browser.helpers import assert_accessible, take_screenshots

    member = make_member("Rina")
    sign_in(page, live_server, member.user)
    page.goto(f"{live_server.url}/suggest/")
    assert_accessible(page)
    page.get_by_label("ISBN (if you know it)").fill("978-602-03-3295-6")
    page.get_by_label("Title").fill("Bumi")
    page.get_by_label("Author").fill("Tere Liye")
    page.get_by_role("button", name="Send my suggestion").click()
    expect(page.get_by_text("Thank you: your suggestion is with the library.")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "participation-my-suggestions")

    sign_in(page, live_server, librarian)
    page.goto(f"{live_server.url}/staff/suggestions/")
    assert_accessible(page)
    page.get_by_role("button", name="Mark ordered").click()
    expect(page.get_by_text("Suggestion updated.")).to_be_visible()
    take_screenshots(page, "participation-staff")

    record = make_record(title="Bumi", isbn=ISBN)
    Item.objects.create(record=record, barcode="B0001", branch=branches[0], price=1)
    assert Hold.objects.filter(record=record, member=member).exists()

    sign_in(page, live_server, member.user)
    page.goto(f"{live_server.url}/suggest/mine/")
    expect(page.get_by_text("a hold is placed for you")).to_be_visible()
    expect(page.get_by_text("In the collection")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "participation-held")


def test_members_vote_an_idea_up_and_staff_mark_it_planned(
    page, live_server, make_member, make_user
):
    from participation import ideas
    from participation.models import Idea
    from tests.browser.helpers import assert_accessible, take_screenshots

    coordinator = make_user("program", roles={"programme_coordinator"})
    idea = ideas.propose(make_member(), kind="programme", title="Storytelling", body="Weekly")
    sign_in(page, live_server, make_member("Rina").user)
    page.goto(f"{live_server.url}/ideas/")
    assert_accessible(page)
    page.get_by_role("link", name="Storytelling").click()
    page.get_by_role("button", name="Vote for this idea").click()
    expect(page.get_by_text("Your vote is counted.")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "participation-idea")

    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/ideas/{idea.pk}/")
    page.get_by_label("New status").select_option("planned")
    page.get_by_role("button", name="Save the status").click()
    expect(page.get_by_text("Status changed.")).to_be_visible()
    assert_accessible(page)
    idea.refresh_from_db()
    assert (idea.status, idea.votes_count) == ("planned", 1)
    assert Idea.objects.count() == 1
