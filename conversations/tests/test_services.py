from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError

from conversations import selectors, services
from conversations.errors import (
    BadRatingError,
    EmptyTextError,
    NotRateableError,
    QuestionClosedError,
    TextTooLongError,
)
from conversations.models import FaqEntry, Message, Question
from conversations.states import QuestionState
from core.errors import PermissionDeniedError
from core.models import AuditEntry

S = QuestionState


def test_ask_stores_the_question_and_mails_the_link(question):
    assert question.state == S.NEW
    assert question.page_url == "/catalogue/"
    assert question.first_message.body == "Do you have books on Dayak weaving?"
    assert len(mail.outbox) == 1
    assert selectors.question_token(question) in mail.outbox[0].body
    assert mail.outbox[0].subject == "We received your question"


@pytest.mark.parametrize(
    ("body", "error"),
    [("", EmptyTextError), ("   ", EmptyTextError), ("x" * 100_000, TextTooLongError)],
)
def test_bad_questions_are_refused_and_nothing_stored(library, body, error):
    with pytest.raises(error):
        services.ask(body, name="Rina")
    assert not Question.objects.exists()


def test_claim_reply_patron_writes_back_rate_close(question, librarian, run):
    services.claim(question, staff=librarian)
    question.refresh_from_db()
    assert (question.state, question.assignee) == (S.OPEN, librarian)

    run(services.reply, question, "What is it for?", staff=librarian, wait_for_patron=True)
    question.refresh_from_db()
    assert question.state == S.WAITING
    assert question.first_response_at is not None and question.answered_at is None
    assert mail.outbox[-1].subject == "The library has replied to your question"
    assert "What is it for?" in mail.outbox[-1].body

    services.patron_reply(question, "A school project.")
    question.refresh_from_db()
    assert question.state == S.OPEN

    with pytest.raises(NotRateableError):
        services.rate(question, 5)

    services.reply(question, "Try shelf 745.", staff=librarian)
    question.refresh_from_db()
    assert question.state == S.ANSWERED and question.answered_at is not None

    services.rate(question, 4, comment="Helpful")
    question.refresh_from_db()
    assert (question.rating, question.rating_comment) == (4, "Helpful")

    services.close(question, staff=librarian)
    question.refresh_from_db()
    assert question.state == S.CLOSED and question.closed_at is not None
    with pytest.raises(QuestionClosedError):
        services.patron_reply(question, "One more thing")

    services.reopen(question, staff=librarian)
    question.refresh_from_db()
    assert question.state == S.OPEN
    moves = [(e.from_state, e.to_state) for e in question.events.all()]
    assert moves == [
        (S.NEW, S.OPEN),
        (S.OPEN, S.WAITING),
        (S.WAITING, S.OPEN),
        (S.OPEN, S.ANSWERED),
        (S.ANSWERED, S.CLOSED),
        (S.CLOSED, S.OPEN),
    ]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"question.claim", "question.reply", "question.close", "question.reopen"} <= actions


def test_reply_straight_from_new_answers_and_claims(question, librarian):
    services.reply(question, "Yes, shelf 745.", staff=librarian)
    question.refresh_from_db()
    assert question.state == S.ANSWERED and question.assignee == librarian


def test_assign_to_a_colleague(question, librarian, other_librarian):
    services.assign(question, other_librarian, by=librarian)
    question.refresh_from_db()
    assert question.assignee == other_librarian and question.state == S.OPEN
    assert AuditEntry.objects.filter(action="question.assign").exists()


def test_notes_are_never_shown_to_the_asker(question, librarian, run):
    run(services.add_note, question, "Ask Budi, he knows weaving.", staff=librarian)
    assert selectors.thread(question, staff=True).filter(kind=Message.Kind.NOTE).count() == 1
    assert not selectors.thread(question, staff=False).filter(kind=Message.Kind.NOTE).exists()
    assert len(mail.outbox) == 1  # only the "received" mail: a note tells nobody


def test_staff_actions_need_the_permission(question, outsider, librarian):
    with pytest.raises(PermissionDeniedError):
        services.claim(question, staff=outsider)
    with pytest.raises(PermissionDeniedError):
        services.reply(question, "hi", staff=outsider)
    with pytest.raises(PermissionDeniedError):
        services.assign(question, outsider, by=librarian)


@pytest.mark.parametrize("rating", [0, 6, "x", None])
def test_bad_ratings(question, librarian, rating):
    services.reply(question, "Yes.", staff=librarian)
    with pytest.raises(BadRatingError):
        services.rate(question, rating)


def test_the_database_refuses_a_rating_out_of_range(question):
    with pytest.raises(IntegrityError):
        Question.objects.filter(pk=question.pk).update(rating=9)


def test_faq_only_from_an_answered_question_and_copies_no_personal_data(question, librarian):
    with pytest.raises(NotRateableError):
        services.publish_faq(question, "Books on weaving?", "Shelf 745.", staff=librarian)
    services.reply(question, "Shelf 745.", staff=librarian)
    entry = services.publish_faq(question, "Books on weaving?", "Shelf 745.", staff=librarian)
    assert list(selectors.public_faq("weaving")) == [entry]
    assert "Rina" not in entry.question_text + entry.answer_text
    assert FaqEntry.objects.count() == 1


def test_forged_token_finds_nothing(question):
    token = selectors.question_token(question)
    assert selectors.question_by_token(token) == question
    assert selectors.question_by_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert selectors.question_by_token(question.code) is None


def test_each_asker_is_told_of_replies_in_the_language_they_asked_in(question, run, librarian):
    from conversations import feedback

    budi = run(services.ask, "Ada buku tenun Dayak?", name="Budi", email="budi@example.org")
    run(services.reply, question, "Shelf 746.", staff=librarian)
    run(services.reply, budi, "Rak 746.", staff=librarian)
    subjects = {m.to[0]: m.subject for m in mail.outbox if "Shelf" in m.body or "Rak" in m.body}
    assert subjects == {
        "rina@example.org": "The library has replied to your question",
        "budi@example.org": "Perpustakaan telah membalas pertanyaan Anda",
    }
    complaint = feedback.submit("facility", "AC mati.", email="budi@example.org")
    mail.outbox.clear()
    run(feedback.respond, complaint, "Sedang diperbaiki.", staff=librarian)
    run(feedback.resolve, complaint, "AC sudah diganti.", staff=librarian)
    assert [m.subject for m in mail.outbox] == [
        "Tanggapan atas masukan Anda",
        "Masukan Anda sudah ditindaklanjuti",
    ]
    assert "AC sudah diganti." in mail.outbox[-1].body
