"""Answering the IKM survey from a phone in Chromium, as a visitor who is not signed in: the
profile and the nine elements, a draft kept on the device and resumed, a missing answer shown
clearly, then sent; staff see the index and the category. A question hidden by skip logic
appears once the earlier answer is given. Every page is checked with axe-core; screenshots go to
test-artifacts/screenshots/. Skipped without /usr/bin/chromium unless PUSTAKA_REQUIRE_BROWSER=1."""

from __future__ import annotations

import datetime as dt
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


@pytest.fixture(autouse=True)
def quick_forms(settings):
    settings.PUSTAKA_SURVEY_MIN_FILL_SECONDS = 0


def english(page, live_server) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    english(page, live_server)


def pick(page, legend: str, label: str) -> None:
    """Choose the option whose label is exactly `label` (after its number on a scale)."""
    fieldset = page.locator("fieldset", has=page.locator("legend", has_text=legend))
    fieldset.get_by_label(re.compile(rf"^\s*(\d+\s+)?{re.escape(label)}\s*$")).check()


def test_a_visitor_answers_the_ikm_survey_on_a_phone_and_staff_see_the_index(
    page, live_server, ikm_survey, coordinator
):
    from surveys.models import Response
    from tests.browser.helpers import assert_accessible, take_screenshots

    page.set_viewport_size(PHONE)
    english(page, live_server)
    url = f"{live_server.url}/s/{ikm_survey.code}/"
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Public satisfaction survey 2026 Semester II")
    assert_accessible(page)
    take_screenshots(page, "surveys-ikm-form")

    page.fill("#" + page.get_by_label("Age (years)").get_attribute("id"), "34")
    pick(page, "Sex", "Female")
    pick(page, "Education", "Bachelor")
    pick(page, "Occupation", "Student")
    pick(page, "U1.", "Very suitable")
    pick(page, "U2.", "Easy")
    # Keep what is done so far on this phone, and come back later.
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.locator(".messages")).to_contain_text("Your answers are kept on this device.")
    page.goto(url)
    expect(page.get_by_text("Your saved answers are filled in.")).to_be_visible()
    expect(page.get_by_label("Age (years)")).to_have_value("34")
    answers = {
        "U3.": "Quick",
        "U4.": "Free",
        "U5.": "Suitable",
        "U6.": "Very competent",
        "U7.": "Very polite and friendly",
        "U8.": "Well handled",
    }
    for legend, label in answers.items():
        pick(page, legend, label)
    # U9 forgotten: the page says which answer is missing.
    page.get_by_role("button", name="Send answers").click()
    expect(page.locator("[role=alert]")).to_contain_text("One answer needs your attention.")
    expect(page.locator(".has-error legend")).to_contain_text("U9.")
    expect(page.locator(".has-error")).to_contain_text("Please answer this question.")
    assert_accessible(page)
    take_screenshots(page, "surveys-ikm-missing")
    assert Response.objects.count() == 0
    pick(page, "U9.", "Good")
    page.fill("textarea", "Tambah jam buka hari Sabtu")
    page.get_by_role("button", name="Send answers").click()
    expect(page.locator("h1")).to_have_text("Thank you")
    assert_accessible(page)
    take_screenshots(page, "surveys-ikm-thanks")
    response = Response.objects.get()
    assert response.user is None and response.answers.count() == 14

    # Staff: the index of the period.
    sign_in(page, live_server, coordinator)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/staff/surveys/")
    assert_accessible(page)
    take_screenshots(page, "surveys-staff-list")
    page.get_by_role("link", name="Public satisfaction survey 2026 Semester II").click()
    expect(page.locator(".question-list").nth(1)).to_contain_text("U9.")
    assert_accessible(page)
    take_screenshots(page, "surveys-builder")
    page.get_by_role("link", name="IKM report").click()
    # (4 + 3 + 3 + 4 + 3 + 4 + 4 + 4 + 3) / 9 = 32 / 9 = 3.5556; x 25 = 88.89: A.
    expect(page.locator(".ikm-value")).to_have_text("88.89")
    expect(page.locator("main")).to_contain_text("A (Sangat Baik)")
    expect(page.locator("tr.lowest").first).to_contain_text("U2")
    assert_accessible(page)
    take_screenshots(page, "surveys-ikm-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download XLSX").click()
    assert download.value.suggested_filename == f"ikm-{ikm_survey.pk}.xlsx"
    page.get_by_role("link", name="Back to the survey").click()
    page.get_by_role("link", name="Results").click()
    expect(page.locator("main")).to_contain_text("Tambah jam buka hari Sabtu")
    assert_accessible(page)
    take_screenshots(page, "surveys-results")
    page.get_by_role("link", name="Back to the survey").click()
    page.get_by_role("link", name="Preview on a phone").click()
    frame = page.frame_locator("iframe.phone-frame")
    expect(frame.locator("h1")).to_have_text("Public satisfaction survey 2026 Semester II")
    expect(frame.get_by_text("Preview: answers are not saved.")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "surveys-preview")
    page.get_by_role("link", name="Back to the survey").click()
    page.get_by_role("link", name="Poster with QR code").click()
    expect(page.locator(".qr svg")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "surveys-poster")


def test_skip_logic_shows_a_question_when_the_earlier_answer_is_given(
    page, live_server, coordinator
):
    from surveys import services
    from surveys.states import QuestionKind
    from tests.browser.helpers import assert_accessible, take_screenshots

    survey = services.create_survey(title="Kepuasan", title_en="Satisfaction", by=coordinator)
    section = survey.sections.get()
    visited = services.add_question(
        section,
        by=coordinator,
        kind=QuestionKind.SINGLE,
        text="Pernah ikut acara?",
        text_en="Been to an event?",
        choices=[{"id": "Ya", "en": "Yes"}, {"id": "Tidak", "en": "No"}],
    )
    services.add_question(
        section,
        by=coordinator,
        kind=QuestionKind.NPS,
        text="Rekomendasi acara",
        text_en="Would you recommend our events?",
        show_if=visited,
        show_if_value="1",
    )
    services.open_survey(survey, by=coordinator)
    page.set_viewport_size(PHONE)
    english(page, live_server)
    page.goto(f"{live_server.url}/s/{survey.code}/")
    later = page.locator("fieldset", has_text="Would you recommend our events?")
    expect(later).to_be_hidden()
    page.get_by_label("No").check()
    expect(later).to_be_hidden()
    page.get_by_label("Yes").check()
    expect(later).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "surveys-skip-logic")


@pytest.fixture
def invited_member(library, member_categories):
    from core.models import Branch
    from patrons.models import Member

    return Member.objects.create(
        number="S00001",
        full_name="John Reader",
        category_id="general",
        email="john@example.org",
        preferred_language="id",
        joined_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2030, 12, 31),
        home_branch=Branch.objects.first(),
    )


def _rating_survey(coordinator, **fields):
    from surveys import services
    from surveys.states import QuestionKind

    survey = services.create_survey(
        title="Kepuasan layanan", title_en="Service satisfaction", by=coordinator, **fields
    )
    services.add_question(
        survey.sections.get(),
        by=coordinator,
        kind=QuestionKind.RATING,
        text="Nilai layanan kami",
        text_en="Rate our service",
    )
    return services.open_survey(survey, by=coordinator)


def test_an_invited_member_answers_from_the_email_link_on_a_phone_once(
    page, live_server, coordinator, invited_member
):
    from django.core import mail

    from surveys import sending
    from surveys.models import Response
    from surveys.sending import Criteria
    from tests.browser.helpers import assert_accessible, take_screenshots

    survey = _rating_survey(coordinator)
    assert sending.invite_members(survey, Criteria(days=30), by=coordinator) == 1
    [message] = mail.outbox
    assert message.to == ["john@example.org"] and "Halo John" in message.body
    link = re.search(r"https?://[^/\s]+(/s/\S+/i/\S+/)", message.body).group(1)

    page.set_viewport_size(PHONE)
    # Not signed in, in Indonesian like the e-mail: the personal link is enough.
    page.goto(live_server.url + link)
    expect(page.locator("h1")).to_have_text("Kepuasan layanan")
    assert_accessible(page)
    pick(page, "Nilai layanan kami", "4")
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(page.locator("h1")).to_have_text("Terima kasih")
    expect(page.locator("main")).to_contain_text("“Kepuasan layanan”")
    assert_accessible(page)
    take_screenshots(page, "surveys-invited-thanks")
    assert Response.objects.get().answers.get().number == 4

    page.goto(live_server.url + link)
    expect(page.get_by_role("alert")).to_have_text("Anda sudah mengisi survei ini. Terima kasih!")
    expect(page.get_by_role("button", name="Kirim jawaban")).to_have_count(0)
    assert_accessible(page)
    take_screenshots(page, "surveys-invited-again")
    assert Response.objects.count() == 1


def test_a_visitor_dismisses_the_invitation_and_answers_in_the_embedded_form(
    page, live_server, coordinator
):
    from surveys.models import Response
    from tests.browser.helpers import assert_accessible, take_screenshots

    survey = _rating_survey(coordinator, show_on=["home"])
    page.set_viewport_size(PHONE)
    english(page, live_server)
    page.goto(live_server.url + "/")
    invitation = page.get_by_role("complementary", name="Help us improve")
    expect(invitation).to_contain_text("Service satisfaction")
    assert_accessible(page)
    take_screenshots(page, "surveys-invitation-home")
    invitation.get_by_role("button", name="No, thanks").click()
    expect(invitation).to_have_count(0)
    page.reload()
    expect(page.locator("h1")).to_be_visible()
    expect(invitation).to_have_count(0)

    page.goto(f"{live_server.url}/s/{survey.code}/embed/")
    expect(page.locator("header")).to_have_count(0)
    assert_accessible(page)
    pick(page, "Rate our service", "5")
    page.get_by_role("button", name="Send answers").click()
    expect(page.locator("h1")).to_have_text("Thank you")
    take_screenshots(page, "surveys-embed-thanks")
    assert Response.objects.get().answers.get().number == 5
