"""The demo library's surveys."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from surveys import selectors
from surveys.models import Survey

# The member categories come from a migration; a browser test's flush before this one removes
# them, so ask for them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("member_categories")]


def test_the_demo_has_an_ikm_survey_over_two_semesters_and_two_other_surveys():
    out = StringIO()
    call_command("demo", members=30, records=5, stdout=out)
    assert "Surveys: IKM" in out.getvalue()
    ikm_survey = Survey.objects.get(kind="ikm")
    report = selectors.ikm_report(selectors.get_survey(ikm_survey.pk))
    assert report.result.respondents >= 110
    assert report.result.category in {"A", "B"}
    assert Survey.objects.filter(kind="general").count() == 2
    feedback = Survey.objects.get(event__isnull=False)
    assert feedback.event.ends_at < timezone.now()
    rated = selectors.event_satisfaction([feedback.event_id])[feedback.event_id]
    assert rated.responses == 25
    assert rated.average is not None
