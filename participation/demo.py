"""The demo library's participation: book suggestions in every state (one title suggested
twice; one already in the collection, its suggester in the hold queue), and an idea board
with votes and a comment on each idea. No e-mail is sent (rows are stored directly where a
service would mail the member)."""

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
    _add_available_suggestion(members[len(SUGGESTIONS)], now)
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


def _add_available_suggestion(member, now) -> None:
    """A suggestion that was catalogued: linked to its record, the suggester placed in the hold
    queue as `services.copy_catalogued` would (without the e-mail)."""
    from django.db import transaction

    from catalog.models import Item, Record
    from circulation.services import place_hold
    from core.errors import DomainError
    from participation.models import Suggestion
    from participation.states import SuggestionState

    record = (
        Record.objects.exclude(isbn="")
        .filter(pk__in=Item.objects.values("record_id"))
        .order_by("pk")
        .first()
    )
    if record is None:
        return
    hold = None
    if member.home_branch_id:
        try:
            with transaction.atomic():
                hold = place_hold(record, member, pickup_branch=member.home_branch)
        except DomainError:
            hold = None
    Suggestion.objects.create(
        member=member,
        isbn=record.isbn,
        title=record.title[:500],
        state=SuggestionState.AVAILABLE,
        record=record,
        hold=hold,
        decided_at=now,
    )


register_step(75, "participation", build_participation)
