"""Surveys on pages: an open survey invites visitors on the public pages staff chose (not once
closed, not after "No, thanks", not to a member who already answered), with no query when no
survey is shown anywhere; and the survey framed on the library's own website (only the
configured sites may frame it; every other page still refuses frames)."""

from __future__ import annotations

import datetime as dt
import html
import re
import time

import pytest
from django.core import signing
from django.test import Client, RequestFactory
from django.urls import reverse

from core.tests.test_views import signed_in
from surveys import services
from surveys.invitations import invitation_for, shown_surveys
from surveys.models import Response
from surveys.states import QuestionKind
from surveys.views import STARTED_SALT

pytestmark = pytest.mark.django_db

INVITATION = "Answer a short survey"


@pytest.fixture
def shown(coordinator):
    survey = services.create_survey(
        by=coordinator, title="Kepuasan", title_en="Satisfaction", show_on=["home", "events"]
    )
    services.add_question(
        survey.sections.get(),
        by=coordinator,
        kind=QuestionKind.RATING,
        text="Nilai",
        text_en="Rate",
    )
    return services.open_survey(survey, by=coordinator)


def english() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def home(client: Client) -> str:
    return client.get(reverse("core:home")).content.decode()


def answer(survey, value="4") -> dict[str, str]:
    question = survey.sections.get().questions.get()
    return {
        f"q{question.pk}": value,
        "action": "send",
        "started": signing.dumps(time.time() - 60, salt=STARTED_SALT),
    }


def test_an_open_survey_invites_on_the_chosen_pages_only(shown, coordinator):
    client = english()
    page = home(client)
    assert INVITATION in page and "“Satisfaction”" in page
    assert reverse("surveys:answer", args=[shown.code]) in page
    assert INVITATION in client.get(reverse("events:list")).content.decode()
    assert INVITATION not in client.get(reverse("opac:search")).content.decode()

    services.close_survey(shown, by=coordinator)  # the cached list is forgotten at once
    assert INVITATION not in home(client)


def test_no_invitation_outside_the_survey_dates(shown, coordinator):
    services.update_survey(shown, by=coordinator, closes_on=dt.date(2020, 1, 31))
    assert INVITATION not in home(english())
    services.update_survey(shown, by=coordinator, closes_on=None, opens_on=dt.date(2099, 1, 1))
    assert INVITATION not in home(english())


def test_no_thanks_hides_the_invitation_on_this_device(shown):
    client = english()
    url = reverse("surveys:hide", args=[shown.code])
    response = client.post(url, {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert INVITATION not in home(client)
    assert INVITATION in home(english())  # another device still sees it
    # With htmx the block is simply removed; a foreign "next" never redirects away.
    other = english()
    assert other.post(url, HTTP_HX_REQUEST="true").content == b""
    assert other.post(url, {"next": "https://evil.example/"})["Location"] == "/"


def test_a_member_who_answered_is_not_invited_again(shown, coordinator, make_user):
    services.update_survey(shown, by=coordinator, requires_sign_in=True, one_per_member=True)
    member = make_user("anggota")
    client = signed_in(member)
    client.cookies["django_language"] = "en"
    assert INVITATION in home(client)
    services.submit_response(shown, answer(shown), user=member)
    assert INVITATION not in home(client)
    assert INVITATION in home(english())  # guests are still invited


def test_no_invitation_on_the_device_that_just_answered(shown, settings):
    settings.PUSTAKA_SURVEY_MIN_FILL_SECONDS = 0
    client = english()
    assert INVITATION in home(client)
    client.post(reverse("surveys:answer", args=[shown.code]), answer(shown))
    assert Response.objects.count() == 1
    assert INVITATION not in home(client)


def test_no_query_for_the_invitation_when_no_survey_is_shown(
    coordinator, django_assert_num_queries
):
    services.open_survey(services.create_survey(by=coordinator, title="Tanpa"), by=coordinator)
    request = RequestFactory().get("/")
    shown_surveys()
    with django_assert_num_queries(0):
        assert invitation_for(request, "home") is None


def test_the_embedded_survey_may_be_framed_by_the_configured_site_only(shown, settings):
    settings.PUSTAKA_SURVEY_EMBED_ORIGINS = ["https://perpustakaan.example.go.id"]
    client = english()
    response = client.get(reverse("surveys:embed", args=[shown.code]))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://perpustakaan.example.go.id" in policy
    page = response.content.decode()
    assert "site-header" not in page and 'name="started"' in page
    # Everything else still refuses frames.
    for url in (reverse("surveys:answer", args=[shown.code]), reverse("core:home")):
        other = client.get(url)
        assert other["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in other["Content-Security-Policy"]


def test_answering_in_the_frame_stores_a_response_with_the_same_checks(shown, settings):
    settings.PUSTAKA_SURVEY_MIN_FILL_SECONDS = 3
    # Inside another site's frame no cookie arrives: no CSRF cookie either.
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    url = reverse("surveys:embed", args=[shown.code])
    refused = client.post(url, {**answer(shown, "9")})
    assert refused.status_code == 400 and "Choose a value from 1 to 5." in (
        refused.content.decode()
    )
    bot = client.post(url, {**answer(shown), "homepage": "http://spam.example"})
    assert bot.status_code == 400
    quick = client.post(
        url, {**answer(shown), "started": signing.dumps(time.time(), salt=STARTED_SALT)}
    )
    assert quick.status_code == 400 and "sent too quickly" in quick.content.decode()
    assert not Response.objects.exists()

    sent = client.post(url, answer(shown))
    assert sent.status_code == 302
    assert sent["Location"] == reverse("surveys:embed-thanks", args=[shown.code])
    thanks = client.get(sent["Location"])
    assert "Thank you" in thanks.content.decode() and "X-Frame-Options" not in thanks
    stored = Response.objects.get()
    assert stored.user is None and stored.answers.get().number == 4


def test_a_signed_in_session_is_never_used_in_the_frame(shown, coordinator, make_user):
    services.update_survey(shown, by=coordinator, requires_sign_in=True, one_per_member=True)
    client = signed_in(make_user("anggota"))
    client.cookies["django_language"] = "en"
    response = client.post(reverse("surveys:embed", args=[shown.code]), answer(shown))
    assert response.status_code == 200
    assert "Open the survey on the library's site" in response.content.decode()
    assert not Response.objects.exists()


def test_staff_get_the_code_for_the_library_website(shown, coordinator, settings):
    settings.PUSTAKA_SURVEY_EMBED_ORIGINS = ["https://perpustakaan.example.go.id"]
    client = signed_in(coordinator)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("surveys:staff-survey", args=[shown.pk])).content.decode()
    # The code as copied from the box: a title with quotes stays one attribute.
    services.update_survey(shown, by=coordinator, title_en='The "new" reading room')
    page = client.get(reverse("surveys:staff-survey", args=[shown.pk])).content.decode()
    copied = html.unescape(re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', page)[1])
    assert copied == (
        f'<iframe src="http://testserver/s/{shown.code}/embed/" '
        'title="The &quot;new&quot; reading room" width="100%" height="900" loading="lazy">'
        "</iframe>"
    )
    assert "Allowed on: https://perpustakaan.example.go.id." in page
    # Staff choose the pages in the survey's settings.
    response = client.post(
        reverse("surveys:staff-survey", args=[shown.pk]),
        {
            "form": "settings",
            "s-title": "Kepuasan",
            "s-is_anonymous": "on",
            "s-show_on": ["catalogue"],
        },
    )
    assert response.status_code == 302
    shown.refresh_from_db()
    assert shown.show_on == ["catalogue"]
    assert INVITATION in english().get(reverse("opac:search")).content.decode()
