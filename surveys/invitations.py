"""Inviting visitors to an open survey from Pustaka's own pages (home, catalogue, events): a
small block they can dismiss. Which surveys are shown where is cached, so a page costs no query
when no survey is shown anywhere; the cache is forgotten whenever a survey is saved or deleted
(state changes included)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from surveys.models import Survey
from surveys.states import SurveyState

CACHE_KEY = "surveys:shown-on-pages"
CACHE_SECONDS = 300
# Hidden for about a semester after "dismiss": long enough not to nag, short enough for the
# next periodic survey.
HIDE_DAYS = 180


def hide_cookie(survey: Survey) -> str:
    return f"survey-hide-{survey.code}"


def shown_surveys() -> list[Survey]:
    """The open surveys set to invite visitors on some page (from the cache when it can)."""
    shown = cache.get(CACHE_KEY)
    if shown is None:
        shown = [
            survey
            for survey in Survey.objects.filter(state=SurveyState.OPEN).only(
                "pk",
                "code",
                "title",
                "title_en",
                "state",
                "opens_on",
                "closes_on",
                "requires_sign_in",
                "one_per_member",
                "show_on",
                "created_at",
            )
            if survey.show_on
        ]
        cache.set(CACHE_KEY, shown, CACHE_SECONDS)
    return shown


def forget_shown_surveys(**_kwargs) -> None:
    cache.delete(CACHE_KEY)


def invitation_for(request: HttpRequest, place: str) -> Survey | None:
    """The survey to invite this visitor to on this page, if any: open today, not dismissed
    on this device, and not already answered by this member (for a survey taking one response
    per member, as told by the member's keyed mark; nothing else is looked up)."""
    candidates = [s for s in shown_surveys() if place in s.show_on]
    if not candidates:
        return None
    from surveys.services import _today, has_responded

    today = _today()
    user = getattr(request, "user", None)
    for survey in candidates:
        if survey.opens_on and today < survey.opens_on:
            continue
        if survey.closes_on and today > survey.closes_on:
            continue
        if request.COOKIES.get(hide_cookie(survey)):
            continue
        if survey.one_per_member and user is not None and has_responded(survey, user):
            continue
        return survey
    return None
