"""The demo library's programme: a weekly Baca Bersama series (past sessions with attendance,
coming ones with registrations), a short-story writing workshop that is full with a waiting
list, a film screening, a student art exhibition, a webinar and a literacy festival around
them. Everything goes through the services (with past moments where needed)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from core.demo import DemoOptions, register_step

GUESTS = [
    ("Ahmad Fauzi", "0812 5501 2233"),
    ("Nur Aini", "0813 4620 1188"),
    ("Yohanes Tandi", "0852 5010 7744"),
    ("Ketut Ari Wibawa", "0811 5402 9090"),
    ("Maria Lestari", "0821 5377 6612"),
    ("Dimas Saputra", "0857 5133 4401"),
    ("Fitri Handayani", "0812 5890 1020"),
    ("Rahmat Hidayat", "0813 5012 3456"),
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _saturday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7)


def build_events(options: DemoOptions, say: Callable[[str], None]) -> None:
    from events.services import without_mail

    with without_mail():
        _build(options, say)


def _build(options: DemoOptions, say: Callable[[str], None]) -> None:
    from accounts.models import User
    from core.models import Branch
    from events import series, services
    from events.errors import EventError
    from events.models import Event, Partner, Question, Speaker
    from patrons.models import Member, MemberStatus

    if Event.objects.exists():
        return
    coordinator = User.objects.filter(username="program").first()
    librarian = User.objects.filter(username="pustakawan").first()
    branches = {b.code: b for b in Branch.objects.all()}
    main = branches.get("pusat") or next(iter(branches.values()), None)
    if coordinator is None or librarian is None or main is None:
        return
    rng = random.Random(options.seed + 11)
    today = timezone.localdate()
    now = timezone.now()
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE).exclude(email="").order_by("pk")[:300]
    )
    rng.shuffle(members)
    pool = iter(members)

    def someone(event, at, **extra):
        """A member (most of the time) or a guest registers at `at`."""
        try:
            member = next(pool, None) if rng.random() < 0.75 else None
            if member is not None:
                return services.register(event, member=member, at=at, **extra).registration
            name, phone = rng.choice(GUESTS)
            phone = phone[:-2] + f"{rng.randint(0, 99):02d}"
            return services.register(event, name=name, phone=phone, at=at, **extra).registration
        except EventError:
            return None

    speakers = {
        "aji": Speaker.objects.create(
            name="Aji Prasetyo",
            organisation="Komunitas Penulis Mahakam",
            bio="Penulis cerpen dan esai asal Samarinda; karyanya dimuat di berbagai media "
            "nasional. Mengajar kelas menulis untuk remaja sejak 2015.",
        ),
        "lina": Speaker.objects.create(
            name="Lina Marlina, S.Pd.",
            organisation="Pustakawan Perpustakaan Samarinda",
            bio="Pustakawan layanan anak; memandu Baca Bersama setiap Sabtu pagi.",
        ),
        "reza": Speaker.objects.create(
            name="Reza Pahlevi",
            organisation="Sinema Borneo",
            bio="Pembuat film dokumenter tentang Sungai Mahakam.",
        ),
        "sari": Speaker.objects.create(
            name="Dr. Sari Wulandari",
            organisation="Universitas Mulawarman",
            bio="Dosen ilmu perpustakaan; meneliti literasi digital di Kalimantan Timur.",
        ),
    }
    partners = {
        "penulis": Partner.objects.create(name="Komunitas Penulis Mahakam"),
        "sinema": Partner.objects.create(name="Sinema Borneo"),
        "smkn": Partner.objects.create(name="SMK Negeri 5 Samarinda (Seni Rupa)"),
        "unmul": Partner.objects.create(
            name="Universitas Mulawarman", website="https://www.unmul.ac.id"
        ),
    }

    def make(**values) -> Event:
        speaker_list = values.pop("speaker_list", [])
        partner_list = values.pop("partner_list", [])
        questions = values.pop("questions", [])
        event = services.save_event(
            Event(**values),
            by=coordinator,
            speakers=speaker_list,
            partners=partner_list,
            questions=questions,
        )
        return services.publish_event(event, by=coordinator)

    # A literacy festival: an umbrella over the month's events.
    festival_start = today + dt.timedelta(days=10)
    festival = make(
        title="Festival Literasi Samarinda 2026",
        kind="festival",
        description="Sepekan kegiatan literasi: pameran, lokakarya, bazar buku dan pemutaran "
        "film bersama komunitas di Samarinda.",
        branch=main,
        place="Halaman dan aula Perpustakaan Pusat",
        starts_at=_at(festival_start, 8),
        ends_at=_at(festival_start + dt.timedelta(days=6), 16),
        registration_required=False,
        partner_list=list(partners.values()),
        tags="festival, literasi",
    )

    # Baca Bersama: every Saturday 09.00, from four weeks ago to eight weeks ahead.
    first_day = _saturday_on_or_after(today - dt.timedelta(days=28))
    baca = make(
        title="Baca Bersama",
        kind="book_discussion",
        description="Membaca dan berdiskusi satu buku cerita bergambar bersama anak-anak dan "
        "orang tua. Buku disediakan perpustakaan.",
        branch=main,
        place="Ruang Baca Anak",
        starts_at=_at(first_day, 9),
        ends_at=_at(first_day, 10, 30),
        audience="families",
        age_min=5,
        age_max=12,
        capacity=25,
        max_group_size=4,
        accessibility="Ruang di lantai dasar; dapat diakses kursi roda.",
        speaker_list=[speakers["lina"]],
        tags="anak, membaca, keluarga",
    )
    made = series.create_series(
        baca, frequency="weekly", until=first_day + dt.timedelta(weeks=12), by=coordinator
    )
    sessions = list(made.sessions.order_by("starts_at"))
    attended = 0
    for session in sessions:
        past = session.ends_at < now
        register_at = min(session.starts_at - dt.timedelta(days=3), now)
        if register_at >= session.starts_at:
            continue
        count = rng.randint(12, 22) if past else rng.randint(3, 12)
        registered = [
            someone(session, register_at, seats=rng.choice([1, 1, 2, 3])) for _ in range(count)
        ]
        if past:
            for registration in registered:
                if (
                    registration is not None
                    and registration.state == "confirmed"
                    and rng.random() < 0.8
                ):
                    services.check_in(registration, by=librarian, at=session.starts_at)
                    attended += 1
            services.record_walk_in(
                session, by=librarian, name="", seats=rng.randint(1, 4), at=session.starts_at
            )

    # A writing workshop: full, with a waiting list, and a question for registrants.
    workshop_day = today + dt.timedelta(days=12)
    workshop = make(
        title="Lokakarya Menulis Cerpen untuk Remaja",
        kind="workshop",
        description="Dua sesi praktik menulis cerita pendek: menemukan ide, membangun tokoh, "
        "dan menyunting. Bawa alat tulis; karya terbaik dimuat di majalah dinding perpustakaan.",
        branch=main,
        place="Aula lantai 2",
        starts_at=_at(workshop_day, 13),
        ends_at=_at(workshop_day, 16),
        audience="teens",
        age_min=13,
        age_max=18,
        capacity=15,
        speaker_list=[speakers["aji"]],
        partner_list=[partners["penulis"]],
        parent=festival,
        tags="menulis, remaja",
    )
    question = Question.objects.create(event=workshop, label="Sekolah asal", required=True)
    schools = ["SMA Negeri 1 Samarinda", "SMK Negeri 5 Samarinda", "MAN 2 Samarinda"]
    for _ in range(19):
        someone(workshop, now, answers={str(question.pk): rng.choice(schools)})

    # A film screening.
    film_day = festival_start + dt.timedelta(days=2)
    film = make(
        title="Nonton Bareng: Mahakam, Sungai Kehidupan",
        kind="screening",
        description="Pemutaran film dokumenter dan diskusi bersama sutradaranya.",
        branch=main,
        place="Aula lantai 2",
        starts_at=_at(film_day, 19),
        ends_at=_at(film_day, 21),
        audience="adults",
        age_min=13,
        capacity=80,
        max_group_size=5,
        speaker_list=[speakers["reza"]],
        partner_list=[partners["sinema"]],
        parent=festival,
        tags="film, dokumenter, Mahakam",
    )
    for _ in range(26):
        someone(film, now, seats=rng.choice([1, 2, 2, 3]))

    # A student art exhibition: a run of days, no registration.
    make(
        title="Pameran Karya Seni Pelajar: Wajah Kotaku",
        kind="exhibition",
        description="Lukisan, ilustrasi dan foto karya siswa SMK Negeri 5 Samarinda tentang kota "
        "mereka. Terbuka selama jam buka perpustakaan.",
        branch=main,
        place="Galeri lantai 1",
        starts_at=_at(festival_start, 8),
        ends_at=_at(festival_start + dt.timedelta(days=13), 16),
        registration_required=False,
        partner_list=[partners["smkn"]],
        parent=festival,
        accessibility="Galeri di lantai dasar; keterangan karya juga dalam huruf besar.",
        tags="seni, pelajar, pameran",
    )

    # A webinar: the link goes only to those who register.
    webinar_day = today + dt.timedelta(days=5)
    webinar = make(
        title="Webinar: Literasi Digital dan Cek Fakta",
        kind="webinar",
        description="Cara mengenali hoaks dan mencari sumber tepercaya di internet.",
        branch=main,
        online_url="https://meet.example.org/pustaka-literasi-digital",
        starts_at=_at(webinar_day, 19, 30),
        ends_at=_at(webinar_day, 21),
        audience="adults",
        capacity=300,
        speaker_list=[speakers["sari"]],
        partner_list=[partners["unmul"]],
        tags="literasi digital, daring",
    )
    for _ in range(40):
        someone(webinar, now)

    say(
        f"Events: {Event.objects.count()} (Baca Bersama series of {len(sessions)} sessions, "
        f"{attended} check-ins at past sessions), a full workshop with a waiting list"
    )


register_step(60, "events", build_events)
