"""`{% load survey_tags %}{% survey_invitation "home" %}`: the invitation to an open survey,
on the public pages staff chose for it."""

from __future__ import annotations

from django import template

from surveys.invitations import invitation_for

register = template.Library()


@register.inclusion_tag("surveys/_invitation.html", takes_context=True)
def survey_invitation(context, place: str) -> dict:
    request = context.get("request")
    survey = invitation_for(request, place) if request is not None else None
    return {"survey": survey, "request": request, "csrf_token": context.get("csrf_token")}
