"""Sending surveys by e-mail: staff choose members by category and recent activity and see the
count first; each member gets one personal link in their language, used once; the answers of
an anonymous survey stay unlinked. Automatically: attendees after an event, askers after a
closed question (an hourly sweep, safe to run twice)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.tests.test_views import signed_in
from surveys import sending, services
from surveys.errors import AlreadyRespondedError
from surveys.models import Invitation, RespondentMark, Response
from surveys.sending import Criteria
from surveys.states import QuestionKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_member(library, member_categories):
    from core.models import Branch
    from patrons.models import Member

    counter = iter(range(1, 10_000))
    branch = Branch.objects.first()

    def factory(name=None, **extra):
        n = next(counter)
        values = {
            "number": f"S{n:05d}",
            "full_name": name or f"Anggota {n}",
            "category_id": "general",
            "email": f"s{n}@example.org",
            "joined_on": dt.date(2026, 1, 1),
            "expires_on": dt.date(2030, 12, 31),
            "home_branch": branch,
        }
        return Member.objects.create(**{**values, **extra})

    return factory


@pytest.fixture
def feedback_survey(coordinator):
    survey = services.create_survey(
        by=coordinator, title="Umpan balik", title_en="Feedback", is_anonymous=True
    )
    services.add_question(
        survey.sections.get(),
        by=coordinator,
        kind=QuestionKind.RATING,
        text="Nilai layanan kami",
        text_en="Rate our service",
    )
    return services.open_survey(survey, by=coordinator)


def link_in(message) -> str:
    """The path of the personal link in an invitation e-mail."""
    match = re.search(r"https?://[^/\s]+(/s/\S+/i/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def answer_data(survey, value="5"):
    question = survey.sections.get().questions.get()
    return {f"q{question.pk}": value}


def visit(member, days_ago):
    from core.models import Branch
    from visits.models import Visit

    return Visit.objects.create(
        branch=Branch.objects.first(),
        kind="member",
        member=member,
        category=member.category_id,
        at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_staff_count_recipients_by_category_and_recent_visit(
    make_member, feedback_survey, coordinator
):
    recent = make_member("Baru Datang")
    visit(recent, 3)
    long_ago = make_member("Lama Tak Datang")
    visit(long_ago, 200)
    student = make_member("Pelajar", category_id="school_student")
    visit(student, 1)
    make_member("Tanpa Surel", email="")

    client = signed_in(coordinator)
    client.cookies["django_language"] = "en"
    url = reverse("surveys:staff-send", args=[feedback_survey.pk])
    response = client.post(
        url, {"categories": ["general"], "activities": ["visited"], "days": 30, "action": "count"}
    )
    assert response.status_code == 200
    assert response.context["count"].matching == 1
    assert "1 member matches." in response.content.decode()
    assert "Send to 1 member" in response.content.decode()
    assert not Invitation.objects.exists()  # counting sends nothing

    everyone = sending.count_recipients(feedback_survey, Criteria(days=30))
    assert everyone.matching == 3  # the member without e-mail is left out


def test_invited_members_get_one_email_each_in_their_language(
    make_member, feedback_survey, coordinator, django_capture_on_commit_callbacks
):
    make_member("Rina", preferred_language="id")
    make_member("John", preferred_language="en")
    client = signed_in(coordinator)
    url = reverse("surveys:staff-send", args=[feedback_survey.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"days": 30, "action": "send"})
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    rina = next(m for m in mail.outbox if "Halo Rina" in m.body)
    john = next(m for m in mail.outbox if "Hello John" in m.body)
    assert "Umpan balik" in rina.subject
    assert "Feedback" in john.subject
    assert len(by_address) == 2
    assert Invitation.objects.filter(sent_at__isnull=False).count() == 2

    # Sending again to the same members invites nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = sending.invite_members(feedback_survey, Criteria(days=30), by=coordinator)
    assert again == 0
    assert len(mail.outbox) == 2


def test_answering_through_the_link_once_and_anonymously(
    make_member, feedback_survey, coordinator, make_user, django_capture_on_commit_callbacks
):
    user = make_user("rina", roles={"member"})
    member = make_member("Rina", user=user)
    with django_capture_on_commit_callbacks(execute=True):
        sending.invite_members(feedback_survey, Criteria(days=30), by=coordinator)
    path = link_in(mail.outbox[0])

    client = signed_in(user)  # even signed in, the answer is not linked to her
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path, {**answer_data(feedback_survey, "4"), "action": "send"})
    assert response.status_code == 302
    stored = Response.objects.get(survey=feedback_survey)
    assert stored.user is None
    assert stored.answers.get().number == 4
    # The response row holds the survey, the day and no one: nothing points at the member.
    row = Response.objects.filter(pk=stored.pk).values().get()
    assert set(row) == {"id", "survey_id", "submitted_on", "user_id"}
    assert row["user_id"] is None
    assert Invitation.objects.get().member == member
    assert sending.answered_count(feedback_survey) == 1

    second = client.post(path, {**answer_data(feedback_survey, "1"), "action": "send"})
    assert second.status_code == 409
    assert Response.objects.filter(survey=feedback_survey).count() == 1


def test_a_forged_link_is_refused(feedback_survey):
    from django.test import Client

    path = reverse("surveys:invited", args=[feedback_survey.code, "not-a-real-token"])
    response = Client().post(path, {**answer_data(feedback_survey), "action": "send"})
    assert response.status_code == 404
    assert not Response.objects.exists()


def test_an_invitation_needs_no_sign_in_but_respects_one_per_member(
    make_member, coordinator, make_user, django_capture_on_commit_callbacks
):
    survey = services.create_survey(by=coordinator, title="Anggota saja", is_anonymous=True)
    services.update_survey(survey, by=coordinator, requires_sign_in=True, one_per_member=True)
    services.add_question(
        survey.sections.get(), by=coordinator, kind=QuestionKind.RATING, text="Nilai"
    )
    services.open_survey(survey, by=coordinator)
    user = make_user("budi", roles={"member"})
    make_member("Budi", user=user)
    with django_capture_on_commit_callbacks(execute=True):
        sending.invite_members(survey, Criteria(days=30), by=coordinator)
    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    sending.submit_invited_response(survey, token, answer_data(survey, "3"))
    # The member's own mark is written too: the public form refuses a second answer.
    assert services.has_responded(survey, user)
    with pytest.raises(AlreadyRespondedError):
        services.submit_response(survey, answer_data(survey, "1"), user=user)
    assert RespondentMark.objects.filter(survey=survey).count() == 2
    assert Response.objects.get(survey=survey).user is None


def test_closed_survey_cannot_be_sent(make_member, feedback_survey, coordinator):
    make_member()
    services.close_survey(feedback_survey, by=coordinator)
    from surveys.errors import SurveyNotOpenError

    with pytest.raises(SurveyNotOpenError):
        sending.invite_members(feedback_survey, Criteria(), by=coordinator)
    assert not Invitation.objects.exists()


# ---------------------------------------------------------------------------------------------
# Automatic sending


@pytest.fixture
def past_event(library):
    from core.models import Branch
    from events.models import Event

    ended = timezone.now() - dt.timedelta(hours=3)
    return Event.objects.create(
        title="Bedah Buku",
        kind="book_discussion",
        branch=Branch.objects.first(),
        starts_at=ended - dt.timedelta(hours=2),
        ends_at=ended,
        status="published",
        capacity=20,
    )


def registration(event, *, state, member=None, email="", name="Tamu", language="id"):
    from events.models import Registration

    return Registration.objects.create(
        event=event, member=member, name=name, email=email, state=state, language=language
    )


def test_attendees_get_the_feedback_survey_after_the_event_once(
    past_event, feedback_survey, make_member, django_capture_on_commit_callbacks
):
    feedback_survey.event = past_event
    feedback_survey.save()
    member = make_member("Sari")
    registration(past_event, state="attended", member=member, email=member.email, name="Sari")
    registration(past_event, state="attended", email="tamu@example.org", language="en")
    registration(past_event, state="confirmed", email="absen@example.org")  # did not come
    with django_capture_on_commit_callbacks(execute=True):
        result = sending.run_sweeps()
    assert result.event_invitations == 2
    assert sorted(m.to[0] for m in mail.outbox) == [member.email, "tamu@example.org"]
    english = next(m for m in mail.outbox if m.to == ["tamu@example.org"])
    assert english.subject == "Thank you for coming: Bedah Buku"
    # Run again (a restart near the hour): nobody gets it twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = sending.run_sweeps()
    assert again.event_invitations == 0
    assert len(mail.outbox) == 2


def test_nothing_is_sent_before_the_event_ends(
    past_event, feedback_survey, django_capture_on_commit_callbacks
):
    past_event.ends_at = timezone.now() + dt.timedelta(hours=1)
    past_event.save()
    feedback_survey.event = past_event
    feedback_survey.save()
    registration(past_event, state="attended", email="dini@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        sending.run_sweeps()
    assert mail.outbox == []


def test_asker_gets_the_survey_after_the_question_is_closed(
    feedback_survey, library, django_capture_on_commit_callbacks
):
    from conversations.models import Question

    feedback_survey.after_closed_question = True
    feedback_survey.save()
    now = timezone.now()
    question = Question.objects.create(
        name="Ani", email="ani@example.org", language="en", state="closed", closed_at=now
    )
    Question.objects.create(name="Open", email="open@example.org", state="answered")
    with django_capture_on_commit_callbacks(execute=True):
        result = sending.run_sweeps(at=now + dt.timedelta(minutes=5))
    assert result.question_invitations == 1
    assert [m.to for m in mail.outbox] == [["ani@example.org"]]
    assert "Thank you for asking the library" in mail.outbox[0].body
    invitation = Invitation.objects.get()
    assert invitation.source_id == question.pk
    with django_capture_on_commit_callbacks(execute=True):
        sending.run_sweeps(at=now + dt.timedelta(minutes=10))
    assert len(mail.outbox) == 1


def test_the_sending_sweep_runs_every_hour():
    from core.scheduling import JOBS

    job = next(job for job in JOBS if job.name == "surveys-sending")
    assert job.describe() == "every 60 min"


def test_staff_set_a_survey_to_follow_an_event_and_repeat(coordinator, past_event):
    survey = services.create_survey(by=coordinator, title="Umpan balik")
    client = signed_in(coordinator)
    response = client.post(
        reverse("surveys:staff-survey", args=[survey.pk]),
        {
            "form": "settings",
            "s-title": "Umpan balik",
            "s-is_anonymous": "on",
            "s-repeats": "semester",
            "s-event": past_event.pk,
            "s-after_closed_question": "on",
        },
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.event, survey.repeats, survey.after_closed_question) == (
        past_event,
        "semester",
        True,
    )


def test_the_sending_command_sends_after_events(
    past_event, feedback_survey, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    feedback_survey.event = past_event
    feedback_survey.save()
    registration(past_event, state="attended", email="eka@example.org")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("surveys_send", stdout=out)
    assert "event attendees invited: 1" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["eka@example.org"]]


def test_a_member_who_answered_on_the_web_finds_the_invitation_used(
    make_member, coordinator, make_user, django_capture_on_commit_callbacks
):
    survey = services.create_survey(by=coordinator, title="Anggota saja")
    services.update_survey(survey, by=coordinator, requires_sign_in=True, one_per_member=True)
    services.add_question(
        survey.sections.get(), by=coordinator, kind=QuestionKind.RATING, text="Nilai"
    )
    services.open_survey(survey, by=coordinator)
    user = make_user("citra", roles={"member"})
    make_member("Citra", user=user)
    with django_capture_on_commit_callbacks(execute=True):
        sending.invite_members(survey, Criteria(days=30), by=coordinator)
    services.submit_response(survey, answer_data(survey, "4"), user=user)
    page = signed_in(user).get(link_in(mail.outbox[0]))
    assert page.status_code == 409
    assert Response.objects.filter(survey=survey).count() == 1
