"""The demo library's rooms: discussion rooms, a creative space, an auditorium, computer corners
and a reading gazebo in the three branches, projectors, a laptop and a sound system, rules
(the auditorium needs approval), and a fortnight of bookings made through the services: used
and unused ones last week, a weekly reading group, a maintenance block and a pending approval.
No e-mail is sent."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from core.demo import DemoOptions, register_step

SPACES = {
    "pusat": [
        (
            "discussion_room",
            "Ruang Diskusi Mahakam",
            8,
            ["projector", "wifi", "whiteboard", "accessible"],
            "Lantai 2",
        ),
        ("discussion_room", "Ruang Diskusi Kutai", 6, ["wifi", "whiteboard"], "Lantai 2"),
        (
            "creative_space",
            "Ruang Kreatif",
            15,
            ["wifi", "power", "accessible"],
            "Lantai 1, sayap timur",
        ),
        (
            "auditorium",
            "Auditorium Pesut",
            120,
            ["projector", "sound", "air_conditioning", "accessible"],
            "Lantai 1",
        ),
        ("computer_corner", "Pojok Komputer", 4, ["computers", "wifi"], "Lantai 1, dekat layanan"),
    ],
    "seberang": [
        ("discussion_room", "Ruang Diskusi Seberang", 10, ["wifi", "whiteboard", "accessible"], ""),
        ("computer_corner", "Pojok Komputer Seberang", 3, ["computers", "wifi"], ""),
    ],
    "taman": [("reading_area", "Gazebo Baca", 12, ["wifi", "accessible"], "Taman Samarendah")],
}
EQUIPMENT = {
    "pusat": [
        ("projector", "Proyektor Epson 1", True),
        ("laptop", "Laptop Presentasi", True),
        ("sound_system", "Pengeras Suara Portabel", False),
    ],
    "seberang": [("projector", "Proyektor Seberang", True)],
    "taman": [("sound_system", "Pengeras Suara Taman", True)],
}
PURPOSES = ["study", "study", "meeting", "training", "discussion", "creative", "reading_group"]
TITLES = [
    "Kelompok belajar UTBK",
    "Rapat Karang Taruna",
    "Latihan presentasi skripsi",
    "Diskusi komunitas menulis",
    "Kelas bahasa Inggris",
    "",
]


def build_spaces(options: DemoOptions, say: Callable[[str], None]) -> None:
    from accounts.models import User
    from core.models import Branch
    from core.selectors import get_library
    from patrons.models import Member, MemberCategory, MemberStatus
    from spaces import services
    from spaces.errors import SpacesError
    from spaces.models import Booking, BookingRule, Equipment, Space

    if Space.objects.exists():
        return
    branches = {b.code: b for b in Branch.objects.all()}
    spaces: list[Space] = []
    for code, rows in SPACES.items():
        if code not in branches:
            continue
        for position, (kind, name, capacity, features, location) in enumerate(rows):
            spaces.append(
                Space.objects.create(
                    branch=branches[code],
                    kind=kind,
                    name=name,
                    capacity=capacity,
                    features=features,
                    location=location,
                    position=position,
                    description="",
                )
            )
    for code, rows in EQUIPMENT.items():
        if code in branches:
            for kind, name, alone in rows:
                Equipment.objects.create(
                    branch=branches[code], kind=kind, name=name, bookable_alone=alone
                )
    BookingRule.objects.create(
        name="Auditorium: disetujui petugas",
        space_kind="auditorium",
        needs_approval=True,
        slot_minutes=60,
        min_minutes=60,
        max_minutes=480,
        days_ahead=60,
        buffer_minutes=30,
        cancel_hours_before=48,
    )
    BookingRule.objects.create(
        name="Pojok komputer: per jam",
        space_kind="computer_corner",
        slot_minutes=60,
        min_minutes=60,
    )
    BookingRule.objects.create(
        name="Ruang kreatif: jeda bersih", space_kind="creative_space", buffer_minutes=30
    )
    BookingRule.objects.create(
        name="Lembaga: lebih banyak pemesanan",
        member_category=MemberCategory.objects.filter(code="institution").first(),
        max_active=6,
        max_hours_per_week=16,
    )

    staff = User.objects.filter(username="pustakawan").first()
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, expires_on__gt=timezone.localdate())
        .exclude(category_id="institution")
        .select_related("category")[:150]
    )
    if staff is None or len(members) < 5:
        say(f"Spaces: {len(spaces)} rooms (no bookings: no members)")
        return
    rng = random.Random(options.seed + 7)
    zone = get_library().zone
    now = timezone.localtime(timezone.now(), zone)
    today = now.date()

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)

    made = {"bookings": 0, "no_show": 0}
    with services.silenced():
        # A weekly reading group on Thursdays in the Mahakam room, approved by the desk.
        mahakam = Space.objects.get(name="Ruang Diskusi Mahakam")
        thursday = today + dt.timedelta(days=(3 - today.weekday()) % 7)
        leader = Member.objects.filter(user__username="anggota").first() or members[0]
        series = services.book_series(
            mahakam,
            leader,
            start=at(thursday, 14),
            end=at(thursday, 15, 30),
            weeks=8,
            purpose="reading_group",
            people=8,
            group_name="Klub Baca Mahakam",
            by=staff,
            at=now,
        )
        # Maintenance of the creative space next Monday morning.
        monday = today + dt.timedelta(days=7 - today.weekday())
        creative = Space.objects.get(name="Ruang Kreatif")
        services.block_space(
            creative, at(monday, 8), at(monday, 12), "Perawatan mesin jahit dan printer 3D", staff
        )
        # A fortnight of bookings: last week (used or not) and the coming week.
        from core.calendar import calendar_for

        bookable = [s for s in spaces if s.kind != "auditorium"]
        for space in bookable:
            calendar = calendar_for(space.branch)
            for offset in range(-7, 8):
                day = today + dt.timedelta(days=offset)
                periods = calendar.day(day).periods if calendar.is_open(day) else ()
                for period in periods:
                    hour = period.opens_at.hour + (1 if period.opens_at.minute else 0)
                    last = period.closes_at.hour - 1
                    while hour < last:
                        if rng.random() < 0.45:
                            length = rng.choice([60, 60, 90, 120])
                            start = at(day, hour)
                            end = start + dt.timedelta(minutes=length)
                            made_at = min(now, start - dt.timedelta(days=rng.randint(1, 3)))
                            member = rng.choice(members)
                            try:
                                booking = services.book(
                                    space,
                                    member,
                                    start=start,
                                    end=end,
                                    purpose=rng.choice(PURPOSES),
                                    people=rng.randint(1, space.capacity),
                                    title=rng.choice(TITLES),
                                    at=made_at,
                                    source="web",
                                )
                            except SpacesError:
                                hour += 1
                                continue
                            made["bookings"] += 1
                            if start < now - dt.timedelta(minutes=30):
                                if rng.random() < 0.85:
                                    services.check_in(
                                        booking, by=staff, at=start + dt.timedelta(minutes=5)
                                    )
                                else:
                                    made["no_show"] += services.release_no_shows(
                                        at=start + dt.timedelta(minutes=30), resource=space
                                    )
                            hour += length // 60 + 1
                        else:
                            hour += 1
        # A school asks for the auditorium next week: waiting for approval.
        school = Member.objects.filter(
            category_id="institution", status=MemberStatus.ACTIVE
        ).first()
        auditorium = Space.objects.filter(kind="auditorium").first()
        if school is not None and auditorium is not None:
            wednesday = today + dt.timedelta(days=(2 - today.weekday()) % 7 + 7)
            try:
                services.book(
                    auditorium,
                    school,
                    start=at(wednesday, 9),
                    end=at(wednesday, 12),
                    purpose="training",
                    people=80,
                    title="Pelatihan literasi digital guru",
                    at=now,
                )
            except SpacesError:
                pass
    say(
        f"Spaces: {len(spaces)} rooms, {Equipment.objects.count()} pieces of equipment, "
        f"{made['bookings']} bookings ({made['no_show']} not used), a reading group of "
        f"{len(series.booked)} weeks, {Booking.objects.filter(state='pending').count()} waiting "
        "for approval"
    )


register_step(55, "spaces", build_spaces)
