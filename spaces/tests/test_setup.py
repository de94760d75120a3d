"""Staff set up spaces: add and change rooms (features, photos made smaller), equipment and
booking rules, with errors naming the field, a preview of the rules text, audited changes, and
only for the roles that manage spaces; the usage figures download as CSV and XLSX."""

from __future__ import annotations

import csv
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from core.errors import PermissionDeniedError
from core.models import AuditEntry
from spaces import services, setup
from spaces.models import BookingRule, Equipment, Space, SpacePhoto
from spaces.tests.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(make_user, library):
    return make_user("dewi", roles={"programme_coordinator"})


@pytest.fixture
def staff(client, coordinator):
    client.cookies["django_language"] = "en"
    client.force_login(coordinator)
    return client


def png(width: int = 3000, height: int = 2000) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return SimpleUploadedFile("room.png", out.getvalue(), content_type="image/png")


def space_form(branch, **values):
    return {
        "branch": branch.pk,
        "kind": "discussion_room",
        "name": "Ruang Kreatif",
        "capacity": "12",
        "features": ["projector", "accessible"],
        "location": "Lantai 2",
        "description": "Meja besar",
        "is_bookable": "on",
        "position": "3",
        **values,
    }


def rule_form(**values):
    blank = dict.fromkeys(
        [
            "space",
            "space_kind",
            "member_category",
            "who_may_book",
            "slot_minutes",
            "min_minutes",
            "max_minutes",
            "days_ahead",
            "max_active",
            "max_hours_per_week",
            "buffer_minutes",
            "needs_approval",
            "cancel_hours_before",
            "check_in_minutes",
            "no_show_limit",
            "no_show_days",
        ],
        "",
    )
    return {**blank, "name": "Aturan", **values}


def test_a_coordinator_adds_a_room_with_a_photo_made_small_and_it_is_audited(
    staff, branches, coordinator
):
    response = staff.post(
        reverse("spaces:staff-space-create"),
        space_form(branches[0], photo=png(), photo_caption="Meja dan layar"),
    )
    space = Space.objects.get(name="Ruang Kreatif")
    assert response.status_code == 302
    assert response["Location"] == reverse("spaces:staff-space-edit", args=[space.pk])
    assert space.capacity == 12 and space.features == ["projector", "accessible"]
    photo = SpacePhoto.objects.get(space=space)
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG" and stored.size == (1600, 1067)
    assert photo.caption == "Meja dan layar"
    entry = AuditEntry.objects.get(action="space.create")
    assert entry.actor == coordinator and entry.object_id == str(space.pk)
    assert AuditEntry.objects.filter(action="space.photo_add").exists()
    html = staff.get(response["Location"]).content.decode()
    assert "Meja dan layar" in html and "What a booker reads before booking" in html


def test_a_photo_needs_a_description_and_must_be_an_image(staff, branches):
    response = staff.post(
        reverse("spaces:staff-space-create"),
        space_form(
            branches[0],
            photo=SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The file is not a photo (JPEG, PNG or WebP) or it is damaged." in html
    assert '<a href="#id_photo">Add a photo (optional)</a>' in html
    response = staff.post(
        reverse("spaces:staff-space-create"), space_form(branches[0], photo=png(40, 30))
    )
    assert '<a href="#id_photo_caption">What the photo shows</a>: Say what the photo shows.' in (
        response.content.decode()
    )
    assert not Space.objects.filter(name="Ruang Kreatif").exists()
    assert not SpacePhoto.objects.exists()


def test_capacity_below_one_is_refused_naming_the_field(staff, branches):
    response = staff.post(
        reverse("spaces:staff-space-create"), space_form(branches[0], capacity="0")
    )
    assert response.status_code == 400
    assert '<a href="#id_capacity">Capacity (people)</a>' in response.content.decode()
    assert not Space.objects.filter(name="Ruang Kreatif").exists()


def test_a_second_room_of_the_same_name_in_a_branch_is_refused(staff, branches, room):
    response = staff.post(
        reverse("spaces:staff-space-create"), space_form(branches[0], name=room.name)
    )
    assert response.status_code == 400
    assert Space.objects.filter(name=room.name).count() == 1


def test_a_room_with_bookings_ahead_cannot_be_taken_out_of_use(
    staff, now, room, member, coordinator
):
    booking = services.book(room, member, start=local(24, 10), end=local(24, 11))
    values = space_form(room.branch, name=room.name, capacity="8", features=["wifi"])
    response = staff.post(reverse("spaces:staff-space-edit", args=[room.pk]), values)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ruang Diskusi 1 has 1 upcoming bookings or blocks" in html
    assert '<a href="#id_is_active">In use</a>' in html
    room.refresh_from_db()
    assert room.is_active and room.features == ["projector", "wifi"]  # nothing half-saved

    services.cancel(booking, by=coordinator, reason="Ruang ditutup")
    response = staff.post(reverse("spaces:staff-space-edit", args=[room.pk]), values)
    assert response.status_code == 302
    room.refresh_from_db()
    assert not room.is_active and room.features == ["wifi"] and room.capacity == 8
    changed = AuditEntry.objects.get(action="space.update").details["changed"]
    assert changed["is_active"] == ["True", "False"]
    assert changed["features"] == ["['projector', 'wifi']", "['wifi']"]


def test_the_desk_cannot_set_up_spaces(client, librarian, branches, room):
    client.force_login(librarian)
    assert client.get(reverse("spaces:staff-setup")).status_code == 403
    assert client.get(reverse("spaces:staff-space-edit", args=[room.pk])).status_code == 403
    with pytest.raises(PermissionDeniedError):
        setup.update_space(room, {"capacity": 2}, by=librarian)
    with pytest.raises(PermissionDeniedError):
        setup.create_rule({"name": "x"}, by=librarian)
    room.refresh_from_db()
    assert room.capacity == 8


def test_the_setup_page_lists_spaces_equipment_and_rules_of_a_branch(
    staff, room, projector, branches, django_assert_max_num_queries
):
    BookingRule.objects.create(name="Ruang diskusi: 1 jam", space_kind="discussion_room")
    BookingRule.objects.create(
        name="Lain cabang",
        space=Space.objects.create(branch=branches[1], kind="auditorium", name="Aula", capacity=80),
    )
    with django_assert_max_num_queries(16):
        html = staff.get(reverse("spaces:staff-setup"), {"branch": "pusat"}).content.decode()
    assert room.name in html and projector.name in html
    assert "Ruang diskusi: 1 jam" in html and "Lain cabang" not in html
    assert "Add a space" in html and "Add a booking rule" in html


def test_equipment_is_added_and_taken_out_of_use(staff, branches, coordinator):
    response = staff.post(
        reverse("spaces:staff-equipment-create"),
        {"branch": branches[0].pk, "kind": "laptop", "name": "Laptop 1", "description": ""},
    )
    assert response.status_code == 302
    laptop = Equipment.objects.get(name="Laptop 1")
    assert laptop.bookable_alone is False  # the box was left unticked: only with a room
    staff.post(
        reverse("spaces:staff-equipment-edit", args=[laptop.pk]),
        {
            "branch": branches[0].pk,
            "kind": "laptop",
            "name": "Laptop 1",
            "bookable_alone": "on",
        },
    )
    laptop.refresh_from_db()
    assert laptop.bookable_alone and not laptop.is_active
    assert set(
        AuditEntry.objects.filter(object_type="spaces.equipment").values_list("action", flat=True)
    ) == {"equipment.create", "equipment.update"}


def test_a_rule_whose_lengths_do_not_fit_its_slots_is_refused_naming_the_field(staff, room):
    response = staff.post(
        reverse("spaces:staff-rule-create"),
        rule_form(space=room.pk, slot_minutes="45", action="save"),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        '<a href="#id_min_minutes">Shortest booking (minutes)</a>: The shortest booking '
        "(30 minutes) must be a whole number of 45-minute slots."
    ) in html
    response = staff.post(
        reverse("spaces:staff-rule-create"),
        rule_form(space=room.pk, min_minutes="90", max_minutes="60", action="save"),
    )
    assert '<a href="#id_max_minutes">Longest booking (minutes)</a>' in response.content.decode()
    response = staff.post(
        reverse("spaces:staff-rule-create"),
        rule_form(space=room.pk, space_kind="auditorium", action="save"),
    )
    assert "Choose one space or one kind of space, not both." in response.content.decode()
    response = staff.post(
        reverse("spaces:staff-rule-create"), rule_form(slot_minutes="2", action="save")
    )
    assert '<a href="#id_slot_minutes">Slot length (minutes)</a>' in response.content.decode()
    assert not BookingRule.objects.exists()


def test_the_preview_shows_the_bookers_text_without_saving(staff, room):
    response = staff.post(
        reverse("spaces:staff-rule-create"),
        rule_form(space=room.pk, needs_approval="yes", max_minutes="180", action="preview"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Staff approve each booking before it is confirmed." in html
    assert "last 30 to 180 minutes" in html
    assert "Room for at most 8 people." in html
    assert not BookingRule.objects.exists()


def test_a_saved_rule_is_what_the_member_reads_and_changes_are_audited(
    staff, room, member, coordinator
):
    response = staff.post(
        reverse("spaces:staff-rule-create"),
        rule_form(name="Diskusi", space=room.pk, buffer_minutes="15", action="save"),
    )
    assert response.status_code == 302
    rule = BookingRule.objects.get(name="Diskusi")
    assert rule.buffer_minutes == 15 and rule.needs_approval is None and rule.slot_minutes is None
    staff.post(
        reverse("spaces:staff-rule-edit", args=[rule.pk]),
        rule_form(name="Diskusi", space=room.pk, buffer_minutes="15", needs_approval="yes"),
    )
    rule.refresh_from_db()
    assert rule.needs_approval is True
    changed = AuditEntry.objects.get(action="booking_rule.update").details["changed"]
    assert changed == {"needs_approval": ["None", "True"]}

    booker = Client()
    booker.force_login(member.user)
    booker.cookies["django_language"] = "en"
    html = booker.get(reverse("spaces:book", args=[room.pk])).content.decode()
    assert "The room is kept free 15 minutes after each booking." in html
    assert "Staff approve each booking before it is confirmed." in html

    staff.post(reverse("spaces:staff-rule-delete", args=[rule.pk]))
    assert not BookingRule.objects.exists()
    assert AuditEntry.objects.get(action="booking_rule.delete").details["values"]["name"] == (
        "Diskusi"
    )


@pytest.fixture
def used(now, room, member, make_member, coordinator):
    """Two bookings on Tuesday 24 November: one checked in (10-12), one left unused (13-14)."""
    import time_machine

    first = services.book(room, member, start=local(24, 10), end=local(24, 12), purpose="study")
    other = make_member()
    second = services.book(room, other, start=local(24, 13), end=local(24, 14), purpose="meeting")
    with time_machine.travel(local(24, 10, 5), tick=False):
        services.check_in(first, by=coordinator)
    with time_machine.travel(local(24, 15), tick=False):
        services.release_no_shows()
    second.refresh_from_db()
    assert second.state == "no_show"


def test_usage_downloads_as_csv_tables(staff, used, room):
    url = reverse("spaces:staff-usage-export", args=["csv"])
    period = {"branch": "pusat", "since": "2026-11-23", "until": "2026-11-29"}
    response = staff.get(url, {**period, "table": "rooms"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "rooms-pusat-20261123-20261129-rooms.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Room", "Bookings", "Hours booked"]
    assert rows[1][0] == room.name and rows[1][1] == "2" and rows[1][2] == "2.0"
    assert rows[-1][0] == "All rooms" and rows[-1][-1] == "50.0"  # one of two unused
    hours = staff.get(url, {**period, "table": "hours"}).content.decode("utf-8-sig")
    assert f"{room.name},Tuesday,10.00,1.0" in hours and f"{room.name},Tuesday,11.00,1.0" in hours
    purposes = staff.get(url, {**period, "table": "purposes"}).content.decode("utf-8-sig")
    assert "Study group,1" in purposes and "Community meeting,1" in purposes
    assert staff.get(url, {**period, "table": "members"}).status_code == 404


def test_usage_downloads_as_a_workbook_with_one_sheet_per_table(staff, used, room):
    from openpyxl import load_workbook

    response = staff.get(
        reverse("spaces:staff-usage-export", args=["xlsx"]),
        {"branch": "pusat", "since": "2026-11-23", "until": "2026-11-29"},
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Rooms", "By weekday and hour", "By purpose"]
    rooms = list(book["Rooms"].values)
    assert rooms[0][0].endswith("2026-11-23 to 2026-11-29")
    assert rooms[2][:3] == (room.name, 2, 2.0)
    html = staff.get(reverse("spaces:staff-usage"), {"branch": "pusat"}).content.decode()
    assert "Workbook (XLSX), all tables" in html


def test_the_desk_may_download_usage_but_a_member_may_not(client, librarian, member, used):
    url = reverse("spaces:staff-usage-export", args=["xlsx"])
    client.force_login(member.user)
    assert client.get(url).status_code == 403
    client.force_login(librarian)
    assert client.get(url).status_code == 200


def test_a_removed_photo_is_gone_from_the_page_and_the_disk(
    staff, room, coordinator, django_capture_on_commit_callbacks
):
    from spaces.photos import prepare_photo

    photo = setup.add_photo(room, prepare_photo(png(800, 600)), "Meja bundar", by=coordinator)
    path = photo.image.path
    with Image.open(path) as stored:
        assert stored.size == (800, 600)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("spaces:staff-photo-remove", args=[room.pk, photo.pk]))
    assert response.status_code == 302
    assert not SpacePhoto.objects.exists()
    assert not os.path.exists(path)
    assert AuditEntry.objects.get(action="space.photo_remove").details["caption"] == "Meja bundar"


def test_the_setup_overview_takes_four_queries_however_many_rooms(
    room, projector, branches, django_assert_num_queries
):
    from spaces import selectors

    for n in range(3):
        Space.objects.create(branch=branches[0], kind="auditorium", name=f"Aula {n}")
        BookingRule.objects.create(name=f"Aturan {n}", space_kind="auditorium")
    with django_assert_num_queries(4):
        overview = selectors.setup_overview(branches[0])
        names = [(s.name, len(s.photos.all())) for s in overview.spaces]
        rules = [(r.name, r.space, r.member_category) for r in overview.rules]
    assert len(names) == 4 and len(rules) == 3 and len(overview.equipment) == 1
