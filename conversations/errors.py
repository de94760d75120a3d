from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class EmptyTextError(DomainError):
    code = "empty_text"
    message = _("Please write something.")


class TextTooLongError(DomainError):
    code = "text_too_long"
    message = _("Please keep it under %(limit)s characters.")


class NotRateableError(DomainError):
    code = "not_rateable"
    message = _("You can rate a question once it has been answered.")


class BadRatingError(DomainError):
    code = "bad_rating"
    message = _("Choose a rating from 1 to 5.")


class QuestionClosedError(DomainError):
    code = "question_closed"
    message = _("This question is closed. Please ask a new one.")


class UnknownTopicError(DomainError):
    code = "unknown_topic"
    message = _("Choose one of the topics listed.")
