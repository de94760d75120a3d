from __future__ import annotations

import pytest
from django.urls import reverse

from conversations import selectors, services
from conversations.models import Message, Question, SavedReply
from conversations.states import QuestionState

S = QuestionState


@pytest.fixture
def client_en(client):
    client.cookies["django_language"] = "en"
    return client


def _ask(client, REMOTE_ADDR="127.0.0.1", **extra):  # noqa: N803
    data = {
        "name": "Rina",
        "email": "rina@example.org",
        "body": "Opening hours at Eid?",
        "page_url": "/hours/",
        "homepage": "",
    }
    return client.post(reverse("conversations:ask"), {**data, **extra}, REMOTE_ADDR=REMOTE_ADDR)


def test_the_footer_link_carries_the_page(client_en, library):
    page = client_en.get("/hours/")
    assert f"{reverse('conversations:ask')}?from=/hours/" in page.content.decode()
    form = client_en.get(reverse("conversations:ask") + "?from=/hours/")
    assert 'value="/hours/"' in form.content.decode()


def test_a_guest_asks_and_lands_on_the_private_thread(client_en, library):
    response = _ask(client_en)
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "conversations:thread", args=[selectors.question_token(question)]
    )
    assert question.page_url == "/hours/" and question.language == "en"
    page = client_en.get(response["Location"])
    assert "Opening hours at Eid?" in page.content.decode()


def test_another_sites_address_is_not_kept_as_the_page(client_en, library):
    _ask(client_en, page_url="https://evil.example/")
    assert Question.objects.get().page_url == ""


def test_honeypot_pretends_success_and_stores_nothing(client_en, library):
    response = _ask(client_en, homepage="http://spam.example")
    assert response.status_code == 200
    assert not Question.objects.exists()


def test_guest_questions_are_rate_limited(client_en, library, settings):
    settings.PUSTAKA_CONVERSATIONS_PER_HOUR = 2
    for _ in range(2):
        assert _ask(client_en).status_code == 302
    response = _ask(client_en)
    assert response.status_code == 200
    assert "Too many questions" in response.content.decode()
    assert Question.objects.count() == 2


def test_a_signed_in_person_is_limited_whatever_address_they_use(client_en, outsider, settings):
    settings.PUSTAKA_CONVERSATIONS_PER_HOUR = 2
    client_en.force_login(outsider)
    for address in ("10.0.0.1", "10.0.0.2"):
        assert _ask(client_en, REMOTE_ADDR=address).status_code == 302
    response = _ask(client_en, REMOTE_ADDR="10.0.0.3")  # a fresh address, the same person
    assert "Too many questions" in response.content.decode()
    assert Question.objects.count() == 2


@pytest.mark.parametrize("body", ["", "x" * 100_000])
def test_empty_or_huge_question_gets_a_clear_message(client_en, library, body):
    response = _ask(client_en, body=body)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Question.objects.exists()


def test_html_in_a_question_is_escaped_everywhere(client_en, library, librarian):
    _ask(client_en, body="<script>alert(1)</script>", name="<b>Rina</b>")
    question = Question.objects.get()
    thread = client_en.get(
        reverse("conversations:thread", args=[selectors.question_token(question)])
    )
    assert "<script>alert(1)</script>" not in thread.content.decode()
    assert "&lt;script&gt;" in thread.content.decode()
    client_en.force_login(librarian)
    staff = client_en.get(reverse("conversations:staff-question", args=[question.pk]))
    assert "<script>alert(1)</script>" not in staff.content.decode()
    assert "<b>Rina</b>" not in staff.content.decode()


def test_forged_link_is_not_found(client_en, question):
    token = selectors.question_token(question)
    assert client_en.get(reverse("conversations:thread", args=[token + "x"])).status_code == 404
    assert client_en.get(reverse("conversations:thread", args=[question.code])).status_code == 404
    response = client_en.post(
        reverse("conversations:thread-reply", args=[question.code]), {"body": "hi"}
    )
    assert response.status_code == 404


def test_asker_writes_back_and_rates_via_the_link(client_en, question, librarian):
    token = selectors.question_token(question)
    services.reply(question, "Shelf 745.", staff=librarian)
    services.add_note(question, "SECRET NOTE", staff=librarian)
    page = client_en.get(reverse("conversations:thread", args=[token])).content.decode()
    assert "Shelf 745." in page and "SECRET NOTE" not in page
    assert "Rate the answer" in page
    client_en.post(reverse("conversations:thread-rate", args=[token]), {"rating": "5"})
    client_en.post(reverse("conversations:thread-reply", args=[token]), {"body": "Thanks!"})
    question.refresh_from_db()
    assert question.rating == 5 and question.state == S.OPEN
    assert question.messages.filter(kind=Message.Kind.PATRON, body="Thanks!").exists()


def test_staff_pages_need_the_permission(client_en, question, outsider):
    assert client_en.get(reverse("conversations:staff-queue")).status_code == 302
    client_en.force_login(outsider)
    assert client_en.get(reverse("conversations:staff-queue")).status_code == 403
    response = client_en.post(
        reverse("conversations:staff-question-action", args=[question.pk, "claim"])
    )
    assert response.status_code == 403


def test_staff_claim_reply_with_a_saved_reply_note_and_faq(
    client_en, question, librarian, other_librarian
):
    client_en.force_login(librarian)
    queue = client_en.get(reverse("conversations:staff-queue")).content.decode()
    assert "Rina" in queue
    url = lambda action: reverse(  # noqa: E731
        "conversations:staff-question-action", args=[question.pk, action]
    )
    client_en.post(url("claim"))
    question.refresh_from_db()
    assert question.assignee == librarian and question.state == S.OPEN
    assert (
        "Rina"
        in client_en.get(reverse("conversations:staff-queue") + "?show=mine").content.decode()
    )

    client_en.post(
        reverse("conversations:staff-saved-replies"),
        {"title": "Hours", "body": "We open 8.00 to 16.00."},
    )
    saved = SavedReply.objects.get()
    detail = client_en.get(
        reverse("conversations:staff-question", args=[question.pk]) + f"?saved={saved.pk}"
    ).content.decode()
    assert "We open 8.00 to 16.00.</textarea>" in detail

    client_en.post(url("note"), {"body": "Checked with the head."})
    assert question.messages.filter(kind=Message.Kind.NOTE).count() == 1
    client_en.post(url("reply"), {"body": "We open 8.00 to 16.00."})
    client_en.post(url("assign"), {"to": other_librarian.pk})
    question.refresh_from_db()
    assert question.state == S.ANSWERED and question.assignee == other_librarian
    client_en.post(
        url("faq"), {"question_text": "When do you open?", "answer_text": "8.00 to 16.00."}
    )
    faq = client_en.get(reverse("conversations:faq")).content.decode()
    assert "When do you open?" in faq and "Rina" not in faq
    client_en.post(url("close"))
    question.refresh_from_db()
    assert question.state == S.CLOSED
    closed = client_en.get(
        reverse("conversations:thread", args=[selectors.question_token(question)])
    ).content.decode()
    assert "This question is closed." in closed
