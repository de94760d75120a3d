from __future__ import annotations

import pytest
from django.urls import reverse

from core.errors import DomainError, PermissionDeniedError
from participation import ideas
from participation.models import Idea, Vote
from participation.states import IdeaStatus

I = IdeaStatus  # noqa: E741


@pytest.fixture
def coordinator(make_user, library):
    return make_user("program", roles={"programme_coordinator"})


@pytest.fixture
def idea(make_member):
    return ideas.propose(make_member("Rina"), kind="programme", title="Storytelling", body="Weekly")


def test_one_vote_per_member_changeable(idea, make_member):
    budi = make_member("Budi")
    assert ideas.toggle_vote(idea, budi) is True
    idea.refresh_from_db()
    assert idea.votes_count == 1
    assert ideas.toggle_vote(idea, budi) is False  # voting again takes it back
    idea.refresh_from_db()
    assert idea.votes_count == 0 and not Vote.objects.exists()


def test_board_sorted_by_votes_or_recency(idea, make_member):
    other = ideas.propose(make_member(), kind="service", title="Late opening", body="Till 20")
    ideas.toggle_vote(idea, make_member())
    assert list(ideas.board(sort="votes")) == [idea, other]
    assert list(ideas.board(sort="new")) == [other, idea]


def test_status_needs_permission_and_a_reason_for_not_now(idea, coordinator, librarian):
    with pytest.raises(PermissionDeniedError):
        ideas.set_status(idea, I.PLANNED, staff=librarian)
    with pytest.raises(ideas.ReasonRequiredError):
        ideas.set_status(idea, I.NOT_NOW, staff=coordinator)
    ideas.set_status(idea, I.PLANNED, staff=coordinator)
    ideas.set_status(idea, I.DONE, staff=coordinator)
    with pytest.raises(ideas.InvalidIdeaStatusError):
        ideas.set_status(idea, I.OPEN, staff=coordinator)
    with pytest.raises(DomainError):
        ideas.set_status(idea, "bogus", staff=coordinator)
    with pytest.raises(ideas.IdeaClosedError):
        ideas.toggle_vote(idea, idea.member)


def test_pages_escape_and_hide(client, idea, make_member, coordinator):
    client.cookies["django_language"] = "en"
    member = make_member()
    client.force_login(member.user)
    client.post(reverse("participation:idea-vote", args=[idea.pk]))
    client.post(reverse("participation:idea-comment", args=[idea.pk]), {"body": "<i>yes</i>"})
    page = client.get(reverse("participation:idea", args=[idea.pk])).content.decode()
    assert "&lt;i&gt;yes&lt;/i&gt;" in page and "Take my vote back" in page
    response = client.post(
        reverse("participation:idea-new"),
        {"kind": "collection", "title": "Manga", "body": "More manga"},
    )
    assert response.status_code == 302
    assert Idea.objects.count() == 2
    client.force_login(coordinator)
    comment = idea.comments.get()
    client.post(reverse("participation:idea-comment-hide", args=[comment.pk]), {"reason": "Spam"})
    client.post(reverse("participation:idea-status", args=[idea.pk]), {"status": "planned"})
    idea.refresh_from_db()
    assert idea.status == I.PLANNED
    client.logout()
    client.cookies["django_language"] = "en"
    public = client.get(reverse("participation:idea", args=[idea.pk])).content.decode()
    assert "yes" not in public
    board = client.get(reverse("participation:ideas")).content.decode()
    assert "Storytelling" in board and "1 vote" in board


def test_the_proposer_is_told_each_new_status_in_their_language(
    make_member, coordinator, branches, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.core import mail
    from django.utils import timezone

    from events.models import Event

    rina = make_member("Rina", preferred_language="en")
    budi = make_member("Budi", preferred_language="id")
    english = ideas.propose(rina, kind="programme", title="Storytelling", body="Weekly")
    indonesian = ideas.propose(budi, kind="service", title="Buka malam", body="Saat ujian")
    start = timezone.now() + dt.timedelta(days=7)
    event = Event.objects.create(
        title="Dongeng Sabtu",
        kind="book_discussion",
        branch=branches[0],
        place="Ruang Anak",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        status="published",
        capacity=20,
    )
    with django_capture_on_commit_callbacks(execute=True):
        ideas.set_status(english, I.PLANNED, staff=coordinator, event=event)
        ideas.set_status(indonesian, I.NOT_NOW, staff=coordinator, reason="Anggaran penuh.")
    to_rina = [m for m in mail.outbox if m.to == [rina.email]]
    to_budi = [m for m in mail.outbox if m.to == [budi.email]]
    assert [m.subject for m in to_rina] == ["Your idea: Planned"]
    assert "Dongeng Sabtu" in to_rina[0].body
    assert reverse("events:detail", args=[event.pk]) in to_rina[0].body
    assert reverse("participation:idea", args=[english.pk]) in to_rina[0].body
    assert len(to_budi) == 1 and to_budi[0].subject.endswith(": Belum sekarang")
    assert "Anggaran penuh." in to_budi[0].body
    # Saving the same status again tells nobody twice.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ideas.set_status(english, I.PLANNED, staff=coordinator)
    assert mail.outbox == []


def test_staff_link_the_title_bought_because_of_an_idea(
    client, make_member, make_record, coordinator, django_capture_on_commit_callbacks
):
    from django.core import mail

    proposer = make_member("Rina", preferred_language="en")
    idea = ideas.propose(proposer, kind="collection", title="More comics", body="Science comics")
    record = make_record(title="Komik Sains Kuark")
    client.cookies["django_language"] = "en"
    client.force_login(coordinator)
    url = reverse("participation:idea-status", args=[idea.pk])
    refused = client.post(url, {"status": "planned", "record": "999999"}, follow=True)
    assert "No catalogue record has the number 999999." in refused.content.decode()
    idea.refresh_from_db()
    assert (idea.status, idea.record) == (I.OPEN, None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"status": "planned", "record": str(record.pk)})
    idea.refresh_from_db()
    assert (idea.status, idea.record) == (I.PLANNED, record)
    client.logout()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("participation:idea", args=[idea.pk])).content.decode()
    assert "The library bought" in page and reverse("opac:record", args=[record.pk]) in page
    told = [m for m in mail.outbox if m.to == [proposer.email]]
    assert len(told) == 1 and "Komik Sains Kuark" in told[0].body
    assert reverse("opac:record", args=[record.pk]) in told[0].body


def test_coordinators_get_a_daily_digest_of_new_ideas_and_reported_comments(
    idea, make_member, coordinator, librarian
):
    import datetime as dt

    from django.core import mail
    from django.utils import timezone

    from core import scheduling
    from participation.tasks import send_ideas_digest

    assert any(job.name == "participation" for job in scheduling.JOBS)
    rude = ideas.comment(idea, make_member(), "Jual pulsa murah di sini")
    ideas.report_comment(rude, make_member(), "spam")
    assert send_ideas_digest() == 1
    message = mail.outbox[-1]
    assert message.to == [coordinator.email]  # the librarian is not asked about ideas
    assert "Storytelling" in message.body
    assert reverse("participation:idea", args=[idea.pk]) in message.body
    assert reverse("participation:staff-reported") in message.body
    ideas.keep_comment(rude, staff=coordinator)
    tomorrow = timezone.now() + dt.timedelta(days=1, minutes=1)
    assert send_ideas_digest(now=tomorrow) == 0
