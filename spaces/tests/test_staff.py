"""Staff: approve or decline with a reason, book on behalf of a member, block times (an event in
a room books the room), the day sheet, check-in, release of no-shows and their count."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from core.errors import PermissionDeniedError
from core.models import AuditEntry
from spaces import errors, services
from spaces.models import Booking, BookingRule
from spaces.states import BookingState
from spaces.tests.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, librarian, django_capture_on_commit_callbacks):
    client.cookies["django_language"] = "en"
    client.force_login(librarian)
    request = client.request

    def request_running_on_commit(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request(**kwargs)

    client.request = request_running_on_commit
    return client


@pytest.fixture
def pending(now, room, member):
    BookingRule.objects.create(name="Approve", space=room, needs_approval=True)
    return services.book(room, member, start=local(24, 10), end=local(24, 11), by=member.user)


def test_staff_approve_a_pending_booking_and_the_member_is_told(desk, pending, librarian):
    html = desk.get(reverse("spaces:staff-day"), {"date": "2026-11-24"}).content.decode()
    assert "1 booking waits for approval" in html and pending.member.full_name in html
    desk.post(reverse("spaces:staff-approve", args=[pending.pk]))
    pending.refresh_from_db()
    assert pending.state == BookingState.CONFIRMED
    assert "confirmed" in mail.outbox[-1].subject.lower()
    assert AuditEntry.objects.filter(action="space_booking.approve").exists()
    assert pending.events.last().by == librarian


def test_declining_needs_a_reason_which_the_member_reads(desk, pending):
    desk.post(reverse("spaces:staff-decline", args=[pending.pk]), {"reason": ""})
    pending.refresh_from_db()
    assert pending.state == BookingState.PENDING
    desk.post(reverse("spaces:staff-decline", args=[pending.pk]), {"reason": "Ruang dipakai rapat"})
    pending.refresh_from_db()
    assert pending.state == BookingState.DECLINED and pending.reason == "Ruang dipakai rapat"
    assert "Ruang dipakai rapat" in mail.outbox[-1].body


def test_a_member_cannot_approve(pending, member):
    with pytest.raises(PermissionDeniedError):
        services.approve(pending, by=member.user)


def test_a_member_cannot_book_for_another_member(now, room, member, make_member):
    with pytest.raises(PermissionDeniedError):
        services.book(room, make_member(), start=local(24, 10), end=local(24, 11), by=member.user)


def test_staff_book_on_behalf_of_a_member_which_is_audited(desk, now, room, member, librarian):
    response = desk.post(
        reverse("spaces:staff-book") + "?branch=pusat",
        {
            "branch": "pusat",
            "space": room.pk,
            "member_number": member.number,
            "date": "2026-11-24",
            "start": "10:00",
            "minutes": "60",
            "purpose": "meeting",
            "people": "5",
        },
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.member == member and booking.booked_by == librarian
    assert booking.source == "desk" and booking.state == BookingState.CONFIRMED
    entry = AuditEntry.objects.get(action="space_booking.create")
    assert entry.actor == librarian and entry.details["member"] == member.number


def test_staff_block_a_room_for_maintenance_and_nobody_can_book_it(desk, now, room, member):
    response = desk.post(
        reverse("spaces:staff-block"),
        {
            "branch": "pusat",
            "resource": f"space:{room.pk}",
            "date": "2026-11-24",
            "start": "08:00",
            "end": "12:00",
            "reason": "Pengecatan",
        },
    )
    assert response.status_code == 302
    with pytest.raises(errors.SlotTakenError):
        services.book(room, member, start=local(24, 10), end=local(24, 11))
    html = desk.get(reverse("spaces:staff-day"), {"date": "2026-11-24"}).content.decode()
    assert "Blocked" in html and "Pengecatan" in html
    grid = desk.get(reverse("spaces:detail", args=[room.pk]), {"date": "2026-11-24"})
    assert "closed by the library" in grid.content.decode()


def test_a_block_over_bookings_lists_them(desk, now, room, member):
    services.book(room, member, start=local(24, 10), end=local(24, 11))
    response = desk.post(
        reverse("spaces:staff-block"),
        {
            "branch": "pusat",
            "resource": f"space:{room.pk}",
            "date": "2026-11-24",
            "start": "09:00",
            "end": "12:00",
            "reason": "Pengecatan",
        },
    )
    assert "Bookings are in the way" in response.content.decode()
    assert member.full_name in response.content.decode()


def test_an_event_books_its_room_through_block_space(now, room, member):
    """What the events app calls: a system block with the event as its source, moved when the
    event moves, lifted when it is cancelled."""
    block = services.block_space(
        room, local(26, 13), local(26, 15), "Bedah buku", None, source="event:7"
    )
    assert block.source == "event:7" and block.booked_by is None
    with pytest.raises(errors.SlotTakenError):
        services.book(room, member, start=local(26, 14), end=local(26, 15))
    services.move_block(block, local(27, 13), local(27, 15), by=None)
    services.book(room, member, start=local(26, 14), end=local(26, 15))
    services.unblock(block, by=None)
    block.refresh_from_db()
    assert block.state == BookingState.CANCELLED


def test_staff_check_in_and_the_day_sheet(desk, room, member):
    with time_machine.travel(local(23, 10), tick=False):
        booking = services.book(room, member, start=local(24, 10), end=local(24, 11))
    with time_machine.travel(local(24, 10, 20), tick=False):
        desk.post(reverse("spaces:staff-check-in", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.state == BookingState.CHECKED_IN and booking.checked_in_at


def test_a_member_cannot_check_in_early_late_or_without_the_door_code(room, member):
    with time_machine.travel(local(23, 10), tick=False):
        booking = services.book(room, member, start=local(24, 10), end=local(24, 11))
    with (
        time_machine.travel(local(24, 9, 30), tick=False),
        pytest.raises(errors.CheckInWindowError),
    ):
        services.check_in(booking, by=member.user, door_code=room.door_code)
    with time_machine.travel(local(24, 10), tick=False), pytest.raises(PermissionDeniedError):
        services.check_in(booking, by=member.user, door_code="wrong")
    with (
        time_machine.travel(local(24, 10, 16), tick=False),
        pytest.raises(errors.CheckInWindowError),
    ):
        services.check_in(booking, by=member.user, door_code=room.door_code)


def test_bookings_not_checked_in_are_released_and_counted(room, member, make_member):
    with time_machine.travel(local(23, 10), tick=False):
        late = services.book(room, member, start=local(24, 10), end=local(24, 11))
        services.book(room, make_member(), start=local(24, 11), end=local(24, 12))
    with time_machine.travel(local(24, 10, 16), tick=False):
        call_command("spaces_release")
        call_command("spaces_release")  # twice is harmless
        late.refresh_from_db()
        assert late.state == BookingState.NO_SHOW
        # The rest of the slot is free again for someone else.
        services.book(room, make_member(), start=local(24, 10, 30), end=local(24, 11))
    assert services.no_show_count(member, days=60, now=local(24, 12)) == 1


def test_staff_without_the_permission_cannot_open_the_sheet(client, make_user, library):
    client.force_login(make_user("katalog", roles={"cataloguer"}))
    assert client.get(reverse("spaces:staff-day")).status_code == 403


def test_the_door_sign_has_a_qr(desk, room):
    html = desk.get(reverse("spaces:staff-door-sign", args=[room.pk])).content.decode()
    assert "<svg" in html and room.door_code in html


def test_usage_counts_occupancy_purposes_and_no_shows(desk, room, member, make_member):
    from spaces import selectors

    with time_machine.travel(local(23, 10), tick=False):
        used = services.book(room, member, start=local(24, 10), end=local(24, 12), purpose="study")
        services.book(
            room, make_member(), start=local(25, 10), end=local(25, 11), purpose="meeting"
        )
        services.book(room, make_member(), start=local(26, 10), end=local(26, 11), purpose="study")
    with time_machine.travel(local(24, 10, 5), tick=False):
        services.check_in(used, by=member.user, door_code=room.door_code)
    with time_machine.travel(local(25, 10, 30), tick=False):
        services.release_no_shows()
    report = selectors.usage(room.branch, since=local(23, 0).date(), until=local(27, 0).date())
    (row,) = report.spaces
    assert row.open_minutes == 5 * 8 * 60
    assert row.booked_minutes == 180  # the unused booking does not count
    assert (row.bookings, row.used, row.no_shows) == (3, 1, 1)
    assert report.no_show_percent == 50
    assert dict(report.by_purpose) == {"Study group": 2, "Community meeting": 1}
    assert row.by_weekday_hour[(1, 10)] == 60 and row.by_weekday_hour[(1, 11)] == 60
    html = desk.get(
        reverse("spaces:staff-usage"), {"since": "2026-11-23", "until": "2026-11-27"}
    ).content.decode()
    assert "Occupancy per room" in html and "50%" in html


def test_list_selectors_have_a_fixed_number_of_queries(
    django_assert_max_num_queries, now, room, projector, member, make_member
):
    from spaces import selectors

    for hour in (9, 10, 11, 12):
        services.book(room, make_member(), start=local(24, hour), end=local(24, hour + 1))
    services.book(projector, member, start=local(24, 13), end=local(24, 14))
    with django_assert_max_num_queries(6):
        rows = selectors.day_sheet(room.branch, local(24, 0).date())
        assert [len(r.bookings) for r in rows] == [4, 1]
        assert all(b.member.full_name for r in rows for b in r.bookings)
    with django_assert_max_num_queries(5):
        grid = selectors.week_grid(room, local(23, 0).date())
        assert grid[1].free_count == 8  # 16 half hours, 4 hours booked
    with django_assert_max_num_queries(3):
        mine = selectors.member_bookings(member)
        assert [b.resource.name for b in mine["upcoming"]] == [projector.name]


def test_a_lapsed_booking_shows_as_free_and_is_released_by_the_next_booking(
    client, room, member, make_member
):
    from spaces import selectors

    with time_machine.travel(local(23, 10), tick=False):
        late = services.book(room, member, start=local(24, 10), end=local(24, 12))
    with time_machine.travel(local(24, 10, 20), tick=False):
        grid = selectors.day_grid(room, local(24, 0).date())
        statuses = {s.start: s.status for s in grid.slots}
        assert statuses[local(24, 10, 30)] == "free"
        services.book(room, make_member(), start=local(24, 10, 30), end=local(24, 11, 30))
    late.refresh_from_db()
    assert late.state == BookingState.NO_SHOW


def test_another_app_finds_its_blocks_by_source(now, room):
    from spaces import selectors

    block = services.block_space(
        room, local(26, 13), local(26, 15), "Bedah buku", None, source="event:7"
    )
    assert list(selectors.blocks_for_source("event:7")) == [block]
    assert not selectors.blocks_for_source("event:8").exists()
