"""The demo library's rooms and a fortnight of bookings."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from spaces.models import Booking, BookingSeries, Equipment, Space

# The member categories come from a migration; a browser test's flush before this one removes
# them, so ask for them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("member_categories")]


def test_the_demo_has_rooms_in_every_branch_and_a_fortnight_of_bookings():
    out = StringIO()
    call_command("demo", members=60, records=5, stdout=out)
    assert "Spaces:" in out.getvalue()
    assert set(Space.objects.values_list("branch__code", flat=True)) == {
        "pusat",
        "seberang",
        "taman",
    }
    assert Equipment.objects.filter(bookable_alone=False).exists()
    assert set(Equipment.objects.values_list("branch__code", flat=True)) == {
        "pusat",
        "seberang",
        "taman",
    }
    # A fortnight: the week behind and the week ahead of today.
    days = {b.starts_at.date() for b in Booking.objects.filter(kind="booking")}
    assert (max(days) - min(days)).days >= 13
    assert Booking.objects.filter(kind="booking").count() > 30
    assert Booking.objects.filter(state="checked_in").exists()
    assert Booking.objects.filter(state="no_show").exists()
    assert Booking.objects.filter(state="pending", space__kind="auditorium").exists()
    assert Booking.objects.filter(kind="block").exists()
    series = BookingSeries.objects.get(group_name="Klub Baca Mahakam")
    assert series.bookings.count() >= 6
    assert mail.outbox == []
    before = Booking.objects.count()
    call_command("demo", members=0, records=0, stdout=StringIO())
    assert Booking.objects.count() == before
