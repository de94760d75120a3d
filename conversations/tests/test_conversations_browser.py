"""Ask a librarian in Chromium on a phone: a guest asks from the opening-hours page, a librarian
claims and answers it in the queue, the guest reads the answer through the private link, writes
back and rates it. Every page is checked with axe-core; screenshots go to
test-artifacts/screenshots/. Skipped without /usr/bin/chromium unless PUSTAKA_REQUIRE_BROWSER=1."""

from __future__ import annotations

import os
import re

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


def as_guest(page, live_server) -> None:
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    as_guest(page, live_server)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_a_guest_asks_a_librarian_answers_the_guest_reads_writes_back_and_rates(
    page, live_server, library, make_user
):
    from conversations.models import Question
    from conversations.states import QuestionState
    from tests.browser.helpers import assert_accessible, take_screenshots

    librarian = make_user("siti", roles={"librarian"})

    # The guest, on a phone, asks from the opening-hours page.
    as_guest(page, live_server)
    page.goto(f"{live_server.url}/hours/")
    page.get_by_role("link", name="Ask a librarian").click()
    expect(page.get_by_role("heading", name="Ask a librarian")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "conversations-ask")
    page.get_by_label("Your name").fill("Rina")
    page.get_by_label("Your e-mail").fill("rina@example.org")
    page.get_by_label("Your question").fill("Are you open on the day after Eid?")
    page.get_by_role("button", name="Send my question").click()
    expect(page.get_by_role("heading", name="Your question")).to_be_visible()
    expect(page.get_by_text("Are you open on the day after Eid?")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "conversations-thread-new")
    thread_url = page.url
    question = Question.objects.get()
    assert question.page_url == "/hours/"

    # The librarian claims it in the queue and answers.
    sign_in(page, live_server, librarian)
    page.goto(f"{live_server.url}/staff/questions/")
    assert_accessible(page)
    take_screenshots(page, "conversations-staff-queue")
    page.get_by_role("link", name=re.compile(r"Rina")).click()
    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_text("You have claimed this question.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Internal note (staff only)").fill("Check the closed days list.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_text("Note added.")).to_be_visible()
    page.get_by_label("Reply to the patron").fill("Yes, we open at 8.00 as usual.")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_text("Reply sent to the patron.")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "conversations-staff-question")
    question.refresh_from_db()
    assert question.state == QuestionState.ANSWERED and question.assignee == librarian

    # The guest opens the private link: the answer, not the note; writes back and rates.
    as_guest(page, live_server)
    page.goto(thread_url)
    expect(page.get_by_text("Yes, we open at 8.00 as usual.")).to_be_visible()
    expect(page.get_by_text("Check the closed days list.")).to_have_count(0)
    assert_accessible(page)
    take_screenshots(page, "conversations-thread-answered")
    page.get_by_label("5").check()
    page.get_by_role("button", name="Send my rating").click()
    expect(page.get_by_text("Thank you for rating the answer.")).to_be_visible()
    page.get_by_label("Your message").fill("Thank you!")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Your message has been sent to the library.")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "conversations-thread-rated")
    question.refresh_from_db()
    assert question.rating == 5 and question.state == QuestionState.OPEN


def test_feedback_from_a_phone_resolved_and_published(page, live_server, library, make_user):
    from conversations.models import Feedback
    from tests.browser.helpers import assert_accessible, take_screenshots

    librarian = make_user("siti", roles={"librarian"})
    as_guest(page, live_server)
    page.goto(f"{live_server.url}/feedback/")
    assert_accessible(page)
    take_screenshots(page, "conversations-feedback-form")
    page.get_by_label("What is it about?").select_option("facility")
    page.get_by_label("Your suggestion or complaint").fill("The reading room is too hot.")
    page.get_by_label("Send anonymously").check()
    page.get_by_role("button", name="Send my feedback").click()
    expect(page.get_by_role("heading", name="Your feedback")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "conversations-feedback-status")
    status_url = page.url

    sign_in(page, live_server, librarian)
    page.goto(f"{live_server.url}/staff/feedback/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Facility")).click()
    page.get_by_label("What we did").fill("A second fan was installed.")
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_text("Marked resolved.")).to_be_visible()
    page.get_by_label("What you said (public summary, no names)").fill("The reading room is hot.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published.", exact=True)).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "conversations-staff-feedback")
    page.goto(f"{live_server.url}/staff/feedback/stats/")
    expect(page.get_by_role("heading", name="Response times")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "conversations-stats")
    assert Feedback.objects.get().is_published

    as_guest(page, live_server)
    page.goto(status_url)
    expect(page.get_by_text("A second fan was installed.")).to_be_visible()
    page.goto(f"{live_server.url}/feedback/you-said-we-did/")
    expect(page.get_by_text("The reading room is hot.")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "conversations-you-said-we-did")
