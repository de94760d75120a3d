"""Spaces per branch, opening hours from the branch calendar, and the booking rules: each
refusal names its rule, and nothing already booked is disturbed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from spaces import errors, policies, services
from spaces.models import Booking, BookingRule, Equipment, Space
from spaces.states import BookingState
from spaces.tests.conftest import local

pytestmark = pytest.mark.django_db


def english(error) -> str:
    with translation.override("en"):
        return str(error)


# -- spaces, equipment and the calendar -----------------------------------------------------


def test_a_booking_on_a_closed_day_is_refused_naming_the_day(now, room, member):
    from core.models import ClosedDay

    ClosedDay.objects.create(
        branch=room.branch,
        start_date=dt.date(2026, 11, 25),
        end_date=dt.date(2026, 11, 25),
        reason="Inventarisasi",
    )
    with pytest.raises(errors.ClosedDayError) as caught:
        services.book(room, member, start=local(25, 10), end=local(25, 11))
    assert "25-11-2026" in english(caught.value)
    # Sunday: no opening hours at all.
    with pytest.raises(errors.ClosedDayError):
        services.book(room, member, start=local(29, 10), end=local(29, 11))
    assert not Booking.objects.exists()


def test_a_booking_outside_opening_hours_is_refused_with_the_hours(now, room, member):
    with pytest.raises(errors.OutsideOpeningHoursError) as caught:
        services.book(room, member, start=local(24, 15, 30), end=local(24, 16, 30))
    assert "08.00–16.00" in english(caught.value)
    with pytest.raises(errors.OutsideOpeningHoursError):
        services.book(room, member, start=local(24, 7, 30), end=local(24, 8, 30))
    # Saturday the main branch opens 9-13.
    with pytest.raises(errors.OutsideOpeningHoursError):
        services.book(room, member, start=local(28, 12, 30), end=local(28, 13, 30))
    services.book(room, member, start=local(28, 12), end=local(28, 13))


def test_a_public_holiday_closes_the_rooms(room, member):
    import time_machine

    from spaces.tests.conftest import WITA

    # 25 December is a national holiday (Christmas), a Friday in 2026.
    with (
        time_machine.travel(dt.datetime(2026, 12, 21, 9, tzinfo=WITA), tick=False),
        pytest.raises(errors.ClosedDayError),
    ):
        services.book(
            room,
            member,
            start=dt.datetime(2026, 12, 25, 10, tzinfo=WITA),
            end=dt.datetime(2026, 12, 25, 11, tzinfo=WITA),
        )


def test_more_people_than_the_room_holds_is_refused(now, room, member):
    with pytest.raises(errors.TooManyPeopleError) as caught:
        services.book(room, member, start=local(24, 10), end=local(24, 11), people=9)
    assert english(caught.value) == "Ruang Diskusi 1 holds at most 8 people."


def test_an_inactive_or_unbookable_space_cannot_be_booked(now, room, member):
    room.is_bookable = False
    room.save()
    with pytest.raises(errors.NotBookableError):
        services.book(room, member, start=local(24, 10), end=local(24, 11))


def test_equipment_can_be_booked_alone_or_only_with_a_room(now, room, member, branches):
    laptop = Equipment.objects.create(branch=branches[0], kind="laptop", name="Laptop 1")
    alone = services.book(laptop, member, start=local(24, 10), end=local(24, 11))
    assert alone.equipment == laptop and alone.space is None
    sound = Equipment.objects.create(
        branch=branches[0], kind="sound_system", name="Sound", bookable_alone=False
    )
    with pytest.raises(errors.EquipmentNeedsRoomError):
        services.book(sound, member, start=local(24, 12), end=local(24, 13))
    with_room = services.book(
        room, member, start=local(24, 12), end=local(24, 13), equipment=[sound]
    )
    assert with_room.attached.get().equipment == sound


def test_equipment_of_another_branch_cannot_come_with_a_room(now, room, member, branches):
    far = Equipment.objects.create(branch=branches[1], kind="projector", name="Proyektor B")
    with pytest.raises(errors.WrongBranchEquipmentError):
        services.book(room, member, start=local(24, 10), end=local(24, 11), equipment=[far])
    assert not Booking.objects.exists()


def test_spaces_belong_to_a_branch_with_features(room, branches):
    assert room.branch == branches[0]
    with translation.override("en"):
        assert room.feature_labels == ["Projector", "Wi-Fi"]


# -- rule resolution ---------------------------------------------------------------------------


def test_the_most_specific_rule_wins_value_by_value(room, member_categories, library):
    from patrons.models import MemberCategory

    student = MemberCategory.objects.get(code="school_student")
    BookingRule.objects.create(name="All", max_minutes=180, days_ahead=30)
    BookingRule.objects.create(name="Rooms", space_kind="discussion_room", max_minutes=120)
    BookingRule.objects.create(name="This room", space=room, buffer_minutes=15)
    BookingRule.objects.create(
        name="Students here", space=room, member_category=student, max_minutes=60
    )
    BookingRule.objects.create(name="Other kind", space_kind="auditorium", max_minutes=480)
    general = policies.resolve_rules(room, MemberCategory.objects.get(code="general"))
    assert (general.max_minutes, general.days_ahead, general.buffer_minutes) == (120, 30, 15)
    assert general.sources["max_minutes"] == "Rooms"
    assert general.sources["slot_minutes"] == ""  # Pustaka's default
    students = policies.resolve_rules(room, student)
    assert students.max_minutes == 60 and students.sources["max_minutes"] == "Students here"


# -- each rule refuses with its reason ---------------------------------------------------------


def test_too_short_too_long_and_off_the_grid_are_refused(now, room, member):
    with pytest.raises(errors.TooShortError):
        services.book(room, member, start=local(24, 10), end=local(24, 10, 15))
    with pytest.raises(errors.TooLongError) as caught:
        services.book(room, member, start=local(24, 10), end=local(24, 13))
    assert "120 minutes" in english(caught.value)
    with pytest.raises(errors.SlotAlignmentError):
        services.book(room, member, start=local(24, 10, 10), end=local(24, 11, 10))


def test_in_the_past_and_too_far_ahead_are_refused(now, room, member):
    with pytest.raises(errors.InPastError):
        services.book(room, member, start=local(23, 8), end=local(23, 9))
    with pytest.raises(errors.TooFarAheadError) as caught:
        services.book(
            room,
            member,
            start=dt.datetime(2026, 12, 8, 10, tzinfo=local(1, 0).tzinfo),
            end=dt.datetime(2026, 12, 8, 11, tzinfo=local(1, 0).tzinfo),
        )
    assert "14 days" in english(caught.value)


def test_the_limit_of_upcoming_bookings(now, room, member):
    for day in (24, 25, 26):
        services.book(room, member, start=local(day, 10), end=local(day, 11))
    with pytest.raises(errors.ActiveLimitError) as caught:
        services.book(room, member, start=local(27, 10), end=local(27, 11))
    assert english(caught.value) == "You already have 3 upcoming bookings; the limit is 3."
    assert Booking.objects.count() == 3


def test_the_weekly_hours_limit(now, room, member):
    BookingRule.objects.create(name="Hours", max_hours_per_week=3, max_active=10)
    services.book(room, member, start=local(24, 10), end=local(24, 12))
    with pytest.raises(errors.WeeklyHoursLimitError) as caught:
        services.book(room, member, start=local(25, 10), end=local(25, 11, 30))
    assert "3.5 hours" in english(caught.value)
    # Next week is another week.
    services.book(room, member, start=local(30, 10), end=local(30, 11, 30))


def test_partner_only_and_staff_only_spaces(now, room, member, make_member, librarian):
    rule = BookingRule.objects.create(name="Partners", space=room, who_may_book="partners")
    with pytest.raises(errors.NotAllowedToBookError) as caught:
        services.book(room, member, start=local(24, 10), end=local(24, 11))
    assert "partner organisations" in english(caught.value)
    school = make_member("SMA 1", category="institution")
    services.book(room, school, start=local(24, 10), end=local(24, 11))
    rule.who_may_book = "staff"
    rule.save()
    with pytest.raises(errors.NotAllowedToBookError):
        services.book(room, school, start=local(24, 12), end=local(24, 13))
    # Staff book it for a member.
    services.book(room, member, start=local(24, 12), end=local(24, 13), by=librarian)


def test_a_member_who_cannot_borrow_cannot_book(now, room, make_member):
    expired = make_member(expires_on=dt.date(2026, 1, 1))
    with pytest.raises(errors.MemberCannotBookError):
        services.book(room, expired, start=local(24, 10), end=local(24, 11))


def test_approval_rule_makes_bookings_wait(now, room, member):
    BookingRule.objects.create(name="Approve", space=room, needs_approval=True)
    booking = services.book(room, member, start=local(24, 10), end=local(24, 11))
    assert booking.state == BookingState.PENDING
    assert booking.rules["needs_approval"] is True


def test_the_rules_are_described_for_the_booker(room, library):
    with translation.override("en"):
        lines = policies.describe(policies.resolve_rules(room, None), capacity=room.capacity)
    text = " ".join(lines)
    assert "30-minute slots" in text and "14 days ahead" in text
    assert "Room for at most 8 people." in text
    assert "Check in within 15 minutes" in text
    assert "After 3 unused bookings within 60 days you cannot book for a while." in text


def test_the_cancellation_deadline(now, room, member):
    import time_machine

    booking = services.book(room, member, start=local(24, 10), end=local(24, 11), by=member.user)
    with (
        time_machine.travel(local(24, 8, 30), tick=False),
        pytest.raises(errors.CancelDeadlinePassedError) as caught,
    ):
        services.cancel(booking, by=member.user)
    assert "2 hours before" in english(caught.value)
    booking.refresh_from_db()
    assert booking.state == BookingState.CONFIRMED


def test_no_shows_pause_booking_under_the_rule_stated(now, room, member):
    import time_machine

    BookingRule.objects.create(name="Strict", no_show_limit=2, max_active=10)
    for day in (24, 25):
        services.book(room, member, start=local(day, 10), end=local(day, 11))
    with time_machine.travel(local(25, 12), tick=False):
        assert services.release_no_shows() == 2
        with pytest.raises(errors.NoShowLimitError) as caught:
            services.book(room, member, start=local(26, 10), end=local(26, 11))
    assert "2 bookings in the last 60 days" in english(caught.value)


def test_space_names_are_unique_per_branch(room, branches):
    from django.db import IntegrityError, transaction

    Space.objects.create(branch=branches[1], kind="discussion_room", name=room.name)
    with pytest.raises(IntegrityError), transaction.atomic():
        Space.objects.create(branch=branches[0], kind="auditorium", name=room.name)


def test_slots_start_when_the_period_opens(now, room, member, branches):
    """Friday afternoons open at 13.30: hour slots start at 13.30, 14.30 … there."""
    from core.models import OpeningPeriod

    OpeningPeriod.objects.filter(branch=branches[0], weekday=4).delete()
    OpeningPeriod.objects.create(
        branch=branches[0], weekday=4, opens_at=dt.time(13, 30), closes_at=dt.time(16, 30)
    )
    BookingRule.objects.create(name="Hours", space=room, slot_minutes=60, min_minutes=60)
    services.book(room, member, start=local(27, 13, 30), end=local(27, 14, 30))
    services.book(room, member, start=local(27, 14, 30), end=local(27, 15, 30))
    with pytest.raises(errors.SlotAlignmentError):
        services.book(room, member, start=local(27, 14), end=local(27, 15))
