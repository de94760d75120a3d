"""The invitation e-mail: in the recipient's language, with the personal link."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from surveys.models import Invitation
from surveys.states import InvitationSource


def invitation_link(invitation: Invitation, token: str) -> str:
    from events.ics import base_url

    return base_url() + reverse("surveys:invited", args=[invitation.survey.code, token])


def build_invitation(invitation: Invitation, token: str) -> EmailMessage:
    from core.selectors import get_library

    survey = invitation.survey
    event = survey.event if invitation.source == InvitationSource.EVENT else None
    with translation.override(invitation.language or "id"):
        title = survey.localized_title
        context = {
            "invitation": invitation,
            "survey": survey,
            "title": title,
            "event": event,
            "after_question": invitation.source == InvitationSource.QUESTION,
            "link": invitation_link(invitation, token),
            "library": get_library(),
        }
        body = render_to_string("surveys/email/invitation.txt", context)
        if event is not None:
            subject = _("Thank you for coming: %(title)s") % {"title": event.title}
        else:
            subject = _("Your opinion, please: %(title)s") % {"title": title}
        return EmailMessage(subject, body, to=[invitation.email])
