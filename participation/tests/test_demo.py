from io import StringIO

import pytest
from django.core.management import call_command

from participation import ideas
from participation.models import Idea, Suggestion
from participation.states import SuggestionState

# The member categories come from a migration; a browser test's flush before this one removes
# them, so ask for them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("member_categories")]


def test_the_demo_has_suggestions_and_an_idea_board():
    out = StringIO()
    call_command("demo", members=40, records=5, stdout=out)
    assert "Participation:" in out.getvalue()
    assert set(Suggestion.objects.values_list("state", flat=True)) == set(SuggestionState.values)
    # The one in the collection links its record, and its suggester is in the hold queue.
    available = Suggestion.objects.get(state=SuggestionState.AVAILABLE)
    assert available.record.isbn == available.isbn
    assert (available.hold.record, available.hold.member) == (available.record, available.member)
    top = Idea.objects.order_by("-votes_count").first()
    assert top.votes_count == top.votes.count() > 0
    reported = list(ideas.reported_comments())
    assert len(reported) == 1 and reported[0].open_reports == 2
