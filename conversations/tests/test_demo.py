from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from conversations.models import FaqEntry, Feedback, Question
from conversations.states import FeedbackState, QuestionState

# The member categories come from a migration; a browser test's flush before this one removes
# them, so ask for them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("member_categories")]


def test_the_demo_has_questions_and_feedback_in_every_state():
    out = StringIO()
    call_command("demo", members=20, records=5, stdout=out)
    assert "Questions and feedback:" in out.getvalue()
    assert set(Question.objects.values_list("state", flat=True)) == set(QuestionState.values)
    assert set(Feedback.objects.values_list("state", flat=True)) == set(FeedbackState.values)
    assert Feedback.objects.filter(escalated_at__isnull=False).exists()
    assert Feedback.objects.filter(is_published=True).count() == 1
    assert FaqEntry.objects.count() == 2
    assert mail.outbox == []
