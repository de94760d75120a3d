"""Point 6: the demo library's programme."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from events.models import Event, Registration
from events.selectors import event_counts

# The member categories come from a migration; a browser test's flush before this one removes
# them, so ask for them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("member_categories")]


def test_the_demo_builds_a_believable_programme_without_sending_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("demo", members=60, records=5, stdout=out)
    assert "Events:" in out.getvalue()
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {
        "book_discussion",
        "workshop",
        "screening",
        "exhibition",
        "webinar",
        "festival",
    } <= kinds
    baca = Event.objects.filter(title="Baca Bersama")
    assert baca.count() >= 10 and baca.values("series").distinct().count() == 1
    past = [e for e in baca if e.ends_at < timezone.now()]
    assert past and all(event_counts(e).attended > 0 for e in past)
    workshop = Event.objects.get(kind="workshop")
    counts = event_counts(workshop)
    assert counts.confirmed == 15 and counts.waitlisted > 0
    assert Registration.objects.filter(member__isnull=True).exists()  # guests too
    assert mail.outbox == []
    # A writing competition with judged entries and its winners published; certificates.
    from events import competitions
    from events.models import Certificate, Competition

    competition = Competition.objects.get()
    assert competition.results_published_at is not None
    assert competition.entries.count() >= 3
    assert all(entry.reviews.count() == 2 for entry in competition.entries.all())
    assert len(competitions.winners(competition)) >= 3  # a tie shares a place
    assert Certificate.objects.filter(role="attendee").exists()
    assert Certificate.objects.filter(role="speaker").exists()
    # An online quiz running now, with a leaderboard.
    from events import quizzes
    from events.models import Quiz

    quiz = Quiz.objects.get()
    assert len(quizzes.question_set(quiz)) == 5
    board = quizzes.leaderboard(quiz)
    assert len(board) >= 3 and board[0].score >= board[-1].score
    # Running it again adds nothing.
    before = Event.objects.count()
    call_command("demo", members=0, records=0, stdout=StringIO())
    assert Event.objects.count() == before
