"""Every change to a question: asking, claiming, assigning, replying (or noting), the patron
writing back, rating, closing, reopening and turning an answer into a FAQ entry.

Staff actions need `conversations.answer_question` and are audited; e-mail to the asker goes
out after commit as a background task."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.errors import (
    BadRatingError,
    EmptyTextError,
    NotRateableError,
    QuestionClosedError,
    TextTooLongError,
    UnknownTopicError,
)
from conversations.models import MAX_TEXT, FaqEntry, Message, Question
from conversations.moderation import check_public_text
from conversations.states import RATEABLE_STATES, QuestionState, transition
from core import audit
from core.permissions import require

S = QuestionState
PERMISSION = "conversations.answer_question"

audit.register_actions(
    {
        "question.claim": _("Claimed a patron's question"),
        "question.assign": _("Assigned a patron's question"),
        "question.reply": _("Replied to a patron's question"),
        "question.note": _("Added an internal note to a question"),
        "question.close": _("Closed a patron's question"),
        "question.reopen": _("Reopened a patron's question"),
        "faq.create": _("Published a FAQ entry"),
    }
)


def clean_text(text: str, *, limit: int = MAX_TEXT) -> str:
    text = (text or "").strip()
    if not text:
        raise EmptyTextError()
    if len(text) > limit:
        raise TextTooLongError(limit=limit)
    return text


def _lock(question: Question) -> Question:
    return Question.objects.select_for_update().get(pk=question.pk)


def _notify(question: Question, kind: str) -> None:
    if not question.email:
        return
    from conversations.tasks import send_question_mail

    pk = question.pk
    transaction.on_commit(lambda: send_question_mail.enqueue(pk, kind))


def ask(
    body: str,
    *,
    name: str,
    email: str = "",
    page_url: str = "",
    user=None,
    language: str = "id",
    topic: str = "",
) -> Question:
    from conversations.models import QuestionTopic

    body = clean_text(body)
    name = clean_text(name, limit=120)
    check_public_text(body, name)
    with transaction.atomic():
        question = Question.objects.create(
            asker=user if getattr(user, "pk", None) else None,
            name=name,
            email=(email or "").strip(),
            language=language or "id",
            page_url=(page_url or "")[:500],
            topic=topic if topic in QuestionTopic.values else QuestionTopic.OTHER,
        )
        Message.objects.create(question=question, kind=Message.Kind.QUESTION, body=body)
        _notify(question, "received")
    return question


def set_topic(question: Question, topic: str, *, by) -> Question:
    """Staff say what a question is about (for the response-time figures per topic)."""
    from conversations.models import QuestionTopic

    require(by, PERMISSION)
    if topic not in QuestionTopic.values:
        raise UnknownTopicError()
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.topic != topic:
            before, question.topic = question.topic, topic
            question.save(update_fields=["topic", "updated_at"])
            audit.record(
                "question.topic", actor=by, subject=question, details={"from": before, "to": topic}
            )
    return question


def claim(question: Question, *, staff, at: dt.datetime | None = None) -> Question:
    return assign(question, staff, by=staff, at=at)


def assign(question: Question, to, *, by, at: dt.datetime | None = None) -> Question:
    require(by, PERMISSION)
    require(to, PERMISSION)
    with transaction.atomic():
        question = _lock(question)
        question.assignee = to
        question.save(update_fields=["assignee", "updated_at"])
        if question.state in (S.NEW, S.CLOSED):
            transition(question, S.OPEN, by=by, at=at)
        action = "question.claim" if to == by else "question.assign"
        audit.record(action, actor=by, subject=question, details={"to": to.get_username()})
    return question


def reply(
    question: Question,
    body: str,
    *,
    staff,
    wait_for_patron: bool = False,
    at: dt.datetime | None = None,
) -> Message:
    """A public reply: answers the question, or (wait_for_patron) asks the patron something."""
    require(staff, PERMISSION)
    body = clean_text(body)
    at = at or timezone.now()
    with transaction.atomic():
        question = _lock(question)
        message = Message.objects.create(
            question=question, kind=Message.Kind.REPLY, author=staff, body=body
        )
        Message.objects.filter(pk=message.pk).update(created_at=at)
        fields = ["updated_at"]
        if question.assignee_id is None:
            question.assignee = staff
            fields.append("assignee")
        if question.first_response_at is None:
            question.first_response_at = at
            fields.append("first_response_at")
        target = S.WAITING if wait_for_patron else S.ANSWERED
        if target == S.ANSWERED:
            question.answered_at = at
            fields.append("answered_at")
        question.save(update_fields=fields)
        if question.state != target:
            transition(question, target, by=staff, at=at)
        audit.record("question.reply", actor=staff, subject=question)
        _notify(question, "reply")
    return message


def add_note(question: Question, body: str, *, staff) -> Message:
    require(staff, PERMISSION)
    body = clean_text(body)
    with transaction.atomic():
        message = Message.objects.create(
            question=question, kind=Message.Kind.NOTE, author=staff, body=body
        )
        audit.record("question.note", actor=staff, subject=question)
    return message


def patron_reply(question: Question, body: str, *, at: dt.datetime | None = None) -> Message:
    """The asker writes back (from the signed link): the question is open again for staff."""
    body = clean_text(body)
    check_public_text(body)
    with transaction.atomic():
        question = _lock(question)
        if question.state == S.CLOSED:
            raise QuestionClosedError()
        message = Message.objects.create(
            question=question, kind=Message.Kind.PATRON, author=question.asker, body=body
        )
        if question.state in (S.WAITING, S.ANSWERED):
            transition(question, S.OPEN, by=question.asker, at=at, reason="patron reply")
        _notify_staff(question)
    return message


def _notify_staff(question: Question) -> None:
    from conversations.tasks import send_patron_reply_notice

    pk = question.pk
    transaction.on_commit(lambda: send_patron_reply_notice.enqueue(pk))


def rate(question: Question, rating: int, *, comment: str = "") -> Question:
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise BadRatingError() from None
    if not 1 <= rating <= 5:
        raise BadRatingError()
    with transaction.atomic():
        question = _lock(question)
        if question.state not in RATEABLE_STATES:
            raise NotRateableError()
        question.rating = rating
        question.rating_comment = (comment or "").strip()[:500]
        question.save(update_fields=["rating", "rating_comment", "updated_at"])
    return question


def close(question: Question, *, staff, at: dt.datetime | None = None) -> Question:
    require(staff, PERMISSION)
    at = at or timezone.now()
    with transaction.atomic():
        question = _lock(question)
        transition(question, S.CLOSED, by=staff, at=at)
        question.closed_at = at
        question.save(update_fields=["closed_at", "updated_at"])
        audit.record("question.close", actor=staff, subject=question)
    return question


def reopen(question: Question, *, staff) -> Question:
    require(staff, PERMISSION)
    with transaction.atomic():
        question = _lock(question)
        transition(question, S.OPEN, by=staff)
        question.closed_at = None
        question.save(update_fields=["closed_at", "updated_at"])
        audit.record("question.reopen", actor=staff, subject=question)
    return question


def publish_faq(
    question: Question | None, question_text: str, answer_text: str, *, staff
) -> FaqEntry:
    """A public FAQ entry from an answered question, in words staff have anonymised: no name,
    e-mail or thread link of the asker is copied."""
    require(staff, PERMISSION)
    question_text = clean_text(question_text, limit=2000)
    answer_text = clean_text(answer_text)
    if question is not None:
        question.refresh_from_db(fields=["state"])
    if question is not None and question.state not in RATEABLE_STATES:
        raise NotRateableError(_("Only an answered question can become a FAQ entry."))
    with transaction.atomic():
        entry = FaqEntry.objects.create(
            question=question,
            question_text=question_text,
            answer_text=answer_text,
            created_by=staff,
        )
        audit.record("faq.create", actor=staff, subject=entry)
    return entry
