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
    from conversations.selectors import question_token
    from core.selectors import get_library
    from events.ics import base_url

    link = base_url() + reverse("conversations:thread", args=[question_token(question)])
    with translation.override(question.language or "id"):
        last_reply = (
            question.messages.filter(kind=Message.Kind.REPLY).order_by("-created_at").first()
        )
        context = {
            "question": question,
            "link": link,
            "library": get_library(),
            "reply": last_reply,
        }
        body = render_to_string(f"conversations/email/{kind}.txt", context)
        subject = (
            _("We received your question")
            if kind == "received"
            else _("The library has replied to your question")
        )
        return EmailMessage(subject, body, to=[question.email])


def send(question_id: int, kind: str) -> int:
    question = Question.objects.filter(pk=question_id).first()
    if question is None or not question.email or kind not in KINDS:
        return 0
    return build(question, kind).send()
