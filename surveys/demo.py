"""The demo library's surveys: the yearly IKM survey with believable answers over two semesters
(waiting times and facilities lowest in the first, better in the second), a general satisfaction
survey with skip logic, and the feedback survey of the latest past event (its answers given in
the days after it), which the events dashboard and the programme evaluation show. Answers go
through the same service as the public form."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from core.demo import DemoOptions, register_step

# Per element, the weights of answers 1..4 in the first and the second semester.
IKM_WEIGHTS = {
    "U1": ([2, 8, 55, 35], [1, 6, 53, 40]),
    "U2": ([3, 12, 55, 30], [2, 8, 55, 35]),
    "U3": ([6, 24, 50, 20], [3, 14, 55, 28]),
    "U4": ([0, 1, 9, 90], [0, 1, 7, 92]),
    "U5": ([2, 10, 58, 30], [1, 8, 56, 35]),
    "U6": ([1, 7, 52, 40], [1, 5, 50, 44]),
    "U7": ([1, 4, 45, 50], [0, 3, 42, 55]),
    "U8": ([8, 20, 48, 24], [4, 14, 52, 30]),
    "U9": ([7, 25, 48, 20], [3, 15, 54, 28]),
}
SUGGESTIONS = [
    "Tambah jam buka pada hari Sabtu.",
    "Wi-Fi sering putus di ruang baca lantai dua.",
    "Koleksi novel terbaru perlu ditambah.",
    "Petugas ramah dan membantu, terima kasih.",
    "Kursi di ruang anak sudah banyak yang rusak.",
    "Mohon sediakan lebih banyak colokan listrik.",
    "Proses pendaftaran anggota cepat.",
    "Toilet perlu lebih sering dibersihkan.",
]


def build_surveys(options: DemoOptions, say: Callable[[str], None]) -> None:
    from accounts.models import User
    from core.selectors import get_library
    from surveys import selectors, services
    from surveys.models import Survey
    from surveys.states import QuestionKind

    if Survey.objects.exists():
        return
    rng = random.Random(options.seed + 9)
    staff = User.objects.filter(username="program").first()
    today = timezone.localdate(timezone=get_library().zone)
    year = today.year

    survey = services.create_ikm_survey(by=staff, title=f"Survei Kepuasan Masyarakat {year}")
    services.open_survey(survey, by=staff)
    survey = selectors.get_survey(survey.pk)
    by_code = {q.code: q for q in selectors.questions_of(survey)}
    first_half = (dt.date(year, 1, 6), min(today, dt.date(year, 6, 27)))
    second_half = (dt.date(year, 7, 1), min(today, dt.date(year, 12, 31)))
    counts = []
    for semester, (start, end) in enumerate((first_half, second_half)):
        if end < start:
            continue
        total = 0
        for _n in range(rng.randint(110, 150)):
            day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
            data = {}
            for code, weights in IKM_WEIGHTS.items():
                data[f"q{by_code[code].pk}"] = str(
                    rng.choices([1, 2, 3, 4], weights=weights[semester])[0]
                )
            data[f"q{by_code['umur'].pk}"] = str(rng.randint(15, 68))
            data[f"q{by_code['jenis_kelamin'].pk}"] = str(rng.choice([1, 2, 2]))
            data[f"q{by_code['pendidikan'].pk}"] = str(
                rng.choices(range(1, 7), [4, 10, 36, 12, 30, 8])[0]
            )
            data[f"q{by_code['pekerjaan'].pk}"] = str(
                rng.choices(range(1, 8), [14, 2, 2, 18, 12, 40, 12])[0]
            )
            if rng.random() < 0.2:
                data[f"q{by_code['saran'].pk}"] = rng.choice(SUGGESTIONS)
            services.submit_response(survey, data, on=day)
            total += 1
        counts.append(total)

    general = services.create_survey(
        title="Survei kepuasan layanan perpustakaan",
        title_en="Library services satisfaction survey",
        by=staff,
    )
    section = general.sections.get()
    visited = services.add_question(
        section,
        by=staff,
        kind=QuestionKind.SINGLE,
        text="Apakah Anda meminjam buku dalam tiga bulan terakhir?",
        text_en="Did you borrow books in the last three months?",
        choices=[{"id": "Ya", "en": "Yes"}, {"id": "Tidak", "en": "No"}],
    )
    collection = services.add_question(
        section,
        by=staff,
        kind=QuestionKind.LIKERT5,
        text="Koleksi buku sesuai dengan kebutuhan saya.",
        text_en="The collection meets my needs.",
        show_if=visited,
        show_if_value="1",
    )
    services_used = services.add_question(
        section,
        by=staff,
        kind=QuestionKind.MULTIPLE,
        text="Layanan yang Anda gunakan",
        text_en="Services you use",
        required=False,
        choices=services.parse_choices(
            "Peminjaman buku | Borrowing\nRuang baca | Reading room\nWi-Fi | Wi-Fi\n"
            "Ruang diskusi | Discussion rooms\nAcara | Events"
        ),
    )
    nps = services.add_question(
        section,
        by=staff,
        kind=QuestionKind.NPS,
        text="Seberapa besar kemungkinan Anda merekomendasikan perpustakaan ini?",
        text_en="How likely are you to recommend the library?",
    )
    services.open_survey(general, by=staff)
    general = selectors.get_survey(general.pk)
    for _n in range(60):
        borrowed = rng.random() < 0.7
        data = {
            f"q{visited.pk}": "1" if borrowed else "2",
            f"q{nps.pk}": str(rng.choices(range(11), [1, 1, 1, 2, 2, 4, 6, 12, 20, 25, 26])[0]),
            f"q{services_used.pk}": [str(i) for i in range(1, 6) if rng.random() < 0.45],
        }
        if borrowed:
            data[f"q{collection.pk}"] = str(rng.choices(range(1, 6), [3, 8, 20, 45, 24])[0])
        services.submit_response(general, data, on=today - dt.timedelta(days=rng.randint(0, 40)))

    from events.models import Event, EventStatus

    # The feedback survey of the latest event that is over: its rating shows on the events
    # dashboard and in the programme evaluation.
    past_event = (
        Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__lt=timezone.now())
        .order_by("-ends_at")
        .first()
    )
    feedback = services.create_survey(
        title="Umpan balik acara" + (f": {past_event.title}" if past_event else ""),
        title_en="Event feedback" + (f": {past_event.title}" if past_event else ""),
        by=staff,
        event=past_event,
    )
    section = feedback.sections.get()
    rating = services.add_question(
        section,
        by=staff,
        kind=QuestionKind.RATING,
        text="Nilai acara ini",
        text_en="Rate the event",
    )
    comment = services.add_question(
        section,
        by=staff,
        kind=QuestionKind.LONG_TEXT,
        text="Apa yang perlu diperbaiki?",
        text_en="What could be better?",
        required=False,
    )
    services.open_survey(feedback, by=staff)
    feedback = selectors.get_survey(feedback.pk)
    remarks = ["Narasumber menarik.", "Ruangan terlalu panas.", "Waktunya terlalu singkat."]
    for _n in range(25):
        data = {f"q{rating.pk}": str(rng.choices(range(1, 6), [1, 2, 6, 16, 12])[0])}
        if rng.random() < 0.4:
            data[f"q{comment.pk}"] = rng.choice(remarks)
        ended = timezone.localdate(past_event.ends_at) if past_event else today - dt.timedelta(20)
        day = min(today, ended + dt.timedelta(days=rng.randint(0, 5)))
        services.submit_response(feedback, data, on=day)
    say(
        f"Surveys: IKM {year} with {' + '.join(map(str, counts))} respondents, "
        "a satisfaction survey (60), event feedback (25)"
    )


register_step(80, "surveys", build_surveys)
