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


def _room(branch, kind: str):
    """The branch's room of that kind when the demo has rooms (spaces), else None."""
    from spaces.models import Space

    return Space.objects.filter(branch=branch, kind=kind, is_active=True).first()


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
        space=_room(main, "auditorium"),  # booked for the afternoon in the rooms' grid
        place="" if _room(main, "auditorium") else "Aula lantai 2",
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

    competition_entries = _competition(make, someone, main, speakers, coordinator, librarian, now)
    quiz_attempts = _quiz(make, someone, main, coordinator, now)
    # Certificates for everyone who came to the past Baca Bersama sessions (and the speaker).
    certified = 0
    for session in sessions:
        if session.ends_at < now:
            certified += services.issue_certificates(session, by=coordinator, at=now).count

    say(
        f"Events: {Event.objects.count()} (Baca Bersama series of {len(sessions)} sessions, "
        f"{attended} check-ins at past sessions, {certified} certificates), a full workshop "
        f"with a waiting list, a writing competition with {competition_entries} judged entries"
        f", an online quiz with {quiz_attempts} attempts"
    )


STORIES = [
    "Senja di Tepian Mahakam",
    "Perahu Kertas untuk Nenek",
    "Hujan di Pasar Segiri",
    "Layang-Layang Terakhir",
    "Suara dari Hulu",
    "Surat untuk Kota Tepian",
]


def _story_pdf(title: str, author: str) -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(72, 760, title)
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, 740, author)
    canvas.drawString(72, 710, "Cerita pendek untuk Lomba Menulis Cerpen Remaja (demo).")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _competition(make, someone, branch, speakers, coordinator, librarian, now) -> int:
    """A writing competition held last month: entries sent before the deadline, both judges
    scored them on the rubric, the winners are published."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from events import competitions

    held = timezone.localdate() - dt.timedelta(days=12)
    event = make(
        title="Lomba Menulis Cerpen Remaja",
        kind="competition",
        description="Tulis cerita pendek bertema Sungai Mahakam (paling banyak 2.000 kata). "
        "Kirim dalam PDF atau Word sebelum batas waktu; tiga pemenang diumumkan di sini.",
        branch=branch,
        place="Aula lantai 2",
        audience="teens",
        age_min=13,
        age_max=18,
        starts_at=_at(held, 9),
        ends_at=_at(held, 12),
        registration_closes_at=_at(held - dt.timedelta(days=10), 23),
        speaker_list=[speakers["aji"]],
        tags="menulis, lomba, remaja",
        created_at=now - dt.timedelta(days=45),
    )
    competition = competitions.set_up(
        event,
        by=coordinator,
        entries_close_at=_at(held - dt.timedelta(days=3), 23, 59),
        max_file_mb=5,
        winners=3,
        criteria=[("Orisinalitas", 30), ("Alur dan tokoh", 30), ("Bahasa", 20), ("Tema", 20)],
        judges=[coordinator, librarian],
    )
    rng = random.Random(61)
    criteria = list(competition.criteria.all())
    count = 0
    for title in STORIES:
        registration = someone(event, _at(held - dt.timedelta(days=30), 10))
        if registration is None:
            continue
        upload = SimpleUploadedFile(
            f"{title.lower().replace(' ', '-')}.pdf", _story_pdf(title, registration.name)
        )
        entry = competitions.submit_entry(
            registration, title=title, upload=upload, at=_at(held - dt.timedelta(days=5), 20)
        )
        for judge in (coordinator, librarian):
            points = {str(c.pk): rng.randint(c.max_points // 2, c.max_points) for c in criteria}
            competitions.score_entry(
                entry,
                judge=judge,
                points=points,
                feedback=rng.choice(
                    [
                        "Tokohnya hidup; akhir cerita bisa lebih kuat.",
                        "Bahasanya rapi dan temanya kena.",
                        "Pembukaan memikat; perhatikan ejaan.",
                    ]
                ),
            )
        count += 1
    competitions.publish_results(competition, by=coordinator)
    return count


QUIZ = [
    # (question, kind, points, choices with the right ones starting with *, accepted answers)
    ("Siapa penulis novel Laskar Pelangi?", "short", 2, [], ["Andrea Hirata"]),
    (
        "Sungai terpanjang di Kalimantan Timur adalah …",
        "single",
        1,
        ["Sungai Kapuas", "*Sungai Mahakam", "Sungai Barito", "Sungai Musi"],
        [],
    ),
    (
        "Manakah yang termasuk karya Pramoedya Ananta Toer?",
        "multiple",
        3,
        ["*Bumi Manusia", "*Anak Semua Bangsa", "Ronggeng Dukuh Paruk", "Cantik Itu Luka"],
        [],
    ),
    (
        "Hari Buku Nasional diperingati setiap tanggal …",
        "single",
        1,
        ["2 Mei", "*17 Mei", "14 September", "28 Oktober"],
        [],
    ),
    ("Apa kepanjangan dari ISBN?", "short", 2, [], ["International Standard Book Number"]),
]


def _quiz(make, someone, branch, coordinator, now) -> int:
    """An online quiz running this week (timed, one attempt): a few people have taken it, so
    the leaderboard has names; anyone registered can still take it."""
    from events import quizzes

    event = make(
        title="Kuis Literasi Hari Buku",
        kind="quiz",
        description="Sepuluh menit, lima pertanyaan tentang buku dan pengarang Indonesia. "
        "Daftar dulu, lalu kerjakan kuisnya dari ponsel; papan skor diperbarui langsung.",
        branch=branch,
        place="Daring",
        audience="everyone",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=6),
        registration_closes_at=now + dt.timedelta(days=5),
        tags="kuis, literasi, daring",
        created_at=now - dt.timedelta(days=10),
    )
    quiz = quizzes.set_up(event, by=coordinator, time_limit_minutes=10, attempts_allowed=1)
    for text, kind, points, choices, accepted in QUIZ:
        quizzes.save_question(
            quiz,
            by=coordinator,
            text=text,
            kind=kind,
            points=points,
            choices=[(c.lstrip("*"), c.startswith("*")) for c in choices],
            accepted=accepted,
        )
    rng = random.Random(71)
    questions = quizzes.question_set(quiz)
    count = 0
    for n in range(7):
        start = now - dt.timedelta(hours=20 - n * 2)
        registration = someone(event, start - dt.timedelta(hours=1))
        if registration is None:
            continue
        attempt = quizzes.start_attempt(quiz, registration, at=start).attempt
        answers: dict[str, object] = {}
        for question in questions:
            knows = rng.random() < 0.7
            if question.kind == "short":
                answers[str(question.pk)] = question.accepted[0] if knows else "tidak tahu"
                continue
            choices = list(question.choices.all())
            right = [c.pk for c in choices if c.is_right]
            answers[str(question.pk)] = right if knows else [rng.choice(choices).pk]
        quizzes.submit_attempt(
            attempt,
            registration=registration,
            answers=answers,
            at=start + dt.timedelta(seconds=rng.randint(90, 540)),
        )
        count += 1
    return count


register_step(60, "events", build_events)
