"""The demo library's ask-a-librarian and feedback: saved replies, answered (and rated) and open
questions, a FAQ made from two answers, feedback in every state (one past its deadline and
escalated, one published on "you said, we did"). Askers leave no e-mail, so no mail is sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from core.demo import DemoOptions, register_step

SAVED = [
    ("Jam buka", "Perpustakaan buka Senin–Jumat 08.00–16.00 dan Sabtu 09.00–13.00."),
    ("Cara menjadi anggota", "Daftar di halaman Bergabung, lalu tunjukkan KTP di meja layanan."),
    ("Perpanjangan", "Buku dapat diperpanjang dua kali lewat Akun saya, kecuali sudah dipesan."),
]
QUESTIONS = [
    # (name, question, reply, final state, rating, days ago, faq)
    (
        "Rina",
        "Apakah ada buku tentang tenun ulap doyo?",
        "Ada, di rak 746 lantai 2.",
        "answered",
        5,
        9,
        ("Di mana buku tentang tenun daerah?", "Di rak 746, lantai 2."),
    ),
    (
        "Pak Darto",
        "Bisakah saya memperpanjang buku lewat telepon?",
        "Bisa lewat Akun saya di situs, atau datang ke meja layanan.",
        "closed",
        4,
        20,
        (
            "Bagaimana cara memperpanjang pinjaman?",
            "Lewat Akun saya di situs atau di meja layanan.",
        ),
    ),
    (
        "Sari",
        "Untuk skripsi tentang sungai Mahakam, sumber apa yang disarankan?",
        "Untuk tahun berapa penelitian Anda?",
        "waiting",
        None,
        2,
        None,
    ),
    ("Budi", "Apakah ruang diskusi bisa dipakai hari Minggu?", "", "open", None, 1, None),
    ("Tamu", "Apakah perpustakaan punya koleksi koran lama Samarinda?", "", "new", None, 0, None),
]
FEEDBACK = [
    # (category, text, rating, days ago, final state, response, action, published summary)
    (
        "facility",
        "Ruang baca lantai 2 terlalu panas di siang hari.",
        2,
        30,
        "resolved",
        "Terima kasih, kami periksa pendingin ruangan.",
        "Pendingin ruangan diperbaiki dan ditambah satu kipas.",
        "Ruang baca lantai 2 terlalu panas.",
    ),
    (
        "collection",
        "Tolong tambah buku persiapan UTBK terbaru.",
        4,
        12,
        "in_progress",
        "Usulan diteruskan ke bagian pengadaan.",
        "",
        "",
    ),
    ("service", "Antrean di meja layanan lama pada Sabtu pagi.", 3, 20, "received", "", "", ""),
    ("staff", "Petugas di pojok anak sangat ramah dan membantu.", 5, 5, "closed", "", "", ""),
    ("programme", "Adakan lagi lomba mendongeng untuk anak.", None, 1, "received", "", "", ""),
]


def _topic(text: str) -> str:
    """A believable topic for a demo question, from its words."""
    lowered = text.lower()
    for words, topic in (
        (("skripsi", "penelitian", "sumber"), "research"),
        (("memperpanjang", "pinjam", "anggota", "kartu"), "loans"),
        (("buku", "koleksi"), "collection"),
        (("ruang", "wifi", "parkir", "jam buka"), "services"),
        (("acara", "lomba", "kegiatan"), "programmes"),
    ):
        if any(word in lowered for word in words):
            return topic
    return "other"


def build_conversations(options: DemoOptions, say: Callable[[str], None]) -> None:
    from accounts.models import User
    from conversations import feedback, services
    from conversations.models import Feedback, Question, SavedReply

    if Question.objects.exists() or Feedback.objects.exists():
        say("Questions and feedback: already there")
        return
    staff = User.objects.filter(username="pustakawan").first()
    if staff is None:
        say("Questions and feedback: no librarian account")
        return
    SavedReply.objects.bulk_create(SavedReply(title=t, body=b) for t, b in SAVED)
    now = timezone.now()
    for name, text, reply, state, rating, days, faq in QUESTIONS:
        asked = now - dt.timedelta(days=days, hours=3)
        question = services.ask(
            text, name=name, page_url="/catalogue/", language="id", topic=_topic(text)
        )
        Question.objects.filter(pk=question.pk).update(created_at=asked)
        if state in ("open", "waiting", "answered", "closed"):
            services.claim(question, staff=staff, at=asked + dt.timedelta(hours=1))
        if reply:
            services.reply(
                question,
                reply,
                staff=staff,
                wait_for_patron=state == "waiting",
                at=asked + dt.timedelta(hours=2),
            )
        if rating:
            services.rate(question, rating)
        if state == "closed":
            services.close(question, staff=staff)
        if faq:
            services.publish_faq(question, faq[0], faq[1], staff=staff)
    today = timezone.localdate()
    for category, text, rating, days, state, response, action, summary in FEEDBACK:
        sent = now - dt.timedelta(days=days)
        item = feedback.submit(
            category,
            text,
            rating=rating,
            is_anonymous=category == "staff",
            on=today - dt.timedelta(days=days),
        )
        Feedback.objects.filter(pk=item.pk).update(created_at=sent)
        if response:
            feedback.respond(item, response, staff=staff, at=sent + dt.timedelta(days=1))
        if state == "resolved":
            feedback.resolve(item, action, staff=staff, at=sent + dt.timedelta(days=4))
            feedback.publish(item, summary, staff=staff)
        if state == "closed":
            feedback.close(item, "Pujian, diteruskan ke petugas.", staff=staff)
    # As the daily job would have done, without its e-mail to the head of library.
    escalated = feedback.overdue(today).update(escalated_at=now)
    say(
        f"Questions and feedback: {len(QUESTIONS)} questions, {len(FEEDBACK)} feedback "
        f"({escalated} past a deadline, escalated)"
    )


register_step(70, "conversations", build_conversations)
