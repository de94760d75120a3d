"""E-mail to the asker: we received your question, and a reply from the library (with the
link to follow and answer the thread). In the language the person asked in."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from conversations.models import Message, Question

KINDS = ("received", "reply")


def build(question: Question, kind: str) -> EmailMessage:
    """The e-mail to the asker. With a question address set, its Reply-To is the thread's own
    address, so that answering the e-mail writes back in the thread (conversations/inbound.py)."""
    from conversations.inbound import reply_address
    from conversations.selectors import question_token
    from core.selectors import get_library
    from events.ics import base_url

    link = base_url() + reverse("conversations:thread", args=[question_token(question)])
    with translation.override(question.language or "id"):
        last_reply = (
            question.messages.filter(kind=Message.Kind.REPLY).order_by("-created_at").first()
        )
        reply_to = reply_address(question)
        context = {
            "question": question,
            "link": link,
            "library": get_library(),
            "reply": last_reply,
            "reply_by_mail": bool(reply_to),
        }
        body = render_to_string(f"conversations/email/{kind}.txt", context)
        subject = (
            _("We received your question")
            if kind == "received"
            else _("The library has replied to your question")
        )
        return EmailMessage(
            subject,
            body,
            to=[question.email],
            reply_to=[reply_to] if reply_to else None,
            # No out-of-office answers back to the thread (RFC 3834).
            headers={"Auto-Submitted": "auto-generated"},
        )


def send(question_id: int, kind: str) -> int:
    question = Question.objects.filter(pk=question_id).first()
    if question is None or not question.email or kind not in KINDS:
        return 0
    return build(question, kind).send()


def send_patron_reply_notice(question_id: int) -> int:
    """Tell staff the asker wrote back: the librarian the question is assigned to, or, when
    nobody has it yet, every librarian (the question is back in the queue's "new and open")."""
    from django.contrib.auth import get_user_model

    from accounts.roles import Role, role_group_name
    from core.selectors import get_library
    from events.ics import base_url

    question = Question.objects.select_related("assignee").filter(pk=question_id).first()
    if question is None:
        return 0
    if question.assignee_id:
        staff = [question.assignee] if question.assignee.email else []
    else:
        staff = list(
            get_user_model()
            .objects.filter(is_active=True, groups__name=role_group_name(Role.LIBRARIAN))
            .exclude(email="")
            .distinct()
        )
    last = question.messages.filter(kind=Message.Kind.PATRON).order_by("-created_at").first()
    link = base_url() + reverse("conversations:staff-question", args=[question.pk])
    sent = 0
    for user in staff:
        with translation.override(getattr(user, "preferred_language", "") or "id"):
            body = render_to_string(
                "conversations/email/patron_reply.txt",
                {"question": question, "message": last, "link": link, "library": get_library()},
            )
            subject = _("%(name)s wrote back about question #%(number)s") % {
                "name": question.name,
                "number": question.pk,
            }
            sent += EmailMessage(subject, body, to=[user.email]).send()
    return sent


FEEDBACK_KINDS = ("response", "resolved")


def send_feedback(feedback_id: int, kind: str) -> int:
    from conversations.models import Feedback
    from conversations.selectors import feedback_token
    from core.selectors import get_library
    from events.ics import base_url

    feedback = Feedback.objects.filter(pk=feedback_id).first()
    if feedback is None or not feedback.email or kind not in FEEDBACK_KINDS:
        return 0
    link = base_url() + reverse("conversations:feedback-status", args=[feedback_token(feedback)])
    with translation.override(feedback.language or "id"):
        body = render_to_string(
            "conversations/email/feedback.txt",
            {"feedback": feedback, "link": link, "library": get_library(), "kind": kind},
        )
        subject = (
            _("Your feedback has been resolved")
            if kind == "resolved"
            else _("A response to your feedback")
        )
        return EmailMessage(subject, body, to=[feedback.email]).send()


def send_escalation(feedback_ids: list[int]) -> int:
    """One e-mail to each head of library listing feedback past its deadline."""
    from django.contrib.auth import get_user_model

    from accounts.roles import Role, role_group_name
    from conversations.models import Feedback
    from core.selectors import get_library
    from events.ics import base_url

    heads = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=role_group_name(Role.HEAD))
        .exclude(email="")
        .distinct()
    )
    items = list(Feedback.objects.filter(pk__in=feedback_ids).order_by("created_at"))
    if not items:
        return 0
    root = base_url()
    sent = 0
    for head in heads:
        with translation.override(getattr(head, "preferred_language", "") or "id"):
            body = render_to_string(
                "conversations/email/escalation.txt",
                {
                    "items": items,
                    "root": root,
                    "library": get_library(),
                },
            )
            sent += EmailMessage(
                _("Feedback past its deadline: %(count)s") % {"count": len(items)},
                body,
                to=[head.email],
            ).send()
    return sent


def send_staff_digest() -> int:
    """The daily digest to librarians: questions not yet claimed, feedback not yet answered and
    book suggestions waiting for a decision. Nothing is sent when there is nothing waiting."""
    from django.contrib.auth import get_user_model

    from accounts.roles import Role, role_group_name
    from conversations.models import Feedback
    from conversations.states import FeedbackState, QuestionState
    from core.selectors import get_library
    from events.ics import base_url
    from participation.models import Suggestion
    from participation.states import SuggestionState

    questions = list(Question.objects.filter(state=QuestionState.NEW).order_by("created_at"))
    feedback = list(Feedback.objects.filter(state=FeedbackState.RECEIVED).order_by("created_at"))
    suggestions = list(
        Suggestion.objects.filter(state=SuggestionState.SUBMITTED).order_by("created_at")
    )
    if not questions and not feedback and not suggestions:
        return 0
    staff = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=role_group_name(Role.LIBRARIAN))
        .exclude(email="")
        .distinct()
    )
    root = base_url()
    sent = 0
    for user in staff:
        with translation.override(getattr(user, "preferred_language", "") or "id"):
            body = render_to_string(
                "conversations/email/digest.txt",
                {
                    "questions": questions,
                    "feedback": feedback,
                    "suggestions": suggestions,
                    "root": root,
                    "library": get_library(),
                },
            )
            subject = _("Waiting for the library: %(questions)s questions, %(feedback)s feedback")
            sent += EmailMessage(
                subject % {"questions": len(questions), "feedback": len(feedback)},
                body,
                to=[user.email],
            ).send()
    return sent
