"""Booking a room from a phone in Chromium: the member sees the day's grid, books a slot, finds it
in their bookings; a second member trying the same slot (from a grid opened before) is refused
clearly; staff approve a pending booking on the day sheet. Every page is checked with axe-core;
screenshots go to test-artifacts/screenshots/. Skipped without /usr/bin/chromium unless
PUSTAKA_REQUIRE_BROWSER=1."""

from __future__ import annotations

import datetime as dt
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


def sign_in(page, live_server, user, *, viewport=PHONE) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.set_viewport_size(viewport)
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


@pytest.fixture
def day(room) -> dt.date:
    """The next day the room's branch is open (10.00 is inside its hours on any open day)."""
    from django.utils import timezone

    from core.calendar import calendar_for
    from core.selectors import get_library

    today = timezone.localdate(timezone=get_library().zone)
    return calendar_for(room.branch).next_open_day(today)


def test_a_member_books_a_room_on_a_phone_and_a_second_try_is_refused(
    page, live_server, room, member, make_member, make_user, day
):
    from spaces.models import Booking
    from tests.browser.helpers import assert_accessible, take_screenshots

    sign_in(page, live_server, member.user)
    page.goto(f"{live_server.url}/spaces/")
    expect(page.locator("h1")).to_have_text("Rooms and spaces")
    assert_accessible(page)
    page.get_by_role("link", name=room.name).click()
    page.goto(f"{live_server.url}/spaces/{room.pk}/?date={day.isoformat()}")
    expect(page.locator(".slot-grid")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "spaces-grid")

    page.locator(".slot.free a", has_text="10.00").click()
    expect(page.locator("h1")).to_have_text(f"Book {room.name}")
    expect(page.locator(".rules")).to_contain_text("Check in within 15 minutes")
    expect(page.locator("#id_start")).to_have_value("10:00")
    page.select_option("#id_minutes", "60")
    page.select_option("#id_purpose", "reading_group")
    page.fill("#id_people", "5")
    page.fill("#id_title", "Klub Baca Mahakam")
    assert_accessible(page)
    take_screenshots(page, "spaces-booking-form")
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("Booked")
    expect(page.locator(".badge")).to_have_text("Confirmed")
    assert_accessible(page)
    take_screenshots(page, "spaces-booking-confirmed")
    page.get_by_role("link", name="My bookings").first.click()
    expect(page.locator(".cards")).to_contain_text(room.name)
    expect(page.locator(".cards")).to_contain_text("10.00–11.00")
    assert_accessible(page)
    take_screenshots(page, "spaces-my-bookings")

    # The grid now shows the slot as the member's own.
    page.goto(f"{live_server.url}/spaces/{room.pk}/?date={day.isoformat()}")
    expect(page.locator(".slot.mine").first).to_contain_text("your booking")

    # Another member had the grid open before and tries the same slot.
    other = make_member("Budi", user=make_user("budi", roles={"member"}))
    sign_in(page, live_server, other.user)
    page.goto(f"{live_server.url}/spaces/{room.pk}/book/?start={day.isoformat()}T10:30")
    page.select_option("#id_minutes", "60")
    page.fill("#id_people", "2")
    page.get_by_role("button", name="Book", exact=True).click()
    alert = page.locator("[role=alert]")
    expect(alert).to_contain_text("This time is already booked. Please choose another time.")
    assert_accessible(page)
    take_screenshots(page, "spaces-already-booked")
    page.goto(f"{live_server.url}/spaces/{room.pk}/?date={day.isoformat()}")
    expect(page.locator(".slot.taken").first).to_contain_text("booked")
    assert Booking.objects.filter(space=room).count() == 1

    # The first member cancels from the phone.
    sign_in(page, live_server, member.user)
    page.goto(f"{live_server.url}/spaces/mine/")
    page.locator(".cards a", has_text=room.name).click()
    page.get_by_role("button", name="Cancel this booking").click()
    expect(page.locator(".messages")).to_contain_text("Your booking is cancelled.")
    assert_accessible(page)
    assert Booking.objects.get(space=room).state == "cancelled"


def test_staff_approve_a_pending_booking_on_the_day_sheet(
    page, live_server, room, member, librarian, day
):
    from spaces import services
    from spaces.models import BookingRule
    from tests.browser.helpers import assert_accessible, take_screenshots

    BookingRule.objects.create(name="Approve", space=room, needs_approval=True)
    from core.selectors import get_library

    zone = get_library().zone
    start = dt.datetime.combine(day, dt.time(10), tzinfo=zone)
    booking = services.book(room, member, start=start, end=start + dt.timedelta(hours=1))
    assert booking.state == "pending"

    sign_in(page, live_server, librarian, viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/staff/spaces/?date={day.isoformat()}")
    expect(page.locator("#pending-title")).to_contain_text("1 booking waits for approval")
    assert_accessible(page)
    take_screenshots(page, "spaces-staff-day")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("Booking approved")
    expect(page.locator(".sheet")).to_contain_text("Confirmed")
    assert_accessible(page)
    booking.refresh_from_db()
    assert booking.state == "confirmed"


def test_staff_add_a_room_with_a_rule_and_a_member_reads_it_before_booking(
    page, live_server, member, make_user, branches
):
    from spaces.models import BookingRule, Space
    from tests.browser.helpers import assert_accessible, take_screenshots

    coordinator = make_user("dewi", roles={"programme_coordinator"})
    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/staff/spaces/setup/")
    expect(page.locator("h1")).to_contain_text("Rooms, equipment and booking rules")
    assert_accessible(page)
    page.get_by_role("link", name="Add a space").click()
    expect(page.locator("h1")).to_have_text("Add a space")
    page.select_option("#id_kind", "creative_space")
    page.fill("#id_name", "Ruang Kreasi Anak")
    page.fill("#id_capacity", "0")
    page.get_by_label("Projector").check()
    page.get_by_label("Accessible entrance").check()
    page.get_by_role("button", name="Save").click()
    # A capacity of nobody is refused, and the message names the field.
    expect(page.locator("#form-errors")).to_contain_text("Capacity (people)")
    assert_accessible(page)
    page.fill("#id_capacity", "10")
    page.fill("#id_location", "Lantai 1, sayap timur")
    take_screenshots(page, "spaces-staff-space-form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Ruang Kreasi Anak is added.")
    space = Space.objects.get(name="Ruang Kreasi Anak")
    assert space.features == ["projector", "accessible"] and space.capacity == 10

    page.get_by_role("link", name="Add a rule for Ruang Kreasi Anak").first.click()
    expect(page.locator("#id_space")).to_have_value(str(space.pk))
    page.fill("#id_buffer_minutes", "15")
    page.fill("#id_max_minutes", "90")
    page.select_option("#id_needs_approval", "yes")
    page.get_by_role("button", name="Preview the rules text").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Staff approve each booking before it is confirmed.")
    expect(preview).to_contain_text("last 30 to 90 minutes")
    assert not BookingRule.objects.exists()
    assert_accessible(page)
    take_screenshots(page, "spaces-staff-rule-form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("is saved")
    assert BookingRule.objects.get(space=space).buffer_minutes == 15

    sign_in(page, live_server, member.user)
    page.goto(f"{live_server.url}/spaces/{space.pk}/")
    rules = page.locator(".rules")
    expect(rules).to_contain_text("Staff approve each booking before it is confirmed.")
    expect(rules).to_contain_text("The room is kept free 15 minutes after each booking.")
    page.goto(f"{live_server.url}/spaces/{space.pk}/book/")
    expect(page.locator(".rules")).to_contain_text("last 30 to 90 minutes")
    assert_accessible(page)


def test_two_members_pressing_book_for_the_same_slot_at_once_leave_one_booking(
    browser, live_server, room, member, make_member, make_user, day
):
    """Two phones, both forms filled for 10.00, both sent together: the live server answers the
    two requests in parallel threads; one member gets the room, the other a clear refusal."""
    from spaces.models import Booking

    other = make_member("Budi", user=make_user("budi", roles={"member"}))
    pages = []
    for person in (member, other):
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        sign_in(page, live_server, person.user)
        page.goto(f"{live_server.url}/spaces/{room.pk}/book/?start={day.isoformat()}T10:00")
        page.select_option("#id_minutes", "60")
        page.fill("#id_people", "3")
        pages.append(page)
    press = """() => {
        const button = [...document.querySelectorAll('button')]
            .find(b => b.textContent.trim() === 'Book');
        setTimeout(() => button.form.requestSubmit(button), 0);
    }"""
    for page in pages:  # both submissions leave before either answer comes back
        page.evaluate(press)
    outcomes = []
    for page in pages:
        page.wait_for_load_state("load")
        outcome = page.locator(".messages, [role=alert]").first
        expect(outcome).to_be_visible()
        outcomes.append(outcome.inner_text())
    booked = [text for text in outcomes if "Booked" in text]
    refused = [text for text in outcomes if "already booked" in text]
    assert len(booked) == 1 and len(refused) == 1, outcomes
    assert Booking.objects.filter(space=room).count() == 1
    for page in pages:
        page.context.close()
