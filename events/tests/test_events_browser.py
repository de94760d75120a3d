"""Events in Chromium: a visitor on a phone registers as a guest and sees the confirmation
with the QR code; staff at the door scan it (the QR decoded from a screenshot) and check them
in; a member cancels and the first person waiting is offered the seat. axe-core on every page.
Skipped without /usr/bin/chromium unless PUSTAKA_REQUIRE_BROWSER=1."""

from __future__ import annotations

import io
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


def english(page, live_server) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def decode_qr(png: bytes) -> str:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found, "no QR code found in the screenshot"
    return found[0].text


def test_a_guest_registers_on_a_phone_and_staff_check_them_in_by_scanning(
    page, live_server, make_event, librarian
):
    from events.models import Registration, Speaker
    from tests.browser.helpers import assert_accessible, take_screenshots

    event = make_event(
        title="Lokakarya Menulis Cerpen",
        kind="workshop",
        description="Menulis cerita pendek bersama penulis Samarinda.",
        capacity=15,
        cost=0,
        accessibility="Aula dapat dicapai dengan lift.",
        tags="menulis, remaja",
    )
    event.speakers.add(Speaker.objects.create(name="Aji Prasetyo", bio="Penulis cerpen."))
    make_event(title="Nonton Bareng", kind="screening")

    page.set_viewport_size(PHONE)
    english(page, live_server)
    page.goto(live_server.url + "/events/")
    expect(page.locator("h1")).to_have_text("Events and programmes")
    assert_accessible(page)
    take_screenshots(page, "events-list")

    page.get_by_role("link", name="Lokakarya Menulis Cerpen").click()
    expect(page.locator("h1")).to_have_text("Lokakarya Menulis Cerpen")
    assert_accessible(page)
    page.get_by_label("Your name").fill("Budi Santoso")
    page.get_by_label("Telephone or WhatsApp").fill("0812 5500 7788")
    page.get_by_label("E-mail").fill("budi@example.org")
    take_screenshots(page, "events-detail-form")
    page.get_by_role("button", name="Register").click()

    expect(page.locator("h1")).to_have_text("Your registration")
    expect(page.locator(".state")).to_contain_text("Confirmed")
    qr = page.locator(".ticket .qr svg")
    expect(qr).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "events-registration-confirmed")
    scanned = decode_qr(qr.screenshot())
    registration = Registration.objects.get()
    assert scanned == f"PUSTAKA-EV:{registration.code}"

    # At the door: a librarian's phone reads the code into the search field.
    page.context.clear_cookies()
    english(page, live_server)
    sign_in(page, live_server, librarian)
    page.goto(f"{live_server.url}/staff/events/{event.pk}/")
    assert_accessible(page)
    page.locator("#door-q").fill(scanned)
    page.locator("#door-q").press("Enter")
    expect(page.locator(".door-found")).to_contain_text("Budi Santoso")
    page.get_by_role("button", name="Check in Budi Santoso").click()
    expect(page.locator(".messages")).to_contain_text("Budi Santoso is checked in")
    expect(page.locator(".counts")).to_contain_text("1attended")
    assert_accessible(page)
    take_screenshots(page, "events-door-checked-in")
    registration.refresh_from_db()
    assert registration.state == "attended"

    # Found by name too, now shown as checked in.
    page.locator("#door-q").fill("budi")
    page.locator("#door-q").press("Enter")
    expect(page.locator("main")).to_contain_text("Checked in at")


def test_a_member_cancels_and_the_first_waiting_is_offered_the_seat(
    page, live_server, make_event, make_member, make_user
):
    from events import services
    from events.views import registration_url
    from tests.browser.helpers import assert_accessible, take_screenshots

    event = make_event(title="Baca Bersama", capacity=1)
    rina = make_member("Rina", user=make_user("rina", roles={"member"}))
    held = services.register(event, member=rina).registration
    waiting = services.register(event, name="Ahmad Fauzi", phone="0813 4620 1188").registration

    page.set_viewport_size(PHONE)
    english(page, live_server)
    sign_in(page, live_server, rina.user)
    page.goto(live_server.url + registration_url(held))
    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.locator(".state")).to_contain_text("Cancelled")
    assert_accessible(page)

    page.context.clear_cookies()
    english(page, live_server)
    page.goto(live_server.url + registration_url(waiting))
    expect(page.locator(".state")).to_contain_text("Seat offered")
    assert_accessible(page)
    take_screenshots(page, "events-seat-offered")
    page.get_by_role("button", name="Confirm my seat").click()
    expect(page.locator(".state")).to_contain_text("Confirmed")
    expect(page.locator(".ticket .qr svg")).to_be_visible()


def test_the_coordinator_screens_pass_axe(page, live_server, make_event, coordinator):
    from tests.browser.helpers import assert_accessible, take_screenshots

    event = make_event()
    english(page, live_server)
    sign_in(page, live_server, coordinator)
    for name, path in {
        "staff-list": "/staff/events/",
        "staff-form": "/staff/events/new/",
        "staff-edit": f"/staff/events/{event.pk}/edit/",
        "staff-event": f"/staff/events/{event.pk}/",
    }.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_accessible(page)
        take_screenshots(page, f"events-{name}")


def test_staff_issue_certificates_and_the_attendee_downloads_and_anyone_verifies(
    page, live_server, make_event, coordinator, librarian
):
    import datetime as dt

    from django.utils import timezone

    from events import services
    from events.models import Certificate, Speaker
    from events.views import registration_url
    from tests.browser.helpers import assert_accessible, take_screenshots

    now = timezone.now()
    event = make_event(
        title="Pelatihan Riset Digital",
        kind="training",
        starts_at=now + dt.timedelta(minutes=1),
        ends_at=now + dt.timedelta(hours=2),
    )
    event.speakers.add(Speaker.objects.create(name="Dr. Sari Wulan", bio="Peneliti."))
    came = services.register(event, name="Budi Santoso", phone="0812").registration
    services.check_in(came, by=librarian, at=now + dt.timedelta(minutes=2))
    event.starts_at, event.ends_at = now - dt.timedelta(hours=3), now - dt.timedelta(hours=1)
    event.save()

    english(page, live_server)
    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/staff/events/{event.pk}/")
    page.get_by_role("link", name="Certificates").click()
    expect(page.locator("h1")).to_have_text("Certificates")
    page.get_by_role("button", name="Issue certificates").click()
    expect(page.locator(".messages")).to_contain_text("2 certificates issued.")
    assert_accessible(page)
    take_screenshots(page, "events-staff-certificates")
    code = Certificate.objects.get(registration=came).code

    page.context.clear_cookies()
    english(page, live_server)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + registration_url(came))
    link = page.get_by_role("link", name="Download my certificate (PDF)")
    expect(link).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"

    page.goto(f"{live_server.url}/events/certificates/")
    page.get_by_label("Code printed on the certificate").fill(code.replace("-", "").lower())
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".certificate-valid")).to_contain_text("Budi Santoso")
    assert_accessible(page)
    take_screenshots(page, "events-certificate-valid")
    page.goto(f"{live_server.url}/events/certificates/AAAA-BBBB-CCCC/")
    expect(page.locator(".certificate-unknown")).to_contain_text("Unknown code")
    assert_accessible(page)
    take_screenshots(page, "events-certificate-unknown")


def test_month_and_week_views_and_the_dashboard_pass_axe(
    page, live_server, make_event, coordinator
):
    from django.utils import timezone

    from tests.browser.helpers import assert_accessible, take_screenshots

    day = timezone.localtime(make_event(title="Baca Bersama").starts_at).date().isoformat()
    make_event(title="Pameran Seni Siswa", kind="exhibition")
    english(page, live_server)
    for name in ("month", "week"):
        page.goto(f"{live_server.url}/events/{name}/?date={day}")
        expect(page.locator("main")).to_contain_text("Baca Bersama")
        assert_accessible(page)
        take_screenshots(page, f"events-{name}")
    page.goto(f"{live_server.url}/events/week/")
    page.get_by_role("link", name="Next week").click()
    expect(page.locator("main")).to_contain_text("Baca Bersama")  # a week ahead
    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/staff/events/dashboard/")
    expect(page.locator("h1")).to_have_text("Events dashboard")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    take_screenshots(page, "events-dashboard")


def test_an_entrant_uploads_and_a_judge_scores_the_entry(
    page, live_server, make_event, make_member, make_user, coordinator, settings, tmp_path
):
    import datetime as dt

    from django.utils import timezone

    from events import competitions, services
    from events.views import registration_url
    from tests.browser.helpers import assert_accessible, take_screenshots

    settings.MEDIA_ROOT = tmp_path
    event = make_event(title="Lomba Menulis Cerpen", kind="competition", capacity=None)
    judge = make_user("juri", roles={"librarian"})
    competition = competitions.set_up(
        event,
        by=coordinator,
        entries_close_at=timezone.now() + dt.timedelta(days=3),
        criteria=[("Orisinalitas", 30), ("Bahasa", 20)],
        judges=[judge],
    )
    rina = services.register(event, member=make_member("Rina")).registration
    story = tmp_path / "cerpen.pdf"
    story.write_bytes(b"%PDF-1.4\n% Senja di Mahakam\n")

    page.set_viewport_size(PHONE)
    english(page, live_server)
    page.goto(live_server.url + registration_url(rina))
    page.get_by_label("Title of your entry").fill("Senja di Mahakam")
    page.get_by_label("File").set_input_files(str(story))
    assert_accessible(page)
    page.get_by_role("button", name="Send my entry").click()
    expect(page.locator(".messages")).to_contain_text("Your entry is received")
    take_screenshots(page, "events-competition-entry")

    sign_in(page, live_server, judge)
    page.goto(f"{live_server.url}/events/{event.pk}/judging/")
    criteria = list(competition.criteria.all())
    page.get_by_label("Orisinalitas (0–30)").fill("27")
    page.get_by_label("Bahasa (0–20)").fill("18")
    page.get_by_label("Feedback for the entrant").fill("Tokohnya hidup.")
    page.get_by_role("button", name="Save scores for Senja di Mahakam").click()
    expect(page.locator(".messages")).to_contain_text("Scores saved")
    expect(page.locator("main")).to_contain_text("Your total: 45")
    assert_accessible(page)
    take_screenshots(page, "events-judging")
    assert competitions.ranking(competition)[0].score == 45 and len(criteria) == 2

    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/staff/events/{event.pk}/competition/")
    page.get_by_role("button", name="Publish the winners").click()
    expect(page.locator(".messages")).to_contain_text("The results are published")
    assert_accessible(page)
    page.goto(f"{live_server.url}/events/{event.pk}/")
    expect(page.locator(".winners")).to_contain_text("Senja di Mahakam")
    assert_accessible(page)


def test_a_member_takes_a_timed_quiz_on_a_phone_and_sees_the_leaderboard(
    page, live_server, make_event, make_member, make_user, coordinator
):
    import datetime as dt

    from django.utils import timezone

    from events import quizzes, services
    from tests.browser.helpers import assert_accessible, take_screenshots

    now = timezone.now()
    event = make_event(
        title="Kuis Literasi",
        kind="quiz",
        capacity=None,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(hours=20),
    )
    quiz = quizzes.set_up(event, by=coordinator, time_limit_minutes=10)
    quizzes.save_question(
        quiz,
        by=coordinator,
        text="Sungai terpanjang di Kalimantan Timur?",
        kind="single",
        points=2,
        choices=[("Kapuas", False), ("Mahakam", True), ("Barito", False)],
    )
    quizzes.save_question(
        quiz,
        by=coordinator,
        text="Karya Pramoedya Ananta Toer?",
        kind="multiple",
        points=3,
        choices=[("Bumi Manusia", True), ("Anak Semua Bangsa", True), ("Cantik Itu Luka", False)],
    )
    quizzes.save_question(
        quiz,
        by=coordinator,
        text="Penulis Laskar Pelangi?",
        kind="short",
        accepted=["Andrea Hirata"],
    )
    # Someone finished earlier with a lower score.
    budi = services.register(event, member=make_member("Budi Santoso")).registration
    earlier = quizzes.start_attempt(quiz, budi, at=now - dt.timedelta(minutes=30)).attempt
    quizzes.submit_attempt(
        earlier, registration=budi, answers={}, at=now - dt.timedelta(minutes=29)
    )
    rina = make_member("Rina Wulandari", user=make_user("rina", roles={"member"}))
    services.register(event, member=rina)

    page.set_viewport_size(PHONE)
    english(page, live_server)
    sign_in(page, live_server, rina.user)
    page.goto(f"{live_server.url}/events/{event.pk}/")
    page.get_by_role("link", name="Take the quiz").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.locator(".quiz-clock")).to_have_text(__import__("re").compile(r"^(9|10):\d\d$"))
    page.get_by_label("Mahakam").check()
    page.get_by_label("Bumi Manusia").check()
    page.get_by_label("Anak Semua Bangsa").check()
    page.get_by_label("Your answer").fill("andrea hirata")
    assert_accessible(page)
    take_screenshots(page, "events-quiz")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.locator(".messages")).to_contain_text("Your answers are submitted")
    expect(page.locator(".quiz-score")).to_contain_text("6 of 6 points")
    rows = page.locator(".quiz-leaders tbody tr")
    expect(rows.nth(0)).to_contain_text("Rina W.")
    expect(rows.nth(1)).to_contain_text("Budi S.")
    assert_accessible(page)
    take_screenshots(page, "events-quiz-result")
    page.get_by_role("link", name="The whole leaderboard").click()
    expect(page.locator("h1")).to_have_text("Leaderboard")
    assert_accessible(page)

    # The coordinator's question set on a phone: the same look as the competition screens.
    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/staff/events/{event.pk}/quiz/")
    page.locator("#id_new-text").fill("Hari Buku Nasional diperingati tanggal?")
    page.locator("#id_new-choices").fill("2 Mei\n*17 Mei\n28 Oktober")
    page.get_by_role("button", name="Add the question").click()
    expect(page.locator(".messages")).to_contain_text("The question is saved")
    expect(page.locator(".quiz-staff-questions > li")).to_have_count(4)
    assert_accessible(page)
    take_screenshots(page, "events-quiz-staff")
