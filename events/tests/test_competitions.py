"""Point 6: competitions. Entries from registered people before the deadline (document or
image, type and size checked, a refused file loses nothing), judges with a rubric, the ranking,
winners on the event page, and each entrant's own scores and feedback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from events import competitions, errors, selectors, services
from events.models import Entry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a story\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40


def pdf(name="cerpen.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def contest(make_event, coordinator, make_user):
    event = make_event(title="Lomba Menulis Cerpen", kind="competition", capacity=None)
    judges = [make_user("juri1", roles={"librarian"}), make_user("juri2", roles={"librarian"})]
    competition = competitions.set_up(
        event,
        by=coordinator,
        entries_close_at=timezone.now() + dt.timedelta(days=2),
        max_file_mb=1,
        winners=2,
        criteria=[("Orisinalitas", 30), ("Bahasa", 20)],
        judges=judges,
    )
    return competition, judges


def entrant(competition, name, make_member):
    return services.register(competition.event, member=make_member(name)).registration


def points(competition, *values):
    return {str(c.pk): v for c, v in zip(competition.criteria.all(), values, strict=True)}


def test_entries_are_checked_and_a_refused_file_loses_nothing(contest, make_member):
    competition, _judges = contest
    rina = entrant(competition, "Rina", make_member)
    entry = competitions.submit_entry(rina, title="Senja di Mahakam", upload=pdf())
    assert entry.file.read() == PDF
    with pytest.raises(errors.EntryFileTypeError):
        competitions.submit_entry(rina, title="x", upload=pdf("virus.exe"))
    with pytest.raises(errors.EntryFileTypeError):  # a .pdf that is not a PDF
        competitions.submit_entry(rina, title="x", upload=pdf(body=b"MZ\x90\x00 not a pdf"))
    with pytest.raises(errors.EntryFileTooLargeError):
        competitions.submit_entry(rina, title="x", upload=pdf(body=PDF + b"0" * 1024 * 1024))
    entry.refresh_from_db()
    assert entry.title == "Senja di Mahakam" and entry.file.read() == PDF
    image = competitions.submit_entry(
        rina, title="Ilustrasi", upload=SimpleUploadedFile("gambar.png", PNG)
    )
    assert image.pk == entry.pk and Entry.objects.count() == 1  # replaced, still one
    with pytest.raises(errors.EntriesClosedError):
        competitions.submit_entry(rina, title="x", upload=pdf(), at=competition.entries_close_at)
    cancelled = entrant(competition, "Joko", make_member)
    services.cancel_registration(cancelled)
    cancelled.refresh_from_db()
    with pytest.raises(errors.EntryNotAllowedError):
        competitions.submit_entry(cancelled, title="x", upload=pdf())


def test_judges_score_on_the_rubric_and_the_ranking_averages(contest, make_member, librarian):
    competition, (one, two) = contest
    a = competitions.submit_entry(entrant(competition, "A", make_member), title="A", upload=pdf())
    b = competitions.submit_entry(entrant(competition, "B", make_member), title="B", upload=pdf())
    c = competitions.submit_entry(entrant(competition, "C", make_member), title="C", upload=pdf())
    competitions.score_entry(a, judge=one, points=points(competition, 25, 15), feedback="Bagus")
    competitions.score_entry(a, judge=two, points=points(competition, 20, 10))
    competitions.score_entry(b, judge=one, points=points(competition, 30, 20))
    with pytest.raises(errors.PointsOutOfRangeError):
        competitions.score_entry(c, judge=one, points=points(competition, 31, 0))
    with pytest.raises(errors.PointsOutOfRangeError):
        competitions.score_entry(c, judge=one, points={})
    with pytest.raises(errors.NotAJudgeError):
        competitions.score_entry(c, judge=librarian, points=points(competition, 1, 1))
    ranked = competitions.ranking(competition)
    assert [(r.entry.title, r.score, r.place) for r in ranked] == [
        ("B", 50, 1),
        ("A", 35, 2),
        ("C", None, None),
    ]
    assert competitions.winners(competition) == []  # not published yet
    assert AuditEntry.objects.filter(action="event.competition_score").count() == 3


def test_winners_published_and_each_entrant_sees_only_their_own_scores(
    en, contest, make_member, coordinator
):
    competition, (one, two) = contest
    rina = entrant(competition, "Rina", make_member)
    joko = entrant(competition, "Joko", make_member)
    a = competitions.submit_entry(rina, title="Senja", upload=pdf())
    b = competitions.submit_entry(joko, title="Fajar", upload=pdf())
    competitions.score_entry(a, judge=one, points=points(competition, 28, 18), feedback="Hidup!")
    competitions.score_entry(b, judge=one, points=points(competition, 10, 5), feedback="Rapi.")
    page = en.get(reverse("events:registration", args=[selectors.registration_token(rina)]))
    assert "Hidup!" not in page.content.decode()  # before the results
    en.force_login(coordinator)
    response = en.post(reverse("events:staff-publish-results", args=[competition.event.pk]))
    assert response.status_code == 302
    en.logout()
    en.cookies["django_language"] = "en"  # signing in took the coordinator's own language
    detail = en.get(reverse("events:detail", args=[competition.event.pk])).content.decode()
    assert "Winners" in detail and "Senja" in detail and "Fajar" in detail
    mine = en.get(
        reverse("events:registration", args=[selectors.registration_token(rina)])
    ).content.decode()
    assert (
        "Place 1, average score 46" in mine and "Hidup!" in mine and "Orisinalitas: 28 / 30" in mine
    )
    assert "Rapi." not in mine
    assert AuditEntry.objects.filter(action="event.competition_publish").exists()


def test_pages_upload_judge_and_set_up(en, contest, make_member, coordinator, make_user, librarian):
    competition, (one, _two) = contest
    event = competition.event
    rina = entrant(competition, "Rina", make_member)
    token = selectors.registration_token(rina)
    page = en.get(reverse("events:registration", args=[token])).content.decode()
    assert "Send my entry" in page
    wrong = en.post(
        reverse("events:registration-entry", args=[token]),
        {"title": "Cerpen", "file": SimpleUploadedFile("cerpen.txt", b"hello")},
        follow=True,
    )
    assert "Send the entry as a PDF or Word document" in wrong.content.decode()
    ok = en.post(
        reverse("events:registration-entry", args=[token]),
        {"title": "Cerpen", "file": pdf()},
        follow=True,
    )
    assert "Your entry is received" in ok.content.decode()
    entry = Entry.objects.get()

    en.force_login(librarian)  # not a judge of this one
    assert en.get(reverse("events:judging", args=[event.pk])).status_code == 403
    assert en.get(reverse("events:judging-file", args=[event.pk, entry.pk])).status_code == 404
    en.force_login(one)
    assert "Cerpen" in en.get(reverse("events:judging", args=[event.pk])).content.decode()
    assert en.get(reverse("events:judging-file", args=[event.pk, entry.pk])).status_code == 200
    criteria = list(competition.criteria.all())
    scored = en.post(
        reverse("events:judging-score", args=[event.pk, entry.pk]),
        {f"points-{criteria[0].pk}": "20", f"points-{criteria[1].pk}": "15", "feedback": "Baik"},
        follow=True,
    )
    assert "Scores saved" in scored.content.decode()
    assert entry.reviews.get().total == 35

    en.force_login(coordinator)
    form = en.get(reverse("events:staff-competition", args=[event.pk])).content.decode()
    assert "Orisinalitas | 30" in form and "juri1" in form
    bad = en.post(
        reverse("events:staff-competition", args=[event.pk]),
        {
            "entries_close_at": "2030-01-01T10:00",
            "max_file_mb": "2",
            "winners": "3",
            "criteria": "Orisinalitas | 300",
            "judges": "juri1\nnobody",
        },
    )
    assert bad.status_code == 400
    assert "nobody" in bad.content.decode()
