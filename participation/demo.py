"""The demo library's participation: book suggestions in the open and declined states (one
title suggested twice), and an idea board with votes and a comment on each idea. No e-mail is
sent (rows are stored directly where a service would mail the member)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from core.demo import DemoOptions, register_step

SUGGESTIONS = [
    ("Laut Bercerita", "Leila S. Chudori", "submitted", ""),
    ("Cantik Itu Luka", "Eka Kurniawan", "accepted", ""),
    ("Gadis Kretek", "Ratih Kumala", "ordered", ""),
    ("Majalah impor bulanan", "", "declined", "Di luar anggaran langganan tahun ini."),
    ("Laut Bercerita", "Leila S. Chudori", "submitted", ""),
]
IDEAS = [
    (
        "programme",
        "Kelas menulis cerpen untuk remaja",
        "Sebulan sekali, Sabtu sore.",
        "planned",
        14,
    ),
    (
        "service",
        "Buka sampai pukul 20.00 saat ujian",
        "Untuk pelajar yang belajar malam.",
        "under_review",
        9,
    ),
    ("collection", "Lebih banyak komik edukasi", "Anak-anak suka komik sains.", "open", 6),
    ("programme", "Lomba mendongeng bahasa Banjar", "Bersama sekolah dasar.", "not_now", 3),
]


def build_participation(options: DemoOptions, say: Callable[[str], None]) -> None:
    from participation.models import Comment, CommentReport, Idea, Suggestion, Vote
    from patrons.models import Member, MemberStatus

    if Suggestion.objects.exists() or Idea.objects.exists():
        say("Participation: already there")
        return
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, expires_on__gt=timezone.localdate())[:40]
    )
    if len(members) < 15:
        say("Participation: not enough members")
        return
    now = timezone.now()
    for n, (title, author, state, reason) in enumerate(SUGGESTIONS):
        Suggestion.objects.create(
            member=members[n],
            title=title,
            author=author,
            state=state,
            reason=reason,
            decided_at=None if state == "submitted" else now,
        )
    votes = 0
    for n, (kind, title, body, status, count) in enumerate(IDEAS):
        idea = Idea.objects.create(
            member=members[n],
            kind=kind,
            title=title,
            body=body,
            status=status,
            status_reason="Anggaran program tahun ini sudah penuh." if status == "not_now" else "",
        )
        voters = members[: min(count, len(members))]
        Vote.objects.bulk_create(Vote(idea=idea, member=m) for m in voters)
        Idea.objects.filter(pk=idea.pk).update(votes_count=len(voters))
        votes += len(voters)
        Comment.objects.create(idea=idea, member=members[-1], body="Setuju, saya ikut!")
    # One comment members reported, waiting in the staff's "reported comments".
    rude = Comment.objects.create(
        idea=idea, member=members[-2], body="Promo pulsa murah, hubungi nomor di profil saya."
    )
    CommentReport.objects.create(comment=rude, member=members[0], reason="spam")
    CommentReport.objects.create(
        comment=rude, member=members[1], reason="spam", note="Iklan, bukan tentang ide ini."
    )
    say(f"Participation: {len(SUGGESTIONS)} suggestions, {len(IDEAS)} ideas, {votes} votes")


register_step(75, "participation", build_participation)
