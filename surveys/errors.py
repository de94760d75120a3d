from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class SurveyError(DomainError):
    code = "survey_error"


class SurveyNotOpenError(SurveyError):
    code = "survey_not_open"
    message = _("This survey is not open for answers.")


class SurveyClosedError(SurveyError):
    code = "survey_closed"
    message = _("This survey has closed. Thank you for your interest.")


class SignInRequiredError(SurveyError):
    code = "sign_in_required"
    message = _("Please sign in to answer this survey.")


class AlreadyRespondedError(SurveyError):
    code = "already_responded"
    message = _("You have already answered this survey. Thank you!")


class InvalidAnswersError(SurveyError):
    code = "invalid_answers"
    message = _("Some answers need your attention.")

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__()
        self.errors = errors


class InvalidTransitionError(SurveyError):
    code = "invalid_transition"
    message = _("The survey cannot move to that state.")


class SurveyLockedError(SurveyError):
    code = "survey_locked"
    message = _("This survey already has responses; its questions can no longer be removed.")


class InvitationInvalidError(SurveyError):
    code = "invitation_invalid"
    message = _("This survey link is not valid. Please use the link from your e-mail.")


class SectionNotEmptyError(SurveyError):
    code = "section_not_empty"
    message = _("Only an empty section can be removed. Move or remove its questions first.")
