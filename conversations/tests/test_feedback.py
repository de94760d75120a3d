from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from conversations import feedback as services
from conversations import selectors
from conversations.deadlines import deadlines_for
from conversations.errors import BadRatingError, EmptyTextError
from conversations.feedback import NotResolvedError, UnknownCategoryError
from conversations.models import Feedback
from conversations.states import (
    FEEDBACK_TRANSITIONS,
    FeedbackState,
    InvalidFeedbackTransitionError,
    transition_feedback,
)
from core.errors import PermissionDeniedError
from core.models import AuditEntry

F = FeedbackState
FRIDAY = dt.date(2026, 2, 6)


@pytest.fixture
def head(make_user, library):
    return make_user("kepala", roles={"head"}, email="kepala@example.org")


@pytest.fixture
def item(library):
    return services.submit(
        "facility",
        "The toilets on floor 2 are broken.",
        name="Rina",
        email="rina@example.org",
        rating=2,
        on=FRIDAY,
        language="en",
    )


def png(size=(3000, 2000), fmt="PNG") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format=fmt)
    return SimpleUploadedFile("p." + fmt.lower(), out.getvalue(), content_type="image/png")


@pytest.mark.parametrize(("source", "target"), [(a, b) for a in F.values for b in F.values])
def test_feedback_transition_table(item, source, target, librarian):
    item.state = source
    item.save(update_fields=["state"])
    if target in FEEDBACK_TRANSITIONS[source]:
        transition_feedback(item, target, by=librarian)
        item.refresh_from_db()
        assert item.state == target
    else:
        with pytest.raises(InvalidFeedbackTransitionError):
            transition_feedback(item, target, by=librarian)


def test_deadlines_count_working_days_of_the_main_branch(library):
    # Friday: Saturday is open (main branch), Sunday is not.
    assert deadlines_for("facility", FRIDAY)[0] == dt.date(2026, 2, 10)
    response, resolution = deadlines_for("service", FRIDAY)
    assert resolution == dt.date(2026, 2, 12)
    assert deadlines_for("collection", FRIDAY)[1] > resolution


def test_submit_sets_deadlines(item):
    assert item.state == F.RECEIVED
    assert item.response_due_on == dt.date(2026, 2, 10)
    assert item.resolution_due_on == deadlines_for("facility", FRIDAY)[1]


def test_anonymous_feedback_keeps_no_name_email_or_account(library, librarian):
    item = services.submit(
        "staff",
        "Rude at the desk.",
        is_anonymous=True,
        name="Rina",
        email="r@example.org",
        user=librarian,
    )
    assert (item.name, item.email, item.submitter) == ("", "", None)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"category": "food", "body": "x"}, UnknownCategoryError),
        ({"category": "service", "body": " "}, EmptyTextError),
        ({"category": "service", "body": "ok", "rating": 7}, BadRatingError),
    ],
)
def test_bad_feedback_is_refused(library, kwargs, error):
    with pytest.raises(error):
        services.submit(kwargs.pop("category"), kwargs.pop("body"), **kwargs)
    assert not Feedback.objects.exists()


def test_respond_resolve_publish(item, librarian, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.respond(item, "We have called the plumber.", staff=librarian)
    item.refresh_from_db()
    assert item.state == F.IN_PROGRESS and item.first_response_at
    assert mail.outbox[-1].subject == "A response to your feedback"
    assert selectors.feedback_token(item) in mail.outbox[-1].body
    with pytest.raises(NotResolvedError):
        services.publish(item, "Broken toilets", staff=librarian)
    services.resolve(item, "Repaired on 9 February.", staff=librarian)
    services.publish(item, "The toilets on floor 2 were broken.", staff=librarian)
    assert list(selectors.you_said_we_did()) == [Feedback.objects.get()]
    services.reopen(item, staff=librarian)
    assert not selectors.you_said_we_did().exists()
    assert AuditEntry.objects.filter(action="feedback.resolve").exists()


def test_staff_need_the_permission(item, outsider):
    with pytest.raises(PermissionDeniedError):
        services.respond(item, "hi", staff=outsider)


def test_escalation_once_to_the_head(item, head, librarian, django_capture_on_commit_callbacks):
    other = services.submit("programme", "More storytelling.", on=FRIDAY)
    services.respond(other, "Noted, thank you.", staff=librarian)
    on_time = dt.date(2026, 2, 10)
    assert services.escalate_overdue(on=on_time) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue(on=on_time + dt.timedelta(days=1)) == 1
    item.refresh_from_db()
    assert item.escalated_at is not None
    assert mail.outbox[-1].to == ["kepala@example.org"]
    assert f"/staff/feedback/{item.pk}/" in mail.outbox[-1].body
    assert services.escalate_overdue(on=on_time + dt.timedelta(days=2)) == 0  # only once
    # The other one is past its resolution target later, and escalated then.
    assert services.escalate_overdue(on=other.resolution_due_on + dt.timedelta(days=1)) == 1


def test_daily_job_is_registered():
    from core import scheduling

    assert any(job.name == "conversations" for job in scheduling.JOBS)


def test_photo_is_resized_to_a_jpeg(library, client):
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("conversations:feedback"),
        {
            "category": "facility",
            "body": "Leaking roof",
            "rating": "",
            "photo": png(),
            "name": "",
            "email": "",
            "homepage": "",
        },
    )
    assert response.status_code == 302
    item = Feedback.objects.get()
    with Image.open(item.photo) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
    item.photo.delete(save=False)


def test_not_a_photo_is_refused_clearly(library, client):
    client.cookies["django_language"] = "en"
    fake = SimpleUploadedFile("x.png", b"<?php echo 1; ?>", content_type="image/png")
    response = client.post(
        reverse("conversations:feedback"),
        {
            "category": "facility",
            "body": "Leaking roof",
            "photo": fake,
            "homepage": "",
        },
    )
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_public_pages_and_forged_link(item, client, librarian):
    client.cookies["django_language"] = "en"
    token = selectors.feedback_token(item)
    page = client.get(reverse("conversations:feedback-status", args=[token])).content.decode()
    assert "The toilets on floor 2 are broken." in page
    assert client.get(reverse("conversations:feedback-status", args=[item.code])).status_code == 404
    services.resolve(item, "Repaired.", staff=librarian)
    services.publish(item, "Broken toilets on floor 2.", staff=librarian)
    public = client.get(reverse("conversations:you-said-we-did")).content.decode()
    assert "Broken toilets on floor 2." in public and "Rina" not in public


def test_staff_screens(item, client, librarian, outsider):
    client.cookies["django_language"] = "en"
    client.force_login(outsider)
    assert client.get(reverse("conversations:staff-feedback")).status_code == 403
    client.force_login(librarian)
    listing = client.get(reverse("conversations:staff-feedback") + "?show=overdue")
    assert "Feedback and complaints" in listing.content.decode()
    url = lambda action: reverse("conversations:staff-feedback-action", args=[item.pk, action])  # noqa: E731
    client.post(url("respond"), {"text": "On it."})
    client.post(url("resolve"), {"text": "Fixed."})
    client.post(url("publish"), {"text": "Broken toilets."})
    item.refresh_from_db()
    assert item.state == F.RESOLVED and item.is_published
    detail = client.get(reverse("conversations:staff-feedback-detail", args=[item.pk]))
    assert "Remove from the public page" in detail.content.decode()
    client.post(url("unpublish"))
    item.refresh_from_db()
    assert not item.is_published


def test_honeypot_and_rate_limit(library, client, settings):
    settings.PUSTAKA_CONVERSATIONS_PER_HOUR = 1
    data = {"category": "service", "body": "Great service", "homepage": ""}
    assert (
        client.post(reverse("conversations:feedback"), {**data, "homepage": "x"}).status_code == 200
    )
    assert not Feedback.objects.exists()
    assert client.post(reverse("conversations:feedback"), data).status_code == 302
    assert client.post(reverse("conversations:feedback"), data).status_code == 200
    assert Feedback.objects.count() == 1


def test_daily_digest_to_librarians(item, librarian):
    from conversations import services as questions
    from conversations.apps import _daily
    from conversations.mail import send_staff_digest

    questions.ask("Is there parking?", name="Tamu")
    assert send_staff_digest() == 1
    message = mail.outbox[-1]
    assert message.to == ["siti@example.org"]
    assert "/staff/feedback/" in message.body and "/staff/questions/" in message.body
    assert isinstance(_daily(), dict)


def test_the_digest_comes_in_each_librarians_language(item, librarian):
    from conversations import services as questions
    from conversations.mail import send_staff_digest

    questions.ask("Is there parking?", name="Tamu")
    librarian.preferred_language = "en"
    librarian.save(update_fields=["preferred_language"])
    send_staff_digest()
    assert mail.outbox[-1].subject.startswith("Waiting for the library")
    librarian.preferred_language = "id"
    librarian.save(update_fields=["preferred_language"])
    send_staff_digest()
    assert mail.outbox[-1].subject.startswith("Menunggu")


def test_no_digest_when_nothing_waits(library, librarian):
    from conversations.mail import send_staff_digest

    assert send_staff_digest() == 0


def test_html_in_feedback_is_shown_as_text_everywhere(library, client, librarian):
    """Script typed into a complaint, a reply or a public summary is shown, never run."""
    client.cookies["django_language"] = "en"
    sent = client.post(
        reverse("conversations:feedback"),
        {
            "category": "facility",
            "body": "<script>alert('ac')</script> The fan is broken.",
            "name": "<b>Rina</b>",
            "homepage": "",
        },
        follow=True,
    )
    item = Feedback.objects.get()
    assert item.body.startswith("<script>")  # stored as typed, nothing lost
    page = sent.content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    services.respond(item, "<img src=x onerror=alert(1)> We will fix it.", staff=librarian)
    services.resolve(item, "Fixed.", staff=librarian)
    services.publish(item, "<script>alert('pub')</script> Fan repaired.", staff=librarian)
    status = client.get(
        reverse("conversations:feedback-status", args=[selectors.feedback_token(item)])
    )
    assert "<img src=x" not in status.content.decode()
    assert "&lt;img src=x" in status.content.decode()
    public = client.get(reverse("conversations:you-said-we-did")).content.decode()
    assert "<script>alert('pub')" not in public and "&lt;script&gt;" in public
    client.force_login(librarian)
    staff = client.get(reverse("conversations:staff-feedback-detail", args=[item.pk]))
    html = staff.content.decode()
    assert "<script>alert('ac')" not in html and "<b>Rina</b>" not in html
    assert "&lt;b&gt;Rina&lt;/b&gt;" in html
